// Offered-load test of the collector: a separate process replays a capture over loopback UDP at a fixed
// rate; the collector (this process: socket, decode, accounting) counts what it received and the
// datagram sequence gaps. Reports loss, and CPU time per sample spent in this process. A warm-up run
// (WARMUP seconds at the same rate, not counted) comes first: a collector runs for days, and what matters
// is its steady state, not the first second of a cold JIT.
// Usage: npx tsx bench/sflow/replay-bench.ts CAPTURE.pcap [DATAGRAMS_PER_SECOND] [SECONDS] [WARMUP]

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SflowCollector } from '../../src/sflow/collector.js';

const [file, rateArg = '20000', secondsArg = '10', warmupArg = '3'] = process.argv.slice(2);
if (!file) {
  console.error('usage: replay-bench CAPTURE.pcap [DATAGRAMS_PER_SECOND] [SECONDS]');
  process.exit(2);
}
// per-second timeline of the measured run: datagrams received, and gaps in the sequence numbers seen
let timelineStart = -1;
let lastSequence = 0;
const perSecond: Array<{ received: number; gaps: number }> = [];
const collector = new SflowCollector({
  host: '127.0.0.1',
  port: 0,
  receiveBufferBytes: 16 * 1024 * 1024,
  onDatagram: (buf, _from, now) => {
    if (timelineStart < 0 || buf.length < 20) return;
    const sequence = buf.readUInt32BE(16);
    const slot = (perSecond[Math.floor((now - timelineStart) / 1000)] ??= { received: 0, gaps: 0 });
    slot.received++;
    if (sequence > lastSequence + 1) slot.gaps += sequence - lastSequence - 1;
    lastSequence = Math.max(lastSequence, sequence);
  },
});
const { port } = await collector.start();
const sender = fileURLToPath(new URL('./replay-sender.ts', import.meta.url));
const replay = async (seconds: string) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', sender, file, String(port), rateArg, seconds],
    { timeout: 600_000 },
  );
  await new Promise((r) => setTimeout(r, 500));
  return JSON.parse(stdout.trim()) as { sent: number; seconds: number; rate: number };
};
const c = collector.ingest.counters;
const warm = await replay(warmupArg);
console.log(`warm-up: ${warm.sent} datagrams offered, ${c.datagrams} received (not counted below)`);
const before = {
  datagrams: c.datagrams,
  accepted: c.accepted,
  flow: c.flowSamples,
  counter: c.counterSamples,
  lost: collector.ingest.lostDatagrams(),
};
const cpu0 = process.cpuUsage();
const t0 = performance.now();
timelineStart = Date.now();
const result = await replay(secondsArg);
const cpu = process.cpuUsage(cpu0);
const wall = (performance.now() - t0) / 1000;
const received = c.datagrams - before.datagrams;
const samples = c.flowSamples - before.flow + (c.counterSamples - before.counter);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(`offered: ${result.sent} datagrams in ${result.seconds} s (${result.rate}/s)`);
console.log(
  `received: ${received}, accepted ${c.accepted - before.accepted}, lost ${result.sent - received} (${(((result.sent - received) / result.sent) * 100).toFixed(3)}%); sequence gaps counted by the collector: ${collector.ingest.lostDatagrams() - before.lost}`,
);
console.log(
  `per second (received/lost): ${Array.from(perSecond, (x) => (x ? `${x.received}/${x.gaps}` : '0/0')).join(' ')}`,
);
console.log(
  `samples: ${samples}; collector CPU ${cpuSeconds.toFixed(2)} s over ${wall.toFixed(1)} s wall = ${(samples / cpuSeconds / 1e6).toFixed(2)} M samples per CPU-second (socket + decode + accounting)`,
);
await collector.stop();
