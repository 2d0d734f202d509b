import { createServer, connect, type Socket, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketTransport } from '../../src/controller/socket-transport.js';
import {
  OfStreamDecoder,
  decodeMessage,
  flowMod,
  packetOut,
  output,
  applyActions,
  type OfMessage,
} from '../../src/openflow/index.js';

async function pair(): Promise<{ server: Socket; client: Socket; close: () => void }> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const accepted = new Promise<Socket>((r) => srv.once('connection', r));
  const client = connect((srv.address() as AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  return {
    server,
    client,
    close: () => {
      client.destroy();
      server.destroy();
      srv.close();
    },
  };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('socket transport', () => {
  it('delivers every message in order when one turn sends more than a batch holds', async () => {
    const p = await pair();
    cleanup = p.close;
    const t = new SocketTransport(p.server, 64 * 1024 * 1024, () => {
      throw new Error('unexpected overflow');
    });
    const got: Array<{ xid: number; msg: OfMessage }> = [];
    const dec = new OfStreamDecoder();
    p.client.on('data', (c: Buffer) =>
      dec.push(c, (b, s, e) => {
        const r = decodeMessage(b, s, e);
        if (!r.ok) throw new Error(r.error.message);
        got.push({ xid: r.xid, msg: r.msg });
      }),
    );
    const big = Buffer.alloc(60_000, 7);
    const N = 5000;
    for (let i = 0; i < N; i++) {
      if (i % 1000 === 999) t.send(4, i, packetOut({ actions: [output(1)], data: big }));
      else
        t.send(
          4,
          i,
          flowMod({ cookie: BigInt(i), match: { inPort: i % 50 }, instructions: [applyActions(output(2))] }),
        );
    }
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`only ${got.length} of ${N} messages arrived`)),
        10_000,
      );
      const check = setInterval(() => {
        if (got.length === N) {
          clearInterval(check);
          clearTimeout(deadline);
          resolve();
        }
      }, 10);
    });
    expect(got.map((g) => g.xid)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(got[5]!.msg).toMatchObject({ type: 'flowMod', cookie: 5n, match: { inPort: 5 } });
    expect((got[999]!.msg as { data: Buffer }).data.equals(big)).toBe(true);
  });

  it('reports a peer that does not read once the queue passes the limit', async () => {
    const p = await pair();
    cleanup = p.close;
    p.client.pause();
    let overflowed = 0;
    const t = new SocketTransport(p.server, 1024 * 1024, () => overflowed++);
    const big = Buffer.alloc(60_000);
    for (let round = 0; round < 200 && overflowed === 0; round++) {
      for (let i = 0; i < 10; i++) t.send(4, i, packetOut({ actions: [output(1)], data: big }));
      await new Promise((r) => setImmediate(r));
    }
    expect(overflowed).toBeGreaterThan(0);
    expect(p.server.writableLength).toBeGreaterThan(1024 * 1024);
  });

  it('throws encoding errors to the caller and keeps the batch usable', async () => {
    const p = await pair();
    cleanup = p.close;
    const t = new SocketTransport(p.server, 1 << 20, () => undefined);
    // OpenFlow 1.0 cannot express an IPv6 match.
    expect(() => t.send(1, 1, flowMod({ match: { ethType: 0x86dd, ipv6Src: Buffer.alloc(16) } }))).toThrow();
    const got: OfMessage[] = [];
    const dec = new OfStreamDecoder();
    p.client.on('data', (c: Buffer) =>
      dec.push(c, (b, s, e) => {
        const r = decodeMessage(b, s, e);
        if (r.ok) got.push(r.msg);
      }),
    );
    t.send(1, 2, { type: 'barrierRequest' });
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([{ type: 'barrierRequest' }]);
  });
});
