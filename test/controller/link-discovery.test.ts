import { afterEach, describe, expect, it } from 'vitest';
import { L2LearningApp } from '../../src/apps/l2-learning.js';
import { Controller } from '../../src/controller/controller.js';
import { LinkTable, spanningTree } from '../../src/controller/link-discovery.js';
import { SESSION_DEFAULTS } from '../../src/controller/switch-session.js';
import { ETH_TYPE_IPV4, writeEthernet } from '../../src/net/ethernet.js';
import { buildDiscoveryFrame } from '../../src/net/lldp.js';
import { OFPP, OFP_NO_BUFFER, type PacketOut } from '../../src/openflow/index.js';
import { FakeSwitch, memoryLogger, port, until } from './fake-switch.js';

describe('link table and spanning tree (pure)', () => {
  it('records links, refreshes them, and expires them', () => {
    const t = new LinkTable(3000);
    expect(t.observe(0, { src: 1n, srcPort: 3, dst: 2n, dstPort: 4 })).toBe(true);
    expect(t.observe(1000, { src: 1n, srcPort: 3, dst: 2n, dstPort: 4 })).toBe(false);
    expect(t.observe(1000, { src: 2n, srcPort: 4, dst: 1n, dstPort: 3 })).toBe(true);
    expect(t.links()).toHaveLength(2);
    expect(t.isInterSwitchPort(2n, 4)).toBe(true);
    expect(t.isInterSwitchPort(2n, 1)).toBe(false);
    expect(t.expire(3500)).toBe(false);
    expect(t.links()).toHaveLength(2);
    expect(t.expire(4001)).toBe(true);
    expect(t.links()).toHaveLength(0);
  });

  it('keeps a link confirmed within its lifetime', () => {
    const t = new LinkTable(3000);
    t.observe(0, { src: 1n, srcPort: 3, dst: 2n, dstPort: 4 });
    t.observe(2500, { src: 1n, srcPort: 3, dst: 2n, dstPort: 4 });
    expect(t.expire(4000)).toBe(false);
    expect(t.links()).toHaveLength(1);
    expect(t.expire(5600)).toBe(true);
  });

  it('forgets the links of a switch or a port', () => {
    const t = new LinkTable(3000);
    t.observe(0, { src: 1n, srcPort: 3, dst: 2n, dstPort: 4 });
    t.observe(0, { src: 2n, srcPort: 5, dst: 3n, dstPort: 6 });
    expect(t.forget(2n, 5)).toBe(true);
    expect(t.links()).toEqual([{ src: 1n, srcPort: 3, dst: 2n, dstPort: 4 }]);
    expect(t.forget(9n)).toBe(false);
    expect(t.forget(1n)).toBe(true);
    expect(t.links()).toEqual([]);
  });

  it('blocks exactly one link of a triangle, the same one whatever the order links arrive in', () => {
    const links = [
      { src: 1n, srcPort: 2, dst: 2n, dstPort: 1 },
      { src: 2n, srcPort: 3, dst: 3n, dstPort: 2 },
      { src: 3n, srcPort: 1, dst: 1n, dstPort: 3 },
    ];
    const a = spanningTree(links);
    const b = spanningTree(
      [...links].reverse().map((l) => ({ src: l.dst, srcPort: l.dstPort, dst: l.src, dstPort: l.srcPort })),
    );
    expect([...a.blocked].sort()).toEqual(['2:3', '3:2']);
    expect([...b.blocked].sort()).toEqual([...a.blocked].sort());
    expect(a.blockedSwitches).toEqual(new Set([2n, 3n]));
    expect(spanningTree(links.slice(0, 2)).blocked.size).toBe(0);
  });

  it('blocks parallel links between two switches but one', () => {
    const t = spanningTree([
      { src: 1n, srcPort: 5, dst: 2n, dstPort: 5 },
      { src: 1n, srcPort: 6, dst: 2n, dstPort: 6 },
    ]);
    expect([...t.blocked].sort()).toEqual(['1:6', '2:6']);
  });
});

describe('link discovery through the controller', () => {
  let controller: Controller | undefined;
  const switches: FakeSwitch[] = [];
  afterEach(async () => {
    for (const s of switches.splice(0)) s.close();
    await controller?.close();
  });

  it('finds a triangle of switches from its own LLDP probes and floods along the spanning tree only', async () => {
    const { log, lines } = memoryLogger();
    const c = new Controller(
      {
        host: '127.0.0.1',
        port: 0,
        discoveryIntervalMs: 200,
        statsIntervalMs: 0,
        session: { ...SESSION_DEFAULTS, echoIntervalMs: 1000 },
      },
      log,
    );
    controller = c;
    c.use(new L2LearningApp());
    const { port: p } = await c.listen();
    // 1:2 <-> 2:1, 2:3 <-> 3:2, 3:1 <-> 1:3; port 4 of each switch is a host.
    const wires = new Map<string, [bigint, number]>([
      ['1:2', [2n, 1]],
      ['2:1', [1n, 2]],
      ['2:3', [3n, 2]],
      ['3:2', [2n, 3]],
      ['3:1', [1n, 3]],
      ['1:3', [3n, 1]],
    ]);
    const byId = new Map<bigint, FakeSwitch>();
    for (const [id, ports] of [
      [1n, [2, 3, 4]],
      [2n, [1, 3, 4]],
      [3n, [1, 2, 4]],
    ] as const) {
      const s = await FakeSwitch.connect(p, { datapathId: id, version: 4, ports: ports.map((n) => port(n)) });
      switches.push(s);
      byId.set(id, s);
    }
    // Relay every LLDP packet-out to the switch at the other end of the wire, as a packet-in.
    const relayed = new Set<string>();
    const relay = (): void => {
      for (const [id, s] of byId) {
        for (const r of s.received) {
          const po = r.msg as PacketOut;
          if (po.type !== 'packetOut' || po.data.readUInt16BE(12) !== 0x88cc) continue;
          const key = `${id}:${r.xid}`;
          if (relayed.has(key)) continue;
          relayed.add(key);
          const out = po.actions[0]!.type === 'output' ? po.actions[0]!.port : -1;
          const peer = wires.get(`${id}:${out}`);
          if (!peer) continue;
          const data = Buffer.from(po.data);
          byId.get(peer[0])!.send({
            type: 'packetIn',
            bufferId: OFP_NO_BUFFER,
            totalLen: data.length,
            reason: 0,
            tableId: 0,
            cookie: 0n,
            inPort: peer[1],
            match: { inPort: peer[1] },
            data,
          });
        }
      }
    };
    await until(
      () => {
        relay();
        return c.links().length === 6;
      },
      5000,
      'six directed links',
    );
    expect(c.acceptsFrom(2n, 3)).toBe(false);
    expect(c.acceptsFrom(3n, 2)).toBe(false);
    expect(c.acceptsFrom(1n, 2)).toBe(true);
    expect(c.floodPorts(1n, 4)).toBeUndefined();
    expect(c.floodPorts(2n, 4)).toEqual([1]);
    expect(c.floodPorts(3n, 4)).toEqual([1]);

    // A broadcast from the host on switch 2 is flooded to port 1 only (not the blocked port 3).
    const frame = Buffer.alloc(60);
    writeEthernet(frame, 0, { dst: 0xffffffffffff, src: 0x0a0000000042, ethType: ETH_TYPE_IPV4 });
    const sw2 = byId.get(2n)!;
    const before = sw2.received.length;
    sw2.send({
      type: 'packetIn',
      bufferId: OFP_NO_BUFFER,
      totalLen: 60,
      reason: 0,
      tableId: 0,
      cookie: 0n,
      inPort: 4,
      match: { inPort: 4 },
      data: frame,
    });
    const po = (
      await sw2.waitFor(
        (r) =>
          sw2.received.indexOf(r) >= before &&
          r.msg.type === 'packetOut' &&
          (r.msg as PacketOut).data.readUInt16BE(12) === ETH_TYPE_IPV4,
      )
    ).msg as PacketOut;
    expect(po.actions).toEqual([{ type: 'output', port: 1, maxLen: 0xffff }]);
    // Switch 1 floods with OFPP_FLOOD: it has no blocked port.
    const sw1 = byId.get(1n)!;
    sw1.send({
      type: 'packetIn',
      bufferId: OFP_NO_BUFFER,
      totalLen: 60,
      reason: 0,
      tableId: 0,
      cookie: 0n,
      inPort: 4,
      match: { inPort: 4 },
      data: frame,
    });
    const po1 = (
      await sw1.waitFor(
        (r) => r.msg.type === 'packetOut' && (r.msg as PacketOut).data.readUInt16BE(12) === ETH_TYPE_IPV4,
      )
    ).msg as PacketOut;
    expect(po1.actions).toEqual([{ type: 'output', port: OFPP.FLOOD, maxLen: 0xffff }]);

    // A frame naming switch 1 port 4 without the controller's stamp, as a host on switch 3 could send it,
    // invents no link.
    const forged = buildDiscoveryFrame(1n, 4, 0x0a0000000099);
    byId.get(3n)!.send({
      type: 'packetIn',
      bufferId: OFP_NO_BUFFER,
      totalLen: forged.length,
      reason: 0,
      tableId: 0,
      cookie: 0n,
      inPort: 4,
      match: { inPort: 4 },
      data: forged,
    });
    await until(
      () => lines.some((l) => l.msg === 'discovery frames with a bad or stale stamp ignored'),
      3000,
      'forged log',
    );
    expect(c.links()).toHaveLength(6);

    // Switch 2 goes away: its links go, and switch 3 floods freely again.
    sw2.close();
    await until(() => c.links().length === 2, 3000, 'links of switch 2 forgotten');
    expect(c.floodPorts(3n, 4)).toBeUndefined();
  });
});
