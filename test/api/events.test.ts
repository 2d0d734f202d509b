import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { Channels } from '../../src/store/store.js';
import { eventName, parseTypes } from '../../src/api/event-stream.js';
import { harness, type Harness } from './support/harness.js';
import { openSse, type SseClient } from './support/sse-client.js';
import { demoVms } from './support/vm-feed.js';

const [WEB1] = demoVms();

let h: Harness;
let base: string;
const clients: SseClient[] = [];

async function start(opts: Parameters<typeof harness>[0] = {}) {
  h = await harness(opts);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}

async function sse(path: string, headers: Record<string, string> = {}) {
  const c = await openSse(`${base}${path}`, headers);
  clients.push(c);
  return c;
}

/** The hub registers a client after its response starts: wait until it counts it. */
async function until(cond: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeEach(async () => start());
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await h.close();
});

describe('event stream', () => {
  it('streams new samples and operational events as they are published', async () => {
    // The types an operator watches here; the load balancer also announces VIPs and member locations.
    const c = await sse('/api/v1/events?types=sample,placement,member_health,switch_down');
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(c.headers['cache-control']).toContain('no-cache');
    await until(() => h.events.size === 1);
    await h.feed.poll(Date.now());
    const lb = await h.balancer.createLoadBalancer({ vip_address: '10.213.9.100' });
    const pool = await h.balancer.createPool({
      loadbalancer_id: lb.id,
      protocol: 'TCP',
      protocol_port: 80,
      lb_algorithm: 'LEAST_CONNECTIONS',
    });
    const m = await h.balancer.createMember(pool.id, { address: '10.213.9.11' });
    await h.balancer.createHealthMonitor({
      pool_id: pool.id,
      type: 'TCP',
      delay: 1,
      timeout: 1,
      max_retries: 1,
      max_retries_down: 1,
    });
    await h.driver.place(pool.id, '02:00:00:00:00:07');
    await h.driver.setHealth(pool.id, '10.213.9.11', false);
    await h.store.publish(Channels.events, { type: 'switch_down', time: 1, datapath_id: '00000000000000a1' });
    const evs = await c.waitFor(6);
    expect(evs.slice(0, 3).map((e) => e.event)).toEqual(['sample', 'sample', 'sample']);
    expect(
      evs
        .slice(0, 3)
        .map((e) => (e.data as { uuid: string }).uuid)
        .sort(),
    ).toEqual(
      demoVms()
        .map((v) => v.uuid)
        .sort(),
    );
    expect(evs[3]).toMatchObject({
      event: 'placement',
      data: { client: '02:00:00:00:00:07', member: m.id, pool: pool.id },
    });
    expect(evs[4]).toMatchObject({
      event: 'member_health',
      data: { member_id: m.id, pool_id: pool.id, operating_status: 'ERROR' },
    });
    expect(evs[5]).toMatchObject({ event: 'switch_down', data: { datapath_id: '00000000000000a1' } });
    const ids = evs.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(6);
  });

  it('filters by event type and by VM', async () => {
    const onlyWeb1 = await sse(`/api/v1/events?types=sample&vm=${WEB1!.uuid}`);
    const onlySwitch = await sse('/api/v1/events?types=switch_up,switch_down');
    await until(() => h.events.size === 2);
    await h.feed.poll(Date.now());
    await h.store.publish(Channels.events, { type: 'placement', time: 1 });
    await h.store.publish(Channels.events, { type: 'switch_up', time: 2 });
    const [s] = await onlyWeb1.waitFor(1);
    expect((s!.data as { uuid: string }).uuid).toBe(WEB1!.uuid);
    const [sw] = await onlySwitch.waitFor(1);
    expect(sw!.event).toBe('switch_up');
    await h.feed.poll(Date.now() + 5000);
    await onlyWeb1.waitFor(2);
    expect(
      onlyWeb1.events.every((e) => e.event === 'sample' && (e.data as { uuid: string }).uuid === WEB1!.uuid),
    ).toBe(true);
    expect(onlySwitch.events).toHaveLength(1);
  });

  it('refuses clients beyond the limit with 503, and bad filters with 400', async () => {
    await h.close();
    await start({ eventStream: { maxClients: 1 } });
    const first = await sse('/api/v1/events');
    expect(first.status).toBe(200);
    await until(() => h.events.size === 1);
    const second = await sse('/api/v1/events');
    expect(second.status).toBe(503);
    const bad = await sse('/api/v1/events?types=DROP%20TABLE');
    expect(bad.status).toBe(400);
  });

  it('disconnects a client that does not read', async () => {
    await h.close();
    await start({ eventStream: { maxBufferedBytes: 64 * 1024, behindBytes: 32 * 1024 } });
    const slow = await sse('/api/v1/events');
    await until(() => h.events.size === 1);
    slow.pause();
    const big = { type: 'placement', pad: 'x'.repeat(16 * 1024) };
    for (let i = 0; i < 2000 && h.events.dropped === 0; i++) {
      await h.store.publish(Channels.events, big);
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(h.events.dropped).toBe(1);
    expect(h.events.size).toBe(0);
  });

  it('keeps a reading client through a burst larger than the lag threshold', async () => {
    await h.close();
    await start({ eventStream: { behindBytes: 16 * 1024, behindMs: 10_000 } });
    const c = await sse('/api/v1/events?types=placement');
    await until(() => h.events.size === 1);
    const big = { type: 'placement', pad: 'y'.repeat(8 * 1024) };
    for (let i = 0; i < 200; i++) await h.store.publish(Channels.events, big);
    await c.waitFor(200, 10_000);
    expect(h.events.dropped).toBe(0);
    expect(h.events.size).toBe(1);
  });

  it('disconnects a client that stays behind for too long', async () => {
    await h.close();
    await start({ eventStream: { behindBytes: 16 * 1024, behindMs: 200 } });
    const slow = await sse('/api/v1/events');
    await until(() => h.events.size === 1);
    slow.pause();
    const big = { type: 'placement', pad: 'z'.repeat(16 * 1024) };
    const end = Date.now() + 5000;
    while (h.events.dropped === 0 && Date.now() < end) {
      await h.store.publish(Channels.events, big);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(h.events.dropped).toBe(1);
    expect(h.events.size).toBe(0);
  });

  it('closes open streams when the server closes', async () => {
    const c = await sse('/api/v1/events');
    await until(() => h.events.size === 1);
    await h.app.close();
    await c.closed;
    expect(h.events.size).toBe(0);
  });
});

describe('event names', () => {
  it('takes a plain type as the event name, anything else is "event"', () => {
    expect(eventName({ type: 'member_health' })).toBe('member_health');
    expect(eventName({ type: 'x\nevent: fake' })).toBe('event');
    expect(eventName({ type: 7 })).toBe('event');
    expect(eventName(null)).toBe('event');
    expect(eventName('placement')).toBe('event');
    expect([...parseTypes('sample,,placement,BAD,x y')]).toEqual(['sample', 'placement']);
  });
});
