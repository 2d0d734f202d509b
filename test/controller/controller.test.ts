import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { L2LearningApp } from '../../src/apps/l2-learning.js';
import type { ControllerApp, DatapathInfo } from '../../src/controller/app-api.js';
import { APP_ID, appCookie } from '../../src/controller/cookies.js';
import { CORE_COOKIE, Controller, type ControllerOptions } from '../../src/controller/controller.js';
import { SESSION_DEFAULTS } from '../../src/controller/switch-session.js';
import { ControllerSwitchView } from '../../src/api/switch-view.js';
import { ETH_TYPE_IPV4, writeEthernet } from '../../src/net/ethernet.js';
import {
  OFPP,
  OFP_NO_BUFFER,
  decodeMessage,
  encodeMessage,
  type FlowMod,
  type OfVersion,
} from '../../src/openflow/index.js';
import { FakeSwitch, memoryLogger, port, until, type FakeSwitchOptions } from './fake-switch.js';

let controller: Controller | undefined;
const switches: FakeSwitch[] = [];

afterEach(async () => {
  for (const s of switches.splice(0)) s.close();
  await controller?.close();
  controller = undefined;
});

async function start(opts: Partial<ControllerOptions> = {}, apps: ControllerApp[] = []) {
  const { log, lines } = memoryLogger();
  const c = new Controller(
    {
      host: '127.0.0.1',
      port: 0,
      discoveryIntervalMs: 0,
      statsIntervalMs: 0,
      ...opts,
      session: {
        ...SESSION_DEFAULTS,
        echoIntervalMs: 200,
        echoTimeoutMs: 1000,
        handshakeTimeoutMs: 800,
        requestTimeoutMs: 500,
        ...opts.session,
      },
    },
    log,
  );
  for (const a of apps) c.use(a);
  const addr = await c.listen();
  controller = c;
  return { c, port: addr.port, lines };
}

async function sw(p: number, datapathId: bigint, version: OfVersion, extra: Partial<FakeSwitchOptions> = {}) {
  const s = await FakeSwitch.connect(p, { datapathId, version, ...extra });
  switches.push(s);
  return s;
}

function frame(src: number, dst: number): Buffer {
  const b = Buffer.alloc(60);
  writeEthernet(b, 0, { dst, src, ethType: ETH_TYPE_IPV4 });
  return b;
}

function packetIn(inPort: number, data: Buffer, bufferId = OFP_NO_BUFFER) {
  return {
    type: 'packetIn' as const,
    bufferId,
    totalLen: data.length,
    reason: 0,
    tableId: 0,
    cookie: 0n,
    inPort,
    match: { inPort },
    data,
  };
}

const L2_COOKIE = appCookie(APP_ID.L2_LEARNING);
const isFlowMod = (r: { msg: { type: string } }) => r.msg.type === 'flowMod';

describe('controller and switch sessions over TCP', () => {
  for (const version of [1, 4] as const) {
    it(`completes the OpenFlow ${version === 1 ? '1.0' : '1.3'} handshake, registers the datapath and installs the table-miss entry`, async () => {
      const ups: DatapathInfo[] = [];
      const {
        c,
        port: p,
        lines,
      } = await start({}, [{ name: 'watch', order: 1, onSwitchUp: (dp) => void ups.push(dp) }]);
      const s = await sw(p, 0xab_cdefn, version, {
        ports: [port(1), port(2), port(3), port(OFPP.LOCAL, 'br')],
      });
      await until(() => ups.length === 1, 3000, 'switch up');
      expect(ups[0]!.datapathId).toBe(0xab_cdefn);
      expect(ups[0]!.version).toBe(version);
      expect([...ups[0]!.ports.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, OFPP.LOCAL]);
      expect(c.datapath(0xab_cdefn)?.version).toBe(version);
      // The handshake as the switch saw it: HELLO (with our bitmap), FEATURES, SET_CONFIG, [PORT_DESC], BARRIER.
      const types = s.received.map((r) => r.msg.type);
      expect(types.slice(0, 3)).toEqual(['hello', 'featuresRequest', 'setConfig']);
      expect(s.received[0]!.msg).toEqual({ type: 'hello', versions: [1, 4] });
      expect(types.includes('barrierRequest')).toBe(true);
      expect(types.includes('multipartRequest')).toBe(version === 4);
      const miss = (await s.waitFor(isFlowMod)).msg as FlowMod;
      expect(miss).toMatchObject({ command: 'add', priority: 0, cookie: CORE_COOKIE, match: {} });
      expect(miss.instructions).toEqual([
        { type: 'applyActions', actions: [{ type: 'output', port: OFPP.CONTROLLER, maxLen: 0xffff }] },
      ]);
      for (const r of s.received) expect(r.version).toBe(r.msg.type === 'hello' ? 4 : version);
      expect(lines.some((l) => l.msg === 'switch connected' && l.dpid === '0000000000abcdef')).toBe(true);
    });

    it(`runs L2 learning on OpenFlow ${version === 1 ? '1.0' : '1.3'} packet-ins: flood first, then a flow with the app cookie`, async () => {
      const { c, port: p } = await start({}, [new L2LearningApp({ idleTimeoutSeconds: 7 })]);
      const s = await sw(p, 5n, version);
      await until(() => c.datapath(5n) !== undefined, 3000, 'switch up');
      s.send(packetIn(1, frame(0x0a0000000001, 0x0a0000000002)));
      const flood = await s.waitFor((r) => r.msg.type === 'packetOut');
      expect(flood.msg).toMatchObject({
        type: 'packetOut',
        inPort: 1,
        actions: [{ type: 'output', port: OFPP.FLOOD }],
      });
      s.send(packetIn(2, frame(0x0a0000000002, 0x0a0000000001), 99));
      const fm = (await s.waitFor((r) => isFlowMod(r) && (r.msg as FlowMod).cookie === L2_COOKIE))
        .msg as FlowMod;
      expect(fm).toMatchObject({
        idleTimeout: 7,
        bufferId: 99,
        match: { inPort: 2, ethSrc: 0x0a0000000002, ethDst: 0x0a0000000001 },
      });
      expect(fm.instructions).toEqual([
        { type: 'applyActions', actions: [{ type: 'output', port: 1, maxLen: 0xffff }] },
      ]);
      s.send({ type: 'error', errType: 5, code: 0, data: Buffer.alloc(0) });
      await until(() => c.internals().errorsReceived === 1, 2000, 'error counted');
      // The table-miss entry and the learned flow; one flood (the second packet-in was buffered: no packet-out).
      expect(c.internals()).toMatchObject({ switchesConnected: 1, packetIns: 2, flowMods: 2, packetOuts: 1 });
    });
  }

  for (const version of [1, 4] as const) {
    it(`answers the packet-ins that come with FEATURES_REPLY and right after it (OpenFlow ${version === 1 ? '1.0' : '1.3'}), after switch-up, and learns their MACs`, async () => {
      const seen: string[] = [];
      const watch: ControllerApp = {
        name: 'watch',
        order: 1,
        onSwitchUp: () => void seen.push('up'),
        onPacketIn: (ev) => {
          seen.push(`packetIn ${ev.inPort}`);
          return 'continue';
        },
      };
      const { c, port: p } = await start({}, [watch, new L2LearningApp()]);
      const [h1, h2] = [0x0a0000000001, 0x0a0000000002];
      const s = await sw(p, 31n, version, {
        // h1 announces itself (a gratuitous broadcast) in the FEATURES_REPLY's segment; h2 answers it.
        withFeatures: [packetIn(1, frame(h1, 0xffffffffffff))],
        afterFeatures: [packetIn(2, frame(h2, h1), 77)],
      });
      const flood = await s.waitFor((r) => r.msg.type === 'packetOut', 3000, 'flood of the broadcast');
      expect(flood.msg).toMatchObject({ inPort: 1, actions: [{ type: 'output', port: OFPP.FLOOD }] });
      const l2FlowFor = (bufferId: number) => (r: { msg: { type: string } }) =>
        isFlowMod(r) && (r.msg as FlowMod).bufferId === bufferId;
      // h1 was learned from the first packet-in: h2's frame to it gets a flow to port 1.
      const toH1 = (await s.waitFor(l2FlowFor(77), 3000, 'flow to h1')).msg as FlowMod;
      expect(toH1).toMatchObject({ cookie: L2_COOKIE, match: { inPort: 2, ethSrc: h2, ethDst: h1 } });
      expect(toH1.instructions).toMatchObject([{ actions: [{ type: 'output', port: 1 }] }]);
      // And h2 from the second.
      s.send(packetIn(1, frame(h1, h2), 78));
      const toH2 = (await s.waitFor(l2FlowFor(78), 3000, 'flow to h2')).msg as FlowMod;
      expect(toH2.instructions).toMatchObject([{ actions: [{ type: 'output', port: 2 }] }]);
      expect(seen).toEqual(['up', 'packetIn 1', 'packetIn 2', 'packetIn 1']);
      expect(c.internals().droppedMessages).toEqual({ hold_queue_full: 0, session_dead: 0, undecodable: 0 });
    });
  }

  it('counts and logs, with the datapath id, the packet-ins it cannot hold while a switch is set up', async () => {
    const {
      c,
      port: p,
      lines,
    } = await start({ session: { ...SESSION_DEFAULTS, maxHeldMessages: 2 } }, [new L2LearningApp()]);
    const s = await sw(p, 32n, 4, {
      withFeatures: [1, 2, 3, 4, 5].map((h) => packetIn(1, frame(h, 0xffffffffffff))),
    });
    await until(() => s.of('packetOut').length === 2, 3000, 'the two held packet-ins answered');
    expect(c.internals().droppedMessages.hold_queue_full).toBe(3);
    const logged = lines.filter((l) => l.reason === 'hold_queue_full');
    // One line, not one per message.
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ dpid: '0000000000000020', kind: 'packetIn', dropped: 1, total: 1 });
    expect(String(logged[0]!.msg)).toMatch(/too busy to finish set-ups/);
  });

  it('puts a barrier between the delete for a moved host and the messages after it', async () => {
    const { c, port: p } = await start({}, [new L2LearningApp()]);
    const s = await sw(p, 6n, 4);
    await until(() => c.datapath(6n) !== undefined, 3000, 'switch up');
    s.send(packetIn(1, frame(0x0a0000000001, 0x0a0000000002)));
    s.send(packetIn(2, frame(0x0a0000000002, 0x0a0000000001)));
    await s.waitFor((r) => r.msg.type === 'flowMod' && (r.msg as FlowMod).cookie === L2_COOKIE);
    const before = s.received.length;
    // Host ...01 shows up on port 3 now.
    s.send(packetIn(3, frame(0x0a0000000001, 0x0a0000000002)));
    await s.waitFor((r) => s.received.indexOf(r) >= before && r.msg.type === 'packetOut');
    const seq = s.received
      .slice(before)
      .map((r) => (r.msg.type === 'flowMod' ? `flowMod:${(r.msg as FlowMod).command}` : r.msg.type));
    expect(seq).toEqual(['flowMod:delete', 'barrierRequest', 'flowMod:add', 'packetOut']);
  });

  it('shows operators the wall-clock time a switch connected', async () => {
    const { c, port: p } = await start();
    const before = Date.now();
    await sw(p, 8n, 4);
    await until(() => c.datapath(8n) !== undefined, 3000, 'switch up');
    const [dp] = await new ControllerSwitchView(c).datapaths();
    // Milliseconds since the epoch, between the connect and now: "connected 0 s ago" on the dashboard.
    expect(dp!.connected_at).toBeGreaterThanOrEqual(before);
    expect(dp!.connected_at).toBeLessThanOrEqual(Date.now());
  });

  it('completes the handshake when the switch trickles its bytes one at a time', async () => {
    const { c, port: p } = await start();
    await sw(p, 7n, 4, { trickle: true });
    await until(() => c.datapath(7n) !== undefined, 3000, 'switch up');
  });

  it('serves many switches at once', async () => {
    const { c, port: p } = await start({}, [new L2LearningApp()]);
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) => sw(p, BigInt(100 + i), i % 2 ? 4 : 1)),
    );
    await until(() => c.datapathRegistry.size === 40, 5000, '40 switches up');
    for (const s of all) s.send(packetIn(1, frame(0x0a0000000001, 0x0a0000000002)));
    await Promise.all(all.map((s) => s.waitFor((r) => r.msg.type === 'packetOut')));
  });

  it('drops a peer that sends garbage with a log line, while another switch keeps working', async () => {
    const { c, port: p, lines } = await start({}, [new L2LearningApp()]);
    const good = await sw(p, 1n, 4);
    await until(() => c.datapath(1n) !== undefined);
    const bad = connect({ port: p, host: '127.0.0.1' });
    const closed = new Promise<void>((r) => bad.on('close', () => r()));
    bad.on('error', () => undefined);
    bad.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    bad.resume();
    await closed;
    await until(() => lines.some((l) => l.msg === 'switch dropped before it came up'), 2000, 'drop log line');
    const line = lines.find((l) => l.msg === 'switch dropped before it came up')!;
    expect(String(line.reason)).toMatch(/does not start with an OpenFlow HELLO \(0x474554202f204854\)/);
    good.send(packetIn(1, frame(1, 2)));
    await good.waitFor((r) => r.msg.type === 'packetOut');
    expect(c.datapath(1n)).toBeDefined();
  });

  it('drops a peer that announces an oversized message', async () => {
    const { port: p, lines } = await start({ session: { ...SESSION_DEFAULTS, maxMessageBytes: 2048 } });
    const s = await sw(p, 2n, 4);
    const header = Buffer.from([4, 10, 0xff, 0xff, 0, 0, 0, 9]);
    s.write(header);
    await s.closedPromise;
    expect(lines.some((l) => String(l.reason).includes('exceeds limit 2048'))).toBe(true);
  });

  it('drops a peer that stalls mid-handshake, with the state it stalled in', async () => {
    const {
      c,
      port: p,
      lines,
    } = await start({
      session: { ...SESSION_DEFAULTS, handshakeTimeoutMs: 300, requestTimeoutMs: 5000, echoTimeoutMs: 5000 },
    });
    const good = await sw(p, 1n, 4);
    const stalled = await sw(p, 3n, 4, { stallAt: 'features' });
    const silent = connect({ port: p, host: '127.0.0.1' });
    silent.resume();
    const silentClosed = new Promise<void>((r) => silent.on('close', () => r()));
    await Promise.all([stalled.closedPromise, silentClosed]);
    await until(
      () => lines.filter((l) => l.msg === 'switch dropped before it came up').length === 2,
      2000,
      'two drop lines',
    );
    const reasons = lines
      .filter((l) => l.msg === 'switch dropped before it came up')
      .map((l) => String(l.reason));
    expect(reasons.some((r) => r.includes('handshake timeout: still in config'))).toBe(true);
    expect(reasons.some((r) => r.includes('handshake timeout: still in handshake'))).toBe(true);
    expect(good.closed).toBe(false);
    expect(c.datapath(1n)).toBeDefined();
    expect(c.datapath(3n)).toBeUndefined();
  });

  it('refuses a peer with no common version with OFPET_HELLO_FAILED', async () => {
    const { port: p, lines } = await start();
    const raw = connect({ port: p, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    raw.on('data', (d: Buffer) => chunks.push(d));
    const closed = new Promise<void>((r) => raw.on('close', () => r()));
    // A HELLO of version 6 whose bitmap offers only 6 (OF1.5).
    raw.write(Buffer.from('06000010000000010001000800000040', 'hex'));
    await closed;
    const all = Buffer.concat(chunks);
    const first = decodeMessage(all, 0, all.readUInt16BE(2));
    expect(first.ok && first.msg.type).toBe('hello');
    const off = all.readUInt16BE(2);
    const err = decodeMessage(all, off, off + all.readUInt16BE(off + 2));
    expect(err.ok && err.msg).toMatchObject({ type: 'error', errType: 0, code: 0 });
    expect(lines.some((l) => String(l.reason).includes('no common OpenFlow version'))).toBe(true);
  });

  it('answers an undecodable message in main state with OFPET_BAD_REQUEST and keeps the switch', async () => {
    const { c, port: p } = await start();
    const s = await sw(p, 1n, 4);
    await until(() => c.datapath(1n) !== undefined);
    s.write(Buffer.from('04ee000800000077', 'hex')); // unknown message type 0xee
    const err = await s.waitFor((r) => r.msg.type === 'error' && r.xid === 0x77);
    expect(err.msg).toMatchObject({ errType: 1, code: 1 });
    expect(c.datapath(1n)).toBeDefined();
  });

  it('sends echo requests to an idle switch and declares it dead when they go unanswered', async () => {
    const downs: bigint[] = [];
    const {
      c,
      port: p,
      lines,
    } = await start({}, [{ name: 'watch', order: 1, onSwitchDown: (id) => void downs.push(id) }]);
    const s = await sw(p, 11n, 4);
    await until(() => c.datapath(11n) !== undefined);
    await s.waitFor((r) => r.msg.type === 'echoRequest', 2000, 'echo request');
    expect(c.datapath(11n)).toBeDefined();
    s.answerEcho = false;
    await s.closedPromise;
    expect(downs).toEqual([11n]);
    expect(c.datapath(11n)).toBeUndefined();
    expect(
      lines.some((l) => l.msg === 'switch disconnected' && String(l.reason).startsWith('echo timeout')),
    ).toBe(true);
  });

  it('times out a stats request that gets no reply without dropping the switch', async () => {
    const { c, port: p } = await start();
    const s = await sw(p, 12n, 4, { answerStats: false });
    await until(() => c.datapath(12n) !== undefined);
    await expect(c.requestStats(12n, { kind: 'port', portNo: OFPP.ANY })).rejects.toThrow(/timed out/);
    expect(c.datapath(12n)).toBeDefined();
    expect(s.closed).toBe(false);
    await c.barrier(12n);
  });

  it('lets a reconnecting datapath replace its old connection', async () => {
    const { c, port: p } = await start();
    const first = await sw(p, 13n, 4);
    await until(() => c.datapath(13n) !== undefined);
    const second = await sw(p, 13n, 1);
    await until(() => c.datapath(13n)?.version === 1, 3000, 'second connection registered');
    await first.closedPromise;
    expect(second.closed).toBe(false);
    expect(c.sessionCount).toBe(1);
  });

  it('isolates a throwing app: later apps still get the packet-in', async () => {
    const {
      c,
      port: p,
      lines,
    } = await start({}, [
      {
        name: 'broken',
        order: 1,
        onPacketIn: () => {
          throw new Error('boom');
        },
      },
      new L2LearningApp(),
    ]);
    const s = await sw(p, 14n, 4);
    await until(() => c.datapath(14n) !== undefined);
    s.send(packetIn(1, frame(1, 2)));
    await s.waitFor((r) => r.msg.type === 'packetOut');
    expect(lines.some((l) => l.app === 'broken' && l.msg === 'app failed in packet-in')).toBe(true);
  });

  it('writes an answered packet-in back as one encoded message per response', () => {
    const b = encodeMessage(4, 1, packetIn(1, frame(1, 2)));
    expect(b.readUInt16BE(2)).toBe(b.length);
  });
});

describe('ARP responder app in the controller', () => {
  it('answers ARP for its bindings before L2 learning sees the request, and traps requests on switch-up', async () => {
    const { ArpResponderApp } = await import('../../src/apps/arp-responder.js');
    const { buildArpFrame, decodeArp } = await import('../../src/net/arp.js');
    const arp = new ArpResponderApp([[0x0ad50164, 0x0a00000000fe]]);
    const { c, port: p } = await start({}, [arp, new L2LearningApp()]);
    const s = await sw(p, 21n, 4);
    await until(() => c.datapath(21n) !== undefined);
    const trap = await s.waitFor((r) => r.msg.type === 'flowMod' && (r.msg as FlowMod).cookie === arp.cookie);
    expect((trap.msg as FlowMod).match).toEqual({ ethType: 0x0806, arpOp: 1, arpTpa: 0x0ad50164 });
    const grat = await s.waitFor(
      (r) =>
        r.msg.type === 'packetOut' &&
        decodeArp((r.msg as { data: Buffer }).data, 14) !== undefined &&
        (r.msg as { data: Buffer }).data.readUInt16BE(12) === 0x0806,
    );
    expect(grat.msg).toMatchObject({ actions: [{ type: 'output', port: OFPP.FLOOD }] });
    const before = s.received.length;
    const req = buildArpFrame(0xffffffffffff, 0x0a0000000001, {
      op: 1,
      sha: 0x0a0000000001,
      spa: 0x0ad50101,
      tha: 0,
      tpa: 0x0ad50164,
    });
    s.send(packetIn(3, req));
    const reply = await s.waitFor((r) => s.received.indexOf(r) >= before && r.msg.type === 'packetOut');
    const po = reply.msg as { inPort: number; actions: unknown[]; data: Buffer };
    expect(po.inPort).toBe(3);
    expect(po.actions).toEqual([{ type: 'output', port: OFPP.IN_PORT, maxLen: 0xffff }]);
    expect(decodeArp(po.data, 14)).toEqual({
      op: 2,
      sha: 0x0a00000000fe,
      spa: 0x0ad50164,
      tha: 0x0a0000000001,
      tpa: 0x0ad50101,
    });
    // Consumed: L2 learning did not flood the request.
    await new Promise((r) => setTimeout(r, 100));
    expect(s.received.slice(before).filter((r) => r.msg.type === 'packetOut')).toHaveLength(1);
  });
});
