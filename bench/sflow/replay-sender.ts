// Sends the sFlow datagrams of a capture to 127.0.0.1:PORT at a fixed rate, looping over the capture,
// with the datagram sequence number and agent uptime rewritten (monotonic, as from one live agent) so that
// the receiver can count losses. Prints what it sent.
// Usage: node --import tsx bench/sflow/replay-sender.ts CAPTURE.pcap PORT DATAGRAMS_PER_SECOND SECONDS

import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { readCapture } from '../../src/capture/capture-reader.js';
import { udpDatagramOf } from '../../src/capture/udp-datagrams.js';

const [file, portArg, rateArg, secondsArg] = process.argv.slice(2);
if (!file || !portArg || !rateArg || !secondsArg) {
  console.error('usage: replay-sender CAPTURE.pcap PORT DATAGRAMS_PER_SECOND SECONDS');
  process.exit(2);
}
const payloads: Buffer[] = [];
readCapture(readFileSync(file), (p) => {
  const u = udpDatagramOf(p);
  // only datagrams from an IPv4 agent: their sequence number sits at byte 16, the uptime at 20
  if (u && u.payload.length > 20 && u.payload.readUInt32BE(4) === 1) payloads.push(Buffer.from(u.payload));
});
const port = Number(portArg);
const rate = Number(rateArg);
const total = Math.round(rate * Number(secondsArg));
const socket = createSocket('udp4');
let sent = 0;
let sequence = 0;
const t0 = performance.now();
/** At most this many datagrams back to back: a late timer does not turn into a burst (10 ms worth). */
const maxBurst = Math.max(1, Math.ceil(rate / 100));
const timer = setInterval(() => {
  const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate), sent + maxBurst);
  while (sent < due) {
    const d = payloads[sent % payloads.length]!;
    d.writeUInt32BE(++sequence >>> 0, 16);
    d.writeUInt32BE(Math.floor(performance.now() - t0) >>> 0, 20);
    socket.send(d, port, '127.0.0.1');
    sent++;
  }
  if (sent >= total) {
    clearInterval(timer);
    setTimeout(() => {
      const seconds = (performance.now() - t0) / 1000;
      console.log(
        JSON.stringify({ sent, seconds: Number(seconds.toFixed(3)), rate: Math.round(sent / seconds) }),
      );
      socket.close();
    }, 200);
  }
}, 2);
