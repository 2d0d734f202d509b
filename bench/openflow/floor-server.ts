// The skeleton of the benchmarks' Node.js floors: the least an OpenFlow controller can do in Node with
// Vigil's codec. It frames the stream, decodes each message, answers HELLO and echo requests, and hands
// every packet-in to `answer`, which puts its replies. Replies to one chunk are encoded back to back into
// one buffer and written once. No sessions, no state, no apps.

import { createServer, type Socket } from 'node:net';
import {
  OfStreamDecoder,
  decodeMessage,
  encodeMessage,
  helloFor,
  writeMessage,
  type OfMessage,
  type OfVersion,
  type PacketIn,
} from '../../src/openflow/index.js';

/** Queues one reply (xid chosen by the floor). */
export type Put = (m: OfMessage) => void;

const BATCH_BYTES = 256 * 1024;

function serve(socket: Socket, answer: (m: PacketIn, put: Put) => void): void {
  socket.setNoDelay(true);
  const decoder = new OfStreamDecoder();
  let version: OfVersion = 4;
  let xid = 1;
  socket.write(encodeMessage(4, xid++, helloFor([1, 4])));
  socket.on('error', () => undefined);
  let out = Buffer.allocUnsafe(BATCH_BYTES);
  let used = 0;
  const reply = (m: OfMessage, x: number): void => {
    if (out.length - used < 0x10000) {
      if (used > 0) socket.write(out.subarray(0, used));
      out = Buffer.allocUnsafe(BATCH_BYTES);
      used = 0;
    }
    used += writeMessage(out, used, version, x, m);
  };
  const put: Put = (m) => reply(m, xid++);
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk, (buf, start, end) => {
      const r = decodeMessage(buf, start, end);
      if (!r.ok) return;
      const m = r.msg;
      if (m.type === 'hello') {
        version = (m.versions?.includes(4) ?? r.version >= 4) ? 4 : 1;
        put({ type: 'featuresRequest' });
      } else if (m.type === 'echoRequest') {
        reply({ type: 'echoReply', data: Buffer.from(m.data) }, r.xid);
      } else if (m.type === 'packetIn') {
        answer(m, put);
      }
    });
    if (used > 0) {
      socket.write(out.subarray(0, used));
      out = out.length - used >= 0x10000 ? out.subarray(used) : Buffer.allocUnsafe(BATCH_BYTES);
      used = 0;
    }
  });
}

/** Listens, answering packet-ins with `answer`; prints "listening PORT" once ready. */
export function startFloor(host: string, port: number, answer: (m: PacketIn, put: Put) => void): void {
  const server = createServer({ noDelay: true }, (s) => serve(s, answer));
  server.listen(port, host, () => {
    const a = server.address();
    console.log(`listening ${typeof a === 'object' && a ? a.port : port}`);
  });
}
