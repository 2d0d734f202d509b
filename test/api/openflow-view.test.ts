import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { applyActions, output } from '../../src/openflow/builders.js';
import { OFPP, type FlowStats, type Match, type PortDesc } from '../../src/openflow/model.js';
import { appCookie, APP_ID } from '../../src/controller/cookies.js';
import {
  actionText,
  datapathView,
  flowEntryView,
  hex64,
  instructionsText,
  matchView,
} from '../../src/api/openflow-view.js';
import { Datapath, FlowEntry } from '../../src/api/schemas/switches.js';

function flow(match: Match, instructions: FlowStats['instructions'], cookie = 0n): FlowStats {
  return {
    tableId: 0,
    durationSec: 12,
    durationNsec: 500_000_000,
    priority: 200,
    idleTimeout: 300,
    hardTimeout: 0,
    flags: 0,
    cookie,
    packetCount: 120n,
    byteCount: 98_000n,
    match,
    instructions,
  };
}

describe('flow entries in ovs-ofctl words', () => {
  it('shows a load-balancer forward flow', () => {
    const f = flow(
      { inPort: 3, ethType: 0x0800, ipProto: 6, ipv4Dst: 0x0ad50964, ethSrc: 0x020000000009, tcpDst: 80 },
      [
        applyActions(
          { type: 'setField', field: 'ethDst', value: 0x525400000001 },
          { type: 'setField', field: 'ipv4Dst', value: 0x0ad5090b },
          output(1),
        ),
      ],
      appCookie(APP_ID.LOAD_BALANCER, 7),
    );
    const v = flowEntryView(f);
    expect(v.match).toEqual({
      in_port: '3',
      eth_src: '02:00:00:00:00:09',
      eth_type: '0x0800',
      ip_proto: '6',
      ipv4_dst: '10.213.9.100',
      tcp_dst: '80',
    });
    expect(v.actions).toEqual([
      'set_field:52:54:00:00:00:01->eth_dst',
      'set_field:10.213.9.11->ipv4_dst',
      'output:1',
    ]);
    expect(v.owner).toBe('load-balancer');
    expect(v.cookie).toBe('5647000500000007');
    expect(v.duration_sec).toBe(12.5);
    expect(v.packet_count).toBe(120);
    expect(Value.Check(FlowEntry, v)).toBe(true);
  });

  it('names reserved ports, masks and other instructions', () => {
    const v = flowEntryView(
      flow({ ipv4Src: 0x0ad50000, ipv4SrcMask: 0xffff0000, inPort: OFPP.LOCAL }, [
        { type: 'gotoTable', tableId: 2 },
        { type: 'writeActions', actions: [output(OFPP.CONTROLLER), { type: 'popVlan' }] },
        { type: 'clearActions' },
      ]),
    );
    expect(v.match).toEqual({ in_port: 'LOCAL', ipv4_src: '10.213.0.0/255.255.0.0' });
    expect(v.actions).toEqual(['goto_table:2', 'write_actions(output:CONTROLLER,pop_vlan)', 'clear_actions']);
    expect(v.owner).toBeUndefined();
    expect(instructionsText([])).toEqual([]);
    expect(actionText({ type: 'pushVlan', ethType: 0x8100 })).toBe('push_vlan:0x8100');
    expect(hex64(-1n)).toBe('ffffffffffffffff');
    expect(matchView({})).toEqual({});
    expect(matchView({ vlanVid: 0x1064, arpTha: 1, udpSrc: 53 })).toEqual({
      vlan_vid: '0x1064',
      arp_tha: '00:00:00:00:00:01',
      udp_src: '53',
    });
  });

  it('never throws on arbitrary matches and actions', () => {
    const match = fc.record(
      {
        inPort: fc.nat(),
        ethSrc: fc.nat({ max: 0xffffffffffff }),
        ethDstMask: fc.nat({ max: 0xffffffffffff }),
        ethType: fc.nat(0xffff),
        ipv4Dst: fc.nat({ max: 0xffffffff }),
        metadata: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        ipv6Src: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
        otherOxm: fc.array(
          fc.record({
            oxmClass: fc.nat(0xffff),
            field: fc.nat(127),
            hasMask: fc.boolean(),
            payload: fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
          }),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        match,
        fc.nat(),
        fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
        (m, port, cookie) => {
          const v = flowEntryView(
            flow(
              m as Match,
              [applyActions(output(port), { type: 'other', actionType: 0xffff, body: Buffer.alloc(4) })],
              cookie,
            ),
          );
          expect(Value.Check(FlowEntry, v)).toBe(true);
          expect(v.actions).toEqual([`output:${port}`, 'action_65535']);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('datapaths', () => {
  it('shows ports with link and admin state and their counters', () => {
    const port = (portNo: number, name: string, state: number, config: number): PortDesc => ({
      portNo,
      hwAddr: 0xfe5400000000 + portNo,
      name,
      config,
      state,
      curr: 0,
      advertised: 0,
      supported: 0,
      peer: 0,
      currSpeed: portNo === 1 ? 10_000_000 : 0,
      maxSpeed: 0,
    });
    const z = 0n;
    const d = datapathView(
      {
        datapathId: 0xa1n,
        version: 0x04,
        peer: '127.0.0.1:4000',
        connectedAt: 1000,
        ports: [port(2, 'vnet1', 1, 0), port(1, 'vnet0', 0, 0), port(OFPP.LOCAL, 'br0', 0, 1)],
      },
      [
        {
          portNo: 1,
          rxPackets: 5n,
          txPackets: 6n,
          rxBytes: 500n,
          txBytes: 600n,
          rxDropped: 1n,
          txDropped: z,
          rxErrors: z,
          txErrors: z,
          rxFrameErr: z,
          rxOverErr: z,
          rxCrcErr: z,
          collisions: z,
          durationSec: 9,
          durationNsec: 0,
        },
      ],
    );
    expect(d.datapath_id).toBe('00000000000000a1');
    expect(d.version).toBe('1.3');
    expect(d.ports.map((p) => [p.port_no, p.name, p.link_down, p.admin_down])).toEqual([
      [1, 'vnet0', false, false],
      [2, 'vnet1', true, false],
      [OFPP.LOCAL, 'br0', false, true],
    ]);
    expect(d.ports[0]!.stats).toEqual({
      rx_packets: 5,
      tx_packets: 6,
      rx_bytes: 500,
      tx_bytes: 600,
      rx_dropped: 1,
      tx_dropped: 0,
      rx_errors: 0,
      tx_errors: 0,
      duration_sec: 9,
    });
    expect(d.ports[0]!.hw_addr).toBe('fe:54:00:00:00:01');
    expect(d.ports[1]!.stats).toBeUndefined();
    expect(Value.Check(Datapath, d)).toBe(true);
  });
});
