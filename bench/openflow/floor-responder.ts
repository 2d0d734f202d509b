// The Node.js floor: the least an OpenFlow controller can do per packet-in in Node with Vigil's codec.
// It frames the stream, decodes each packet-in, reads the Ethernet addresses, and answers with a
// flow-mod of the same shape L2 learning installs. No sessions, no state, no apps.
//
//   tsx bench/openflow/floor-responder.ts --port 6633

import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { readMac } from '../../src/net/mac-address.js';
import {
  OFPFF,
  OfStreamDecoder,
  applyActions,
  decodeMessage,
  encodeMessage,
  flowMod,
  helloFor,
  output,
  writeMessage,
  type OfMessage,
  type OfVersion,
} from '../../src/openflow/index.js';

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '6633' }, host: { type: 'string', default: '127.0.0.1' } },
});

const BATCH_BYTES = 256 * 1024;

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  const decoder = new OfStreamDecoder();
  let version: OfVersion = 4;
  let xid = 1;
  socket.write(encodeMessage(4, xid++, helloFor([1, 4])));
  socket.on('error', () => undefined);
  // Responses to one chunk are encoded back to back into one buffer and written once.
  let out = Buffer.allocUnsafe(BATCH_BYTES);
  let used = 0;
  const put = (m: OfMessage, x: number): void => {
    if (out.length - used < 0x10000) {
      if (used > 0) socket.write(out.subarray(0, used));
      out = Buffer.allocUnsafe(BATCH_BYTES);
      used = 0;
    }
    used += writeMessage(out, used, version, x, m);
  };
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk, (buf, start, end) => {
      const r = decodeMessage(buf, start, end);
      if (!r.ok) return;
      const m = r.msg;
      if (m.type === 'hello') {
        version = (m.versions?.includes(4) ?? r.version >= 4) ? 4 : 1;
        put({ type: 'featuresRequest' }, xid++);
      } else if (m.type === 'echoRequest') {
        put({ type: 'echoReply', data: Buffer.from(m.data) }, r.xid);
      } else if (m.type === 'packetIn') {
        const fm = flowMod({
          priority: 100,
          idleTimeout: 60,
          bufferId: m.bufferId,
          flags: OFPFF.SEND_FLOW_REM,
          match: { inPort: m.inPort, ethSrc: readMac(m.data, 6), ethDst: readMac(m.data, 0) },
          instructions: [applyActions(output(m.inPort === 1 ? 2 : 1))],
        });
        put(fm, xid++);
      }
    });
    if (used > 0) {
      socket.write(out.subarray(0, used));
      out = out.length - used >= 0x10000 ? out.subarray(used) : Buffer.allocUnsafe(BATCH_BYTES);
      used = 0;
    }
  });
}

const server = createServer({ noDelay: true }, serve);
server.listen(Number(args.port), args.host, () => {
  const a = server.address();
  console.log(`listening ${typeof a === 'object' && a ? a.port : args.port}`);
});
