import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SESSION_DEFAULTS,
  SwitchSession,
  type SessionHandlers,
  type SessionOptions,
  type Transport,
} from '../../src/controller/switch-session.js';
import {
  decodeMessage,
  encodeMessage,
  helloFor,
  type OfMessage,
  type OfVersion,
} from '../../src/openflow/index.js';
import { ReadTurns } from '../../src/controller/read-turns.js';
import { memoryLogger, port } from './fake-switch.js';

/** A session on an in-memory transport, with a scripted switch answering the handshake. */
function harness(version: OfVersion, opts: Partial<SessionOptions> = {}, turns = new ReadTurns()) {
  const sent: Array<{ xid: number; msg: OfMessage }> = [];
  let destroyed = false;
  let paused = false;
  const events: string[] = [];
  const transport: Transport = {
    send: (version, xid, msg) => {
      // Through the wire format and back, as a switch would read it.
      const b = encodeMessage(version, xid, msg);
      const r = decodeMessage(b);
      if (!r.ok) throw new Error(`session sent an undecodable message: ${r.error.message}`);
      sent.push({ xid: r.xid, msg: r.msg });
    },
    destroy: () => {
      destroyed = true;
    },
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
    },
  };
  const handlers: SessionHandlers = {
    up: () => void events.push('up'),
    dead: (_s, reason) => void events.push(`dead: ${reason}`),
    message: (_s, m) => void events.push(m.type === 'packetIn' ? `packetIn ${m.inPort}` : m.type),
    dropped: (_s, reason, kind) => void events.push(`dropped ${kind}: ${reason}`),
  };
  const { log } = memoryLogger();
  const session = new SwitchSession(
    transport,
    'test',
    { ...SESSION_DEFAULTS, echoIntervalMs: 60_000, ...opts },
    handlers,
    log,
    turns,
  );
  const reply = (msg: OfMessage, xid: number) => session.receive(encodeMessage(version, xid, msg));
  /** Answers everything the session asked so far, as a switch would; `withFeatures` follows FEATURES_REPLY. */
  const answer = (withFeatures: Buffer = Buffer.alloc(0)): void => {
    for (const { xid, msg } of sent.splice(0)) {
      if (msg.type === 'featuresRequest') {
        const features = encodeMessage(version, xid, {
          type: 'featuresReply',
          datapathId: 42n,
          nBuffers: 0,
          nTables: 1,
          auxiliaryId: 0,
          capabilities: 0,
          actions: 0,
          ports: version === 1 ? [port(1)] : [],
        });
        session.receive(Buffer.concat([features, withFeatures]));
      } else if (msg.type === 'multipartRequest') {
        reply(
          { type: 'multipartReply', flags: 0, body: { kind: 'portDesc', ports: [port(1), port(2)] } },
          xid,
        );
      } else if (msg.type === 'barrierRequest') {
        reply({ type: 'barrierReply' }, xid);
      }
    }
  };
  return {
    session,
    sent,
    events,
    reply,
    answer,
    isDestroyed: () => destroyed,
    isPaused: () => paused,
  };
}

function packetIn(inPort: number): OfMessage {
  return {
    type: 'packetIn',
    bufferId: 0xffffffff,
    totalLen: 4,
    reason: 0,
    tableId: 0,
    cookie: 0n,
    inPort,
    match: { inPort },
    data: Buffer.from('abcd'),
  };
}

const FLOW_REMOVED: OfMessage = {
  type: 'flowRemoved',
  cookie: 7n,
  priority: 1,
  reason: 0,
  tableId: 0,
  durationSec: 1,
  durationNsec: 0,
  idleTimeout: 5,
  hardTimeout: 0,
  packetCount: 1n,
  byteCount: 64n,
  match: { inPort: 1 },
};

const turn = () => new Promise((r) => setImmediate(r));

async function up(version: OfVersion, turns?: ReadTurns, opts: Partial<SessionOptions> = {}) {
  const h = harness(version, opts, turns);
  h.session.receive(encodeMessage(version, 1, helloFor([version])));
  for (let i = 0; i < 5 && h.session.state !== 'main'; i++) {
    h.answer();
    await new Promise((r) => setImmediate(r));
  }
  expect(h.session.state).toBe('main');
  return h;
}

describe('switch session state machine', () => {
  it('goes handshake -> config -> main and reports the switch up once', async () => {
    const h = harness(4);
    expect(h.session.state).toBe('handshake');
    expect(h.sent[0]!.msg).toEqual({ type: 'hello', versions: [1, 4] });
    h.session.receive(encodeMessage(4, 1, helloFor([1, 4])));
    expect(h.sent.map((s) => s.msg.type)).toEqual(['hello', 'featuresRequest']);
    h.answer();
    await new Promise((r) => setImmediate(r));
    expect(h.session.state).toBe('config');
    for (let i = 0; i < 3; i++) {
      h.answer();
      await new Promise((r) => setImmediate(r));
    }
    expect(h.session.state).toBe('main');
    expect(h.session.version).toBe(4);
    expect([...h.session.ports.keys()]).toEqual([1, 2]);
    expect(h.events).toEqual(['up']);
    h.session.close('test over');
  });

  it('negotiates 1.0 with a peer whose HELLO has no bitmap', async () => {
    const h = harness(1);
    h.session.receive(Buffer.from('0100000800000001', 'hex'));
    expect(h.session.version).toBe(1);
    h.session.close('test over');
  });

  it('answers echo requests with the same xid and data', async () => {
    const h = await up(4);
    h.reply({ type: 'echoRequest', data: Buffer.from('ping') }, 0xabc);
    expect(h.sent.at(-1)).toEqual({ xid: 0xabc, msg: { type: 'echoReply', data: Buffer.from('ping') } });
    h.session.close('test over');
  });

  it('assembles multipart replies and fails requests on error and on close', async () => {
    const h = await up(4);
    const p = h.session.requestStats({ kind: 'portDesc' });
    const req = h.sent.at(-1)!;
    h.reply({ type: 'multipartReply', flags: 1, body: { kind: 'portDesc', ports: [port(1)] } }, req.xid);
    h.reply({ type: 'multipartReply', flags: 0, body: { kind: 'portDesc', ports: [port(2)] } }, req.xid);
    expect(await p).toEqual([
      { kind: 'portDesc', ports: [port(1)] },
      { kind: 'portDesc', ports: [port(2)] },
    ]);
    const b = h.session.barrier();
    h.reply({ type: 'error', errType: 1, code: 1, data: Buffer.alloc(0) }, h.sent.at(-1)!.xid);
    await expect(b).rejects.toThrow(/barrier failed: OFPT_ERROR type 1 code 1/);
    const pending = h.session.barrier();
    h.session.close('gone');
    await expect(pending).rejects.toThrow(/connection closed \(gone\)/);
    expect(h.events.at(-1)).toBe('dead: gone');
    expect(h.isDestroyed()).toBe(true);
    expect(h.session.send({ type: 'barrierRequest' })).toBe(false);
  });

  it('fails a request whose multipart reply never ends, and keeps the session', async () => {
    const h = await up(4);
    const p = h.session.requestStats({ kind: 'portDesc' });
    const xid = h.sent.at(-1)!.xid;
    for (let i = 0; i < SESSION_DEFAULTS.maxReplyParts + 5; i++) {
      h.reply({ type: 'multipartReply', flags: 1, body: { kind: 'portDesc', ports: [port(i)] } }, xid);
    }
    await expect(p).rejects.toThrow(/more than 1024 parts/);
    expect(h.session.state).toBe('main');
    expect(h.session.pendingRequests).toBe(0);
    h.session.close('test over');
  });

  it('updates its port table from port-status messages', async () => {
    const h = await up(1);
    h.reply({ type: 'portStatus', reason: 0, port: port(9) }, 0);
    h.reply({ type: 'portStatus', reason: 1, port: port(1) }, 0);
    expect([...h.session.ports.keys()]).toEqual([9]); // 1.0: port 1 came in FEATURES_REPLY
    expect(h.events.filter((e) => e === 'portStatus')).toHaveLength(2);
    h.session.close('test over');
  });

  it('holds packet-ins and flow-removed messages that come before up and hands them on after up, in order', async () => {
    const h = harness(4);
    h.session.receive(encodeMessage(4, 1, helloFor([4])));
    h.reply(packetIn(1), 0); // before FEATURES_REPLY
    h.answer(Buffer.concat([encodeMessage(4, 0, packetIn(2)), encodeMessage(4, 0, FLOW_REMOVED)]));
    h.reply(packetIn(3), 0); // config state
    for (let i = 0; i < 5 && h.session.state !== 'main'; i++) {
      h.answer();
      await turn();
    }
    expect(h.session.state).toBe('main');
    h.reply(packetIn(4), 0);
    expect(h.events).toEqual(['up', 'packetIn 1', 'packetIn 2', 'flowRemoved', 'packetIn 3', 'packetIn 4']);
    h.session.close('test over');
  });

  it('drops what does not fit the hold queue, and what it holds when it dies, and says why', async () => {
    const h = harness(4, { maxHeldMessages: 2 });
    h.session.receive(encodeMessage(4, 1, helloFor([4])));
    for (const p of [1, 2, 3]) h.reply(packetIn(p), 0);
    h.reply(FLOW_REMOVED, 0);
    expect(h.events).toEqual(['dropped packetIn: hold_queue_full', 'dropped flowRemoved: hold_queue_full']);
    h.session.close('gone');
    expect(h.events.slice(2)).toEqual([
      'dropped packetIn: session_dead',
      'dropped packetIn: session_dead',
      'dead: gone',
    ]);
    // And what comes on the connection after that.
    h.reply(packetIn(9), 0);
    expect(h.events.at(-1)).toBe('dropped packetIn: session_dead');
  });

  it('also bounds the bytes it holds', async () => {
    const h = harness(4, { maxHeldBytes: 2 * encodeMessage(4, 0, packetIn(1)).length });
    h.session.receive(encodeMessage(4, 1, helloFor([4])));
    for (const p of [1, 2, 3]) h.reply(packetIn(p), 0);
    expect(h.events).toEqual(['dropped packetIn: hold_queue_full']);
    h.session.close('test over');
  });

  it('handles at most maxMessagesPerTurn per turn, its transport paused while the backlog is over its bound', async () => {
    const h = await up(4, new ReadTurns(), { maxBacklogBytes: 1000 });
    await turn();
    const n = 600;
    h.session.receive(Buffer.concat(Array.from({ length: n }, (_, i) => encodeMessage(4, i, packetIn(1)))));
    const batch = SESSION_DEFAULTS.maxMessagesPerTurn;
    const handled = () => h.events.filter((e) => e === 'packetIn 1').length;
    // What is left of the batch (the handshake used some: a batch lasts until a session waits).
    const first = handled();
    expect(first).toBeGreaterThan(batch - 10);
    expect(first).toBeLessThanOrEqual(batch);
    expect(h.isPaused()).toBe(true);
    // Bytes that come meanwhile wait behind the backlog.
    h.reply(packetIn(2), 0);
    expect(handled()).toBe(first);
    await turn();
    expect(handled()).toBe(first + batch);
    await turn();
    expect(handled()).toBe(n);
    expect(h.events.at(-1)).toBe('packetIn 2');
    expect(h.isPaused()).toBe(false);
    h.session.close('test over');
  });

  it('serves sessions sharing the turns in turn: a busy one does not hold up a quiet one', async () => {
    const turns = new ReadTurns();
    const busy = await up(4, turns);
    const quiet = await up(4, turns);
    await turn();
    const batch = SESSION_DEFAULTS.maxMessagesPerTurn;
    const chunk = (n: number, inPort: number) =>
      Buffer.concat(Array.from({ length: n }, () => encodeMessage(4, 0, packetIn(inPort))));
    busy.session.receive(chunk(3 * batch, 1));
    quiet.session.receive(chunk(5, 2));
    const count = (h: typeof busy) => h.events.filter((e) => e.startsWith('packetIn')).length;
    const first = count(busy);
    expect(first).toBeLessThanOrEqual(batch);
    expect(count(quiet)).toBe(5);
    // More for the quiet one is handled at once; the busy one gets a batch per turn.
    quiet.session.receive(chunk(1, 2));
    expect(count(quiet)).toBe(6);
    await turn();
    expect(count(busy)).toBe(first + batch);
    await turn();
    expect(count(busy)).toBe(first + 2 * batch);
    await turn();
    expect(count(busy)).toBe(3 * batch);
    busy.session.close('test over');
    quiet.session.close('test over');
  });

  it('counts the packet-ins of a backlog it never handled when it dies', async () => {
    const h = await up(4);
    await turn();
    const n = SESSION_DEFAULTS.maxMessagesPerTurn + 10;
    h.session.receive(Buffer.concat(Array.from({ length: n }, () => encodeMessage(4, 0, packetIn(1)))));
    const handled = h.events.filter((e) => e === 'packetIn 1').length;
    expect(handled).toBeLessThan(n);
    h.session.close('gone');
    expect(h.events.filter((e) => e === 'dropped packetIn: session_dead')).toHaveLength(n - handled);
  });

  it('never throws on random or mutated input after the handshake, and ends main or dead', async () => {
    const seeds = [
      encodeMessage(4, 5, { type: 'echoRequest', data: Buffer.from('x') }),
      encodeMessage(4, 6, { type: 'portStatus', reason: 2, port: port(3) }),
      encodeMessage(4, 7, {
        type: 'packetIn',
        bufferId: 1,
        totalLen: 4,
        reason: 0,
        tableId: 0,
        cookie: 0n,
        inPort: 1,
        match: { inPort: 1 },
        data: Buffer.from('abcd'),
      }),
    ];
    const sessions: SwitchSession[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => [Buffer.from(a)]),
          fc
            .tuple(
              fc.constantFrom(...seeds),
              fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
              fc.integer({ min: 1, max: 40 }),
            )
            .map(([seed, flips, cut]) => {
              const b = Buffer.from(seed);
              for (const [i, v] of flips) b[i % b.length] = v;
              return [b.subarray(0, cut), b.subarray(cut)];
            }),
        ),
        async (chunks) => {
          const h = await up(4);
          sessions.push(h.session);
          for (const c of chunks) h.session.receive(c);
          expect(['main', 'dead']).toContain(h.session.state);
          h.session.close('done');
        },
      ),
      { numRuns: 300 },
    );
    expect(sessions.every((s) => s.state === 'dead')).toBe(true);
  });
});
