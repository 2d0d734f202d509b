// Decode + accounting throughput on one core, from a capture file held in memory.
// Usage: npx tsx bench/sflow/decode-bench.ts CAPTURE.pcap [SECONDS_PER_MODE] [ROUNDS]
// With SFLOWTOOL=/path/to/sflowtool in the environment, the C reference decoder reads the same capture
// (`sflowtool -r CAPTURE`, text output to /dev/null) in the same run, for the ratio.
// Modes: a raw datagram walk (lengths only: the floor any decoder pays), the walker + accounting (the
// collector's hot path), and the full-object decoder (the `sflow decode` path). The modes take turns for
// ROUNDS rounds, so that load from other processes falls on all of them alike; best and median are shown.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readCapture } from '../../src/capture/capture-reader.js';
import { udpDatagramOf } from '../../src/capture/udp-datagrams.js';
import { decodeDatagram } from '../../src/sflow/datagram.js';
import { SflowIngest } from '../../src/sflow/sflow-ingest.js';

const [file, secondsArg = '2', roundsArg = '5'] = process.argv.slice(2);
if (!file) {
  console.error('usage: decode-bench CAPTURE.pcap [SECONDS_PER_MODE]');
  process.exit(2);
}
const seconds = Number(secondsArg);
const rounds = Number(roundsArg);
const payloads: Buffer[] = [];
const summary = readCapture(readFileSync(file), (p) => {
  const u = udpDatagramOf(p);
  if (u) payloads.push(Buffer.from(u.payload));
});
if (summary.error) throw new Error(summary.error);

function countSamples(): { samples: number; flow: number } {
  let samples = 0;
  let flow = 0;
  for (const p of payloads) {
    const r = decodeDatagram(p);
    if (!r.ok) throw new Error(`capture datagram rejected: ${r.error.message}`);
    samples += r.datagram.samples.length;
    flow += r.datagram.samples.filter((s) => s.kind === 'flow').length;
  }
  return { samples, flow };
}
const { samples: samplesPerPass, flow: flowPerPass } = countSamples();

/** A datagram walk that only follows lengths: version, agent, samples by tag/length. */
function rawWalk(b: Buffer): number {
  let p = 4;
  const t = b.readUInt32BE(p);
  p += t === 1 ? 8 : t === 2 ? 20 : 4;
  p += 12;
  const n = b.readUInt32BE(p);
  p += 4;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const len = b.readUInt32BE(p + 4);
    if (b.readUInt32BE(p) === 1) seen += b.readUInt32BE(p + 16); // sampling rate
    p += 8 + len;
  }
  return seen;
}

/** Samples per second of wall time, and per second of this process's CPU time (what load cannot steal). */
function measure(pass: () => void): { wall: number; cpu: number } {
  let passes = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < seconds) {
    pass();
    passes++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  const c = process.cpuUsage(c0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  return { wall: (passes * samplesPerPass) / elapsed, cpu: (passes * samplesPerPass) / cpuSeconds };
}

console.log(
  `capture: ${payloads.length} datagrams, ${samplesPerPass} samples (${flowPerPass} flow) per pass; node ${process.version}`,
);
let sink = 0;
const ingest = new SflowIngest();
let now = Date.now();
const modes: Array<[string, () => void]> = [
  [
    'raw datagram walk (lengths only)',
    () => {
      for (const p of payloads) sink += rawWalk(p);
    },
  ],
  [
    'walker + accounting (collector)',
    () => {
      for (const p of payloads) {
        if (ingest.ingest(p, now) !== undefined) throw new Error('rejected');
        now += 0.05;
      }
    },
  ],
  [
    'full objects (sflow decode)',
    () => {
      for (const p of payloads) if (!decodeDatagram(p).ok) throw new Error('rejected');
    },
  ],
];
for (const [, pass] of modes) pass(); // warm up
const results = modes.map(() => [] as Array<{ wall: number; cpu: number }>);
for (let r = 0; r < rounds; r++) modes.forEach(([, pass], i) => results[i]!.push(measure(pass)));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const m = (x: number) => (x / 1e6).toFixed(3);
modes.forEach(([name], i) => {
  const wall = results[i]!.map((x) => x.wall);
  const cpu = results[i]!.map((x) => x.cpu);
  console.log(
    `${name.padEnd(34)} wall: best ${m(Math.max(...wall))} median ${m(median(wall))}; per CPU-second: median ${m(median(cpu))} M samples/s`,
  );
});
const hot = Math.max(...results[1]!.map((x) => x.wall));
const hotCpu = median(results[1]!.map((x) => x.cpu));
const sizes = ingest.accounting.sizes();
console.log(`accounting tables: ${sizes.ports} ports, ${sizes.macs} MACs, ${sizes.flows} flows`);
console.log(
  `target >= 1,000,000 samples/s decoded and accounted: best wall-clock round ${m(hot)} M, median per CPU-second ${m(hotCpu)} M: ${hotCpu >= 1e6 ? 'met' : 'NOT met'}`,
);

/** CPU seconds used by this process's finished children (Linux /proc/self/stat: cutime, cstime). */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const sflowtool = process.env.SFLOWTOOL;
if (sflowtool) {
  for (const args of [
    ['-r', file],
    ['-r', file, '-l'],
  ]) {
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const c0 = childCpuSeconds();
      const t0 = performance.now();
      const res = spawnSync(sflowtool, args, { stdio: ['ignore', 'ignore', 'ignore'] });
      if (res.status !== 0) throw new Error(`sflowtool exited with ${res.status}`);
      walls.push(samplesPerPass / ((performance.now() - t0) / 1000));
      cpus.push(samplesPerPass / Math.max(0.01, childCpuSeconds() - c0));
    }
    const name = `sflowtool ${args.slice(2).join(' ') || '(text)'}`;
    console.log(
      `${name.padEnd(34)} wall: best ${m(Math.max(...walls))} median ${m(median(walls))}; per CPU-second: median ${m(median(cpus))} M samples/s`,
    );
    console.log(
      `  ratio, walker + accounting / ${name}, per CPU-second: ${(hotCpu / median(cpus)).toFixed(1)}x`,
    );
  }
}
if (sink === 0.5) console.log(sink);
