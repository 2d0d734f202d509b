import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SESSION_DEFAULTS,
  SwitchSession,
  type SessionHandlers,
  type Transport,
} from '../../src/controller/switch-session.js';
import {
  decodeMessage,
  encodeMessage,
  helloFor,
  type OfMessage,
  type OfVersion,
} from '../../src/openflow/index.js';
import { memoryLogger, port } from './fake-switch.js';

/** A session on an in-memory transport, with a scripted switch answering the handshake. */
function harness(version: OfVersion) {
  const sent: Array<{ xid: number; msg: OfMessage }> = [];
  let destroyed = false;
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
  };
  const handlers: SessionHandlers = {
    up: () => void events.push('up'),
    dead: (_s, reason) => void events.push(`dead: ${reason}`),
    message: (_s, m) => void events.push(m.type),
  };
  const { log } = memoryLogger();
  const session = new SwitchSession(
    transport,
    'test',
    { ...SESSION_DEFAULTS, echoIntervalMs: 60_000 },
    handlers,
    log,
  );
  const reply = (msg: OfMessage, xid: number) => session.receive(encodeMessage(version, xid, msg));
  /** Answers everything the session asked so far, as a switch would. */
  const answer = (): void => {
    for (const { xid, msg } of sent.splice(0)) {
      if (msg.type === 'featuresRequest') {
        reply(
          {
            type: 'featuresReply',
            datapathId: 42n,
            nBuffers: 0,
            nTables: 1,
            auxiliaryId: 0,
            capabilities: 0,
            actions: 0,
            ports: version === 1 ? [port(1)] : [],
          },
          xid,
        );
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
  return { session, sent, events, reply, answer, isDestroyed: () => destroyed };
}

async function up(version: OfVersion) {
  const h = harness(version);
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
