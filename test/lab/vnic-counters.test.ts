import { afterEach, describe, expect, it } from 'vitest';
import { Procedure } from '../../src/libvirt/constants.js';
import { writeGetAllDomainStatsRet, type DomainStatsRecord } from '../../src/libvirt/procedures.js';
import { VnicCounterReader } from '../../src/lab/vnic-counters.js';
import { FakeDaemon, withHandshake } from '../../src/lab/host/fake-libvirtd.js';

function record(name: string, i: number, tx: number): DomainStatsRecord {
  return {
    domain: { name, uuid: `7a6d6f6e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, id: i + 1 },
    params: [
      { field: 'state.state', type: 1, value: 1 },
      { field: 'cpu.time', type: 4, value: 2e9 },
      { field: 'net.count', type: 2, value: 2 },
      { field: 'net.0.name', type: 7, value: 'other0' },
      { field: 'net.0.tx.bytes', type: 4, value: 1 },
      { field: 'net.1.name', type: 7, value: name },
      { field: 'net.1.tx.bytes', type: 4, value: tx },
      { field: 'net.1.rx.bytes', type: 4, value: 77 },
      { field: 'net.1.tx.pkts', type: 4, value: 5 },
      { field: 'net.1.rx.pkts', type: 4, value: 6 },
    ],
  };
}

let daemon: FakeDaemon | undefined;
let reader: VnicCounterReader | undefined;
afterEach(async () => {
  await reader?.close();
  await daemon?.stop();
});

describe('VnicCounterReader', () => {
  it('reads each lab VM’s vNIC (by port name) and its CPU time, leaving other domains out', async () => {
    daemon = await FakeDaemon.start(
      withHandshake((msg, conn) => {
        if (msg.header.procedure === Procedure.CONNECT_GET_ALL_DOMAIN_STATS) {
          conn.reply(msg.header, (w) =>
            writeGetAllDomainStatsRet(w, [record('vlab-vm1', 0, 5000), record('someone-else', 1, 9)]),
          );
        }
      }),
    );
    reader = await VnicCounterReader.open(`test+unix:///default?socket=${daemon.path}`);
    const got = await reader.read(
      new Map([
        ['vlab-vm1', 'vlab-vm1'],
        ['vlab-vm2', 'vlab-vm2'],
      ]),
    );
    expect([...got.entries()]).toEqual([
      ['vlab-vm1', { txBytes: 5000, rxBytes: 77, txPackets: 5, rxPackets: 6, cpuTimeNs: 2e9 }],
    ]);
  });

  it('gives no reading for a vNIC listed without counters (a domain being destroyed)', async () => {
    const bare = record('vlab-vm2', 2, 0);
    bare.params = bare.params.filter(
      (p) => !p.field.startsWith('net.1.tx') && !p.field.startsWith('net.1.rx'),
    );
    daemon = await FakeDaemon.start(
      withHandshake((msg, conn) => {
        if (msg.header.procedure === Procedure.CONNECT_GET_ALL_DOMAIN_STATS) {
          conn.reply(msg.header, (w) => writeGetAllDomainStatsRet(w, [record('vlab-vm1', 0, 10), bare]));
        }
      }),
    );
    reader = await VnicCounterReader.open(`test+unix:///default?socket=${daemon.path}`);
    const got = await reader.read(
      new Map([
        ['vlab-vm1', 'vlab-vm1'],
        ['vlab-vm2', 'vlab-vm2'],
      ]),
    );
    expect([...got.keys()]).toEqual(['vlab-vm1']);
  });

  it('reconnects after libvirtd dropped the connection (a daemon restart)', async () => {
    let tx = 1000;
    daemon = await FakeDaemon.start(
      withHandshake((msg, conn) => {
        if (msg.header.procedure === Procedure.CONNECT_GET_ALL_DOMAIN_STATS) {
          conn.reply(msg.header, (w) => writeGetAllDomainStatsRet(w, [record('vlab-vm1', 0, tx)]));
        }
      }),
    );
    reader = await VnicCounterReader.open(`test+unix:///default?socket=${daemon.path}`);
    const ports = new Map([['vlab-vm1', 'vlab-vm1']]);
    expect((await reader.read(ports)).get('vlab-vm1')?.txBytes).toBe(1000);
    daemon.dropClients();
    await new Promise((r) => setTimeout(r, 50));
    tx = 2500;
    expect((await reader.read(ports)).get('vlab-vm1')?.txBytes).toBe(2500);
    expect(daemon.connections.length).toBe(2);
  });
});
