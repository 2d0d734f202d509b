import { describe, expect, it } from 'vitest';
import { ClientTraffic, type FlowReading } from '../../../src/apps/load-balancer/client-traffic.js';
import * as policy from '../../../src/apps/load-balancer/lb-policy.js';
import { vipMac } from '../../../src/apps/load-balancer/vip-mac.js';
import { Harness, ip, lbConfig, mac, member, VIP } from './harness.js';

const VMAC = vipMac(VIP);
const LINK = 100;
/** The frames the fake fabric sends: 14 + 20 + 20 bytes. */
const FRAME = 54;

describe('client traffic counters', () => {
  const owner = (cookie: bigint) =>
    cookie === 1n
      ? { pool: 'p', member: 'm', out: false }
      : cookie === 2n
        ? { pool: 'p', member: 'm', out: true }
        : undefined;
  const reading = (cookie: bigint, bytes: number, durationSec: number, inPort = 1): FlowReading => ({
    cookie,
    durationSec,
    packetCount: BigInt(bytes / 100),
    byteCount: BigInt(bytes),
    match: { inPort, ethSrc: 5 },
  });

  it('adds what each reading carried since the last one, and counts a replaced flow from zero', () => {
    const t = new ClientTraffic();
    t.flowStats(1n, [reading(1n, 1000, 1), reading(2n, 4000, 1), reading(9n, 100_000, 1)], owner);
    expect(t.counters('p', 'm')).toMatchObject({
      bytesIn: 1000,
      bytesOut: 4000,
      packetsIn: 10,
      packetsOut: 40,
    });
    t.flowStats(1n, [reading(1n, 1500, 2), reading(2n, 4000, 2)], owner);
    expect(t.counters('p', 'm')).toMatchObject({ bytesIn: 1500, bytesOut: 4000 });
    // The flow idled out and a new one with the same match started: its 300 bytes are new.
    t.flowStats(1n, [reading(1n, 300, 0), reading(2n, 4000, 3)], owner);
    expect(t.counters('p', 'm').bytesIn).toBe(1800);
    // Its removal reports 700 in all: 400 more.
    t.flowRemoved(1n, reading(1n, 700, 4), owner);
    expect(t.counters('p', 'm').bytesIn).toBe(2200);
    // Gone from the next reply without a flow-removed: what it carried stays counted.
    t.flowStats(1n, [], owner);
    expect(t.counters('p', 'm')).toMatchObject({ bytesIn: 2200, bytesOut: 4000 });
  });

  it('keeps a deleted member’s counts in its pool’s totals', () => {
    const t = new ClientTraffic();
    t.flowStats(1n, [reading(1n, 1000, 1)], owner);
    t.counters('p', 'other').bytesIn += 5;
    expect(t.poolTotals('p').bytesIn).toBe(1005);
    t.forgetMember('p', 'm');
    expect(t.poolTotals('p').bytesIn).toBe(1005);
    expect(t.counters('p', 'm').bytesIn).toBe(0);
    t.forgetPool('p');
    expect(t.poolTotals('p').bytesIn).toBe(0);
  });
});

/** Client on switch 1, member on switch 2: the client's flows cross both. */
function twoSwitches() {
  const h = new Harness({ flowIdleTimeoutSeconds: 5 });
  h.switchUp(1n, [1, 10, LINK]);
  h.switchUp(2n, [1, LINK]);
  h.links([
    { src: 1n, srcPort: LINK, dst: 2n, dstPort: LINK },
    { src: 2n, srcPort: LINK, dst: 1n, dstPort: LINK },
  ]);
  const m = { host: 'm1', mac: mac(0x101), ip: ip(11) };
  h.fabric.attachHost(m.host, 2n, 1);
  h.fabric.servers.add(m.host);
  const c = { host: 'c1', mac: mac(0x201), ip: ip(51) };
  h.fabric.attachHost(c.host, 1n, 10);
  h.configure([lbConfig({ members: [member(1)] })]);
  h.memberAnswers(m.host, m, VMAC);
  const poll = () => {
    for (const dp of [1n, 2n]) policy.flowStats(h.state, dp, h.fabric.flowStats(dp));
  };
  const counters = () => {
    const mr = h.state.vips.get('web-pool')!.memberById.get('m1')!;
    return { ...mr.traffic, active: mr.connections };
  };
  return { h, m, c, poll, counters };
}

describe('load-balancer policy: traffic and connections', () => {
  it('counts a client’s bytes once, where its flows are rewritten, though they cross two switches', () => {
    const { h, c, poll, counters } = twoSwitches();
    // The first SYN goes on by packet-out (no flow counts it); two more use the flows. Each gets a SYN-ACK.
    for (const port of [40000, 40001, 40002]) h.connect(c.host, c, VMAC, port);
    poll();
    expect(counters()).toMatchObject({
      bytesIn: 2 * FRAME,
      packetsIn: 2,
      bytesOut: 3 * FRAME,
      packetsOut: 3,
      connections: 1,
      clients: 1,
      active: 1,
    });
    // Polling again changes nothing: the same flows, the same counts.
    poll();
    expect(counters()).toMatchObject({ bytesIn: 2 * FRAME, bytesOut: 3 * FRAME });
  });

  it('never goes down as flows expire, and counts the client’s next flows on top', () => {
    const { h, c, poll, counters } = twoSwitches();
    h.connect(c.host, c, VMAC, 40000);
    h.connect(c.host, c, VMAC, 40001);
    poll();
    const before = counters();
    h.fabric.advance(1000);
    h.connect(c.host, c, VMAC, 40002); // counted by the flows, but no poll before they expire
    h.fabric.advance(6000);
    h.tick();
    expect(h.fabric.flowCount()).toBe(4); // the VIP's trap flows only: the client's flows idled out
    poll();
    const after = counters();
    // The flow-removed messages carried the last segment's counts.
    expect(after).toMatchObject({
      bytesIn: before.bytesIn + FRAME,
      bytesOut: before.bytesOut + FRAME,
      active: 0,
    });
    // The client comes back within its persistence timeout: same member, new flows, a second connection.
    h.connect(c.host, c, VMAC, 40003);
    h.connect(c.host, c, VMAC, 40004);
    poll();
    expect(h.placements()).toHaveLength(1);
    expect(counters()).toMatchObject({
      bytesIn: after.bytesIn + FRAME,
      bytesOut: after.bytesOut + 2 * FRAME,
      connections: 2,
      active: 1,
    });
  });
});
