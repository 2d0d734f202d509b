// The client against a scripted fake daemon: handshake, serials, split frames, errors, timeouts,
// garbage, stalls, events, keepalive, transports.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LibvirtClient } from '../../src/libvirt/client.js';
import {
  CONNECT_RO,
  KEEPALIVE_PROC_PING,
  KEEPALIVE_PROC_PONG,
  KEEPALIVE_PROGRAM,
  MessageType,
  Procedure,
} from '../../src/libvirt/constants.js';
import {
  LibvirtConnectionError,
  LibvirtError,
  LibvirtProtocolError,
  LibvirtTimeoutError,
} from '../../src/libvirt/errors.js';
import { writeLifecycleEvent } from '../../src/libvirt/lifecycle-event.js';
import { writeGetAllDomainStatsRet, type DomainStatsRecord } from '../../src/libvirt/procedures.js';
import type { LifecycleEvent } from '../../src/libvirt/lifecycle-event.js';
import { encodeMessage } from '../../src/libvirt/message.js';
import { XdrReader } from '../../src/xdr/reader.js';
import {
  FakeDaemon,
  withHandshake,
  type FakeConnection,
  type Handler,
  type Received,
} from '../../src/lab/host/fake-libvirtd.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const daemons: FakeDaemon[] = [];
const clients: LibvirtClient[] = [];

async function daemon(handler: Handler, opts?: Parameters<typeof FakeDaemon.start>[1]): Promise<FakeDaemon> {
  const d = await FakeDaemon.start(handler, opts);
  daemons.push(d);
  return d;
}

async function connect(
  d: FakeDaemon,
  opts: Parameters<typeof LibvirtClient.connect>[1] = {},
): Promise<LibvirtClient> {
  const c = await LibvirtClient.connect('test+unix:///default', {
    socketPath: d.path,
    keepalive: false,
    ...opts,
  });
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close(100);
  for (const d of daemons.splice(0)) await d.stop();
});

function hostnameReply(name: string) {
  return (msg: Received, conn: FakeConnection): void => {
    if (msg.header.procedure === Procedure.CONNECT_GET_HOSTNAME)
      conn.reply(msg.header, (w) => w.string(name));
  };
}

describe('handshake', () => {
  it('asks AUTH_LIST, the keepalive feature, then CONNECT_OPEN with the URI name and the read-only flag', async () => {
    const d = await daemon(withHandshake(() => {}));
    const c = await connect(d, { keepalive: { intervalMs: 60_000 } });
    const calls = d.connections[0]!.received.filter((m) => m.header.type === MessageType.CALL);
    expect(calls.map((m) => m.header.procedure)).toEqual([
      Procedure.AUTH_LIST,
      Procedure.CONNECT_SUPPORTS_FEATURE,
      Procedure.CONNECT_OPEN,
    ]);
    const open = new XdrReader(calls[2]!.body);
    expect(open.bool()).toBe(true);
    expect(open.string()).toBe('test:///default');
    expect(open.uint32()).toBe(CONNECT_RO);
    expect(c.keepaliveSupported).toBe(true);
    expect(c.isOpen).toBe(true);
    // Serials are distinct and increasing.
    const serials = calls.map((m) => m.header.serial);
    expect(new Set(serials).size).toBe(3);
    expect([...serials].sort((a, b) => a - b)).toEqual(serials);
  });

  it('opens read-write when asked (flags 0)', async () => {
    const d = await daemon(withHandshake(() => {}));
    await connect(d, { readOnly: false });
    const open = d.connections[0]!.received.find((m) => m.header.procedure === Procedure.CONNECT_OPEN)!;
    const r = new XdrReader(open.body);
    r.bool();
    r.string();
    expect(r.uint32()).toBe(0);
  });

  it('refuses a daemon that demands SASL, with a clear error', async () => {
    const d = await daemon(withHandshake(() => {}, { auth: [1] }));
    await expect(connect(d)).rejects.toThrow(/requires authentication \(sasl\)/);
  });

  it('fails cleanly when nothing listens', async () => {
    await expect(
      LibvirtClient.connect('test+unix:///default', { socketPath: join(tmpdir(), 'vmon-nothing-here.sock') }),
    ).rejects.toBeInstanceOf(LibvirtConnectionError);
  });

  it('gives up on a daemon that accepts but never answers, within the connect timeout', async () => {
    const d = await daemon(() => {});
    const t0 = Date.now();
    await expect(connect(d, { connectTimeoutMs: 300 })).rejects.toBeInstanceOf(LibvirtTimeoutError);
    expect(Date.now() - t0).toBeLessThan(1500);
    await sleep(50);
    expect(d.connections[0]!.socket.destroyed).toBe(true);
  });
});

describe('calls', () => {
  it('matches replies to calls by serial, whatever their order', async () => {
    const held: Received[] = [];
    let conn: FakeConnection | null = null;
    const d = await daemon(
      withHandshake((msg, c) => {
        conn = c;
        held.push(msg);
        if (held.length === 20) {
          // Answer in reverse, each with its own serial in the hostname.
          for (const m of held.reverse()) c.reply(m.header, (w) => w.string(`host-${m.header.serial}`));
        }
      }),
    );
    const c = await connect(d);
    const results = await Promise.all(Array.from({ length: 20 }, () => c.getHostname()));
    expect(conn).not.toBeNull();
    const serials = held.map((m) => m.header.serial).reverse();
    expect(results).toEqual(serials.map((s) => `host-${s}`));
  });

  it('reassembles a reply that arrives one byte at a time', async () => {
    const d = await daemon(
      withHandshake((msg, conn) => {
        const bytes = encodeMessage({ ...msg.header, type: MessageType.REPLY, status: 0 }, (w) =>
          w.string('vmon-split'),
        );
        void (async () => {
          for (const b of bytes) {
            conn.raw(Buffer.from([b]));
            await sleep(1);
          }
        })();
      }),
    );
    const c = await connect(d);
    expect(await c.getHostname()).toBe('vmon-split');
  });

  it('rejects with the daemon error (code, message, procedure) and stays usable', async () => {
    const d = await daemon(
      withHandshake((msg, conn) => {
        if (msg.header.procedure === Procedure.DOMAIN_GET_XML_DESC)
          conn.replyError(msg.header, 42, 'Domain not found: vmon-x');
        else hostnameReply('after-error')(msg, conn);
      }),
    );
    const c = await connect(d);
    const err = await c
      .getDomainXml({ name: 'vmon-x', uuid: '7a6d6f6e-0000-4000-8000-000000000000', id: -1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect(err).toMatchObject({
      code: 42,
      level: 2,
      procedure: Procedure.DOMAIN_GET_XML_DESC,
      message: 'Domain not found: vmon-x',
    });
    expect(await c.getHostname()).toBe('after-error');
  });

  it('times a call out, drops its late reply, and keeps the connection', async () => {
    let first: Received | null = null;
    const d = await daemon(
      withHandshake((msg, conn) => {
        if (!first) {
          first = msg;
          return; // stall
        }
        // The late reply to the first call comes before the reply to this one.
        conn.reply(first.header, (w) => w.string('late'));
        conn.reply(msg.header, (w) => w.string('second'));
      }),
    );
    const c = await connect(d);
    const t0 = Date.now();
    const err = await c.getHostname({ timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtTimeoutError);
    expect((err as LibvirtTimeoutError).procedure).toBe(Procedure.CONNECT_GET_HOSTNAME);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(c.pendingCalls).toBe(0);
    expect(await c.getHostname()).toBe('second');
    expect(c.isOpen).toBe(true);
  });

  it('decodes a long stats reply in slices, yielding to the event loop between them', async () => {
    const records: DomainStatsRecord[] = Array.from({ length: 2000 }, (_, i) => ({
      domain: {
        name: `vmon-${i}`,
        uuid: `7a6d6f6e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
        id: i + 1,
      },
      params: [
        { field: 'state.state', type: 1, value: 1 },
        { field: 'cpu.time', type: 4, value: 1e9 + i },
        { field: 'net.0.name', type: 7, value: `vnet${i}` },
      ],
    }));
    const d = await daemon(
      withHandshake((msg, conn) => conn.reply(msg.header, (w) => writeGetAllDomainStatsRet(w, records))),
    );
    const c = await connect(d);
    const spy = vi.spyOn(globalThis, 'setImmediate');
    try {
      const got = await c.getAllDomainStats({ sliceMs: 0 });
      const yields = spy.mock.calls.length;
      expect(got).toEqual(records);
      // sliceMs 0: one yield per step of 16 records.
      expect(yields).toBeGreaterThanOrEqual(2000 / 16 - 1);
      spy.mockClear();
      expect(await c.getAllDomainStats({ sliceMs: 60_000 })).toEqual(records);
      expect(spy.mock.calls.length).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects a reply body that does not decode, and stays usable', async () => {
    let n = 0;
    const d = await daemon(
      withHandshake((msg, conn) => {
        if (n++ === 0)
          conn.reply(msg.header, (w) => w.uint32(1000)); // string length with no bytes behind it
        else conn.reply(msg.header, (w) => w.string('fine'));
      }),
    );
    const c = await connect(d);
    const err = await c.getHostname().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtProtocolError);
    expect((err as LibvirtProtocolError).kind).toBe('body');
    expect(await c.getHostname()).toBe('fine');
  });

  it('rejects a reply that names another procedure', async () => {
    const d = await daemon(
      withHandshake((msg, conn) =>
        conn.reply({ ...msg.header, procedure: Procedure.CONNECT_GET_LIB_VERSION }, (w) => w.uint64(1)),
      ),
    );
    const c = await connect(d);
    const err = await c.getHostname().catch((e: unknown) => e);
    expect((err as LibvirtProtocolError).kind).toBe('unexpected');
  });

  it('closes cleanly on garbage framing: calls fail with a typed error, close is emitted once', async () => {
    const d = await daemon(
      withHandshake((_msg, conn) => conn.raw(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))),
    );
    const c = await connect(d);
    const closes: (Error | null)[] = [];
    c.on('close', ({ error }) => closes.push(error));
    const err = await c.getHostname().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtProtocolError);
    expect((err as LibvirtProtocolError).kind).toBe('frame-length');
    expect(c.isOpen).toBe(false);
    await sleep(20);
    expect(closes).toHaveLength(1);
    expect(closes[0]).toBe(err);
    await expect(c.getHostname()).rejects.toBeInstanceOf(LibvirtConnectionError);
  });

  it('refuses a reply larger than maxMessageBytes', async () => {
    const d = await daemon(
      withHandshake((msg, conn) => conn.reply(msg.header, (w) => w.string('x'.repeat(5000)))),
    );
    const c = await connect(d, { maxMessageBytes: 4096 });
    const err = await c.getHostname().catch((e: unknown) => e);
    expect((err as LibvirtProtocolError).kind).toBe('frame-length');
  });

  it('fails pending calls and emits close when the daemon goes away (a restart)', async () => {
    const d = await daemon(withHandshake(() => {}));
    const c = await connect(d);
    const closed = new Promise<Error | null>((r) => c.once('close', ({ error }) => r(error)));
    const pending = c.getHostname().catch((e: unknown) => e);
    await sleep(20);
    d.dropClients();
    expect(await pending).toBeInstanceOf(LibvirtConnectionError);
    expect(await closed).toBeInstanceOf(LibvirtConnectionError);
  });

  it('close() sends CONNECT_CLOSE and reports a clean close', async () => {
    const d = await daemon(withHandshake(() => {}));
    const c = await connect(d);
    const closed = new Promise<Error | null>((r) => c.once('close', ({ error }) => r(error)));
    await c.close();
    expect(await closed).toBeNull();
    expect(d.connections[0]!.received.some((m) => m.header.procedure === Procedure.CONNECT_CLOSE)).toBe(true);
    await expect(c.getHostname()).rejects.toBeInstanceOf(LibvirtConnectionError);
  });
});

describe('events', () => {
  const domain = { name: 'vmon-ev', uuid: '7a6d6f6e-0000-4000-8000-0000000000e1', id: 3 };

  it('routes lifecycle messages to "lifecycle" and others to "message"; bad ones are dropped', async () => {
    let conn: FakeConnection | null = null;
    const d = await daemon(
      withHandshake((msg, c) => {
        conn = c;
        if (msg.header.procedure === Procedure.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY)
          c.reply(msg.header, (w) => w.int32(7));
        else hostnameReply('still-here')(msg, c);
      }),
    );
    const c = await connect(d);
    const lifecycle: LifecycleEvent[] = [];
    const other: number[] = [];
    c.on('lifecycle', (e) => lifecycle.push(e));
    c.on('message', (p) => other.push(p));
    expect(await c.registerLifecycleEvents()).toBe(7);
    conn!.event(Procedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE, (w) => w.int32(1)); // truncated: dropped
    conn!.event(Procedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE, (w) =>
      writeLifecycleEvent(w, { callbackId: 7, domain, event: 5, detail: 1 }),
    );
    conn!.event(400, (w) => w.int32(0));
    expect(await c.getHostname()).toBe('still-here');
    expect(lifecycle).toEqual([{ callbackId: 7, domain, event: 5, detail: 1, name: 'stopped' }]);
    expect(other).toEqual([400]);
  });

  it('a listener that throws does not break the connection', async () => {
    let conn: FakeConnection | null = null;
    const d = await daemon(withHandshake((msg, c) => hostnameReply('ok')(msg, c)));
    const c = await connect(d);
    conn = d.connections[0]!;
    c.on('lifecycle', () => {
      throw new Error('listener bug');
    });
    conn.event(Procedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE, (w) =>
      writeLifecycleEvent(w, { callbackId: 1, domain, event: 2, detail: 0 }),
    );
    expect(await c.getHostname()).toBe('ok');
  });
});

describe('keepalive', () => {
  it('answers the daemon PING with a PONG', async () => {
    const d = await daemon(withHandshake(() => {}));
    await connect(d);
    const conn = d.connections[0]!;
    conn.keepalive(KEEPALIVE_PROC_PING);
    await sleep(50);
    const pong = conn.received.find((m) => m.header.program === KEEPALIVE_PROGRAM);
    expect(pong?.header).toMatchObject({
      procedure: KEEPALIVE_PROC_PONG,
      type: MessageType.MESSAGE,
      version: 1,
    });
  });

  it('pings a silent daemon and declares it dead after count unanswered pings', async () => {
    const d = await daemon(withHandshake(() => {}));
    const c = await connect(d, { keepalive: { intervalMs: 80, count: 3 } });
    const t0 = Date.now();
    const error = await new Promise<Error | null>((r) => c.once('close', ({ error }) => r(error)));
    const elapsed = Date.now() - t0;
    expect(error).toBeInstanceOf(LibvirtConnectionError);
    expect(error!.message).toMatch(/keepalive/);
    expect(elapsed).toBeGreaterThanOrEqual(80 * 4 - 20);
    expect(elapsed).toBeLessThan(80 * 4 + 1500);
    const pings = d.connections[0]!.received.filter(
      (m) => m.header.program === KEEPALIVE_PROGRAM && m.header.procedure === KEEPALIVE_PROC_PING,
    );
    expect(pings).toHaveLength(3);
  });

  it('stays up while the daemon answers its pings', async () => {
    const d = await daemon(
      withHandshake((msg, conn) => {
        if (msg.header.program === KEEPALIVE_PROGRAM && msg.header.procedure === KEEPALIVE_PROC_PING)
          conn.keepalive(KEEPALIVE_PROC_PONG);
      }),
    );
    const c = await connect(d, { keepalive: { intervalMs: 50, count: 2 } });
    await sleep(500);
    expect(c.isOpen).toBe(true);
    const pings = d.connections[0]!.received.filter((m) => m.header.program === KEEPALIVE_PROGRAM);
    expect(pings.length).toBeGreaterThanOrEqual(5);
  });

  it('does not ping a daemon that lacks the keepalive program', async () => {
    const d = await daemon(withHandshake(() => {}, { keepalive: false }));
    const c = await connect(d, { keepalive: { intervalMs: 40, count: 1 } });
    await sleep(200);
    expect(c.keepaliveSupported).toBe(false);
    expect(c.isOpen).toBe(true);
    expect(d.connections[0]!.received.some((m) => m.header.program === KEEPALIVE_PROGRAM)).toBe(false);
  });
});

describe('transports', () => {
  let pki: string;
  beforeAll(() => {
    pki = mkdtempSync(join(tmpdir(), 'vmon-pki-'));
    // A CA and a server certificate for 127.0.0.1 (openssl is part of every Debian install).
    const ossl = (...args: string[]): void => {
      execFileSync('openssl', args, { stdio: 'ignore' });
    };
    ossl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(pki, 'ca.key'),
      '-out',
      join(pki, 'cacert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=vmon-ca',
    );
    ossl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(pki, 'server.key'),
      '-out',
      join(pki, 'server.csr'),
      '-subj',
      '/CN=127.0.0.1',
    );
    execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > ${join(pki, 'ext.cnf')}`]);
    ossl(
      'x509',
      '-req',
      '-in',
      join(pki, 'server.csr'),
      '-CA',
      join(pki, 'cacert.pem'),
      '-CAkey',
      join(pki, 'ca.key'),
      '-CAcreateserial',
      '-out',
      join(pki, 'server.pem'),
      '-days',
      '1',
      '-extfile',
      join(pki, 'ext.cnf'),
    );
  });
  afterAll(() => rmSync(pki, { recursive: true, force: true }));

  const serverTls = () => ({
    key: readFileSync(join(pki, 'server.key')),
    cert: readFileSync(join(pki, 'server.pem')),
  });

  it('speaks over TCP', async () => {
    const d = await daemon(withHandshake(hostnameReply('over-tcp')), { transport: 'tcp' });
    const c = await LibvirtClient.connect(`test+tcp://127.0.0.1:${d.address.port}/default`, {
      keepalive: false,
    });
    clients.push(c);
    expect(await c.getHostname()).toBe('over-tcp');
  });

  it('speaks over TLS after the server confirmation byte, verifying the server against pkipath', async () => {
    const d = await daemon(withHandshake(hostnameReply('over-tls')), { transport: 'tls', tls: serverTls() });
    const c = await LibvirtClient.connect(`test+tls://127.0.0.1:${d.address.port}/default?pkipath=${pki}`, {
      keepalive: false,
    });
    clients.push(c);
    expect(await c.getHostname()).toBe('over-tls');
  });

  it('refuses a TLS server that rejects our certificate (confirmation byte 0)', async () => {
    const d = await daemon(
      withHandshake(() => {}),
      { transport: 'tls', tls: serverTls(), tlsConfirmation: 0 },
    );
    await expect(
      LibvirtClient.connect(`test+tls://127.0.0.1:${d.address.port}/default?pkipath=${pki}`, {
        keepalive: false,
      }),
    ).rejects.toThrow(/server verification/);
  });

  it('refuses a TLS server whose certificate does not verify', async () => {
    const d = await daemon(
      withHandshake(() => {}),
      { transport: 'tls', tls: serverTls() },
    );
    await expect(
      LibvirtClient.connect(`test+tls://127.0.0.1:${d.address.port}/default`, {
        keepalive: false,
        tls: { ca: readFileSync(join(pki, 'server.pem')) },
      }),
    ).rejects.toBeInstanceOf(LibvirtConnectionError);
  });
});

describe('hostile peers', () => {
  it('random bytes, and well-framed replies with random headers and bodies: the call settles with a value or a typed error', async () => {
    const fc = (await import('fast-check')).default;
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => {
      uncaught.push(e);
    };
    process.on('uncaughtException', onUncaught);
    // What the fake daemon sends back to the call: raw bytes, or a framed message built on the call's own
    // header with some fields replaced.
    const arbAnswer = fc.oneof(
      fc.record({
        kind: fc.constant('raw' as const),
        bytes: fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 6 }),
      }),
      fc.record({
        kind: fc.constant('framed' as const),
        type: fc.option(fc.integer({ min: -1, max: 6 })),
        status: fc.option(fc.integer({ min: -1, max: 3 })),
        procedure: fc.option(fc.integer({ min: 0, max: 400 })),
        serialDelta: fc.option(fc.integer({ min: -2, max: 2 })),
        body: fc.uint8Array({ maxLength: 96 }),
        split: fc.nat(),
      }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(arbAnswer, async (answer) => {
          const d = await daemon(
            withHandshake((msg, conn) => {
              if (answer.kind === 'raw') {
                for (const c of answer.bytes) conn.raw(Buffer.from(c));
                return;
              }
              const h = msg.header;
              const bytes = encodeMessage(
                {
                  ...h,
                  type: answer.type ?? MessageType.REPLY,
                  status: answer.status ?? 0,
                  procedure: answer.procedure ?? h.procedure,
                  serial: (h.serial + (answer.serialDelta ?? 0)) >>> 0,
                },
                (w) => w.fixedOpaque(answer.body),
              );
              const at = answer.split % (bytes.length + 1);
              conn.raw(bytes.subarray(0, at));
              conn.raw(bytes.subarray(at));
            }),
          );
          const c = await connect(d, { callTimeoutMs: 150 });
          const outcome = await c.getHostname().then(
            (v) => v,
            (e: unknown) => e,
          );
          const typed =
            typeof outcome === 'string' ||
            outcome instanceof LibvirtProtocolError ||
            outcome instanceof LibvirtTimeoutError ||
            outcome instanceof LibvirtConnectionError ||
            outcome instanceof LibvirtError;
          expect(typed, String(outcome)).toBe(true);
          await c.close(50);
          await d.stop();
          daemons.splice(daemons.indexOf(d), 1);
        }),
        { numRuns: 40 },
      );
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('emits "error" only to listeners, so an unlistened failure cannot crash the process', async () => {
    const d = await daemon(withHandshake(() => {}));
    const quiet = await connect(d);
    const loud = await connect(d);
    const errors: Error[] = [];
    loud.on('error', (e) => errors.push(e));
    const closes = [quiet, loud].map(
      (c) => new Promise<Error | null>((r) => c.once('close', ({ error }) => r(error))),
    );
    d.dropClients();
    const [q, l] = await Promise.all(closes);
    expect(q).toBeInstanceOf(LibvirtConnectionError);
    expect(l).toBeInstanceOf(LibvirtConnectionError);
    expect(errors).toEqual([l]);
  });

  it('a close listener that throws does not escape into the socket', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => {
      uncaught.push(e);
    };
    process.on('uncaughtException', onUncaught);
    try {
      const d = await daemon(withHandshake(() => {}));
      const c = await connect(d);
      let called = false;
      c.on('close', () => {
        called = true;
        throw new Error('listener bug');
      });
      d.dropClients();
      await sleep(50);
      expect(called).toBe(true);
      expect(c.isOpen).toBe(false);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('bounds the calls in flight', async () => {
    const d = await daemon(withHandshake(() => {}));
    const c = await connect(d, { maxPendingCalls: 3, callTimeoutMs: 200 });
    const calls = Array.from({ length: 4 }, () => c.getHostname().catch((e: unknown) => e));
    const results = await Promise.all(calls);
    expect(results.slice(0, 3).every((e) => e instanceof LibvirtTimeoutError)).toBe(true);
    expect(results[3]).toBeInstanceOf(LibvirtConnectionError);
    expect((results[3] as Error).message).toMatch(/3 calls in flight/);
    expect(c.isOpen).toBe(true);
  });
});
