// The floor under any latency figure on this machine: an otherwise idle process runs a 1 ms interval
// timer and counts the times it ran late by more than --threshold ms. Run one per core, beside nothing
// else, to see how often the machine itself holds a process up.
//
//   taskset -c 1 npx tsx bench/balancer/timer-stalls.ts [--seconds 20] [--threshold 2]

import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    threshold: { type: 'string', default: '2' },
  },
});
const threshold = Number(args.threshold);
const stalls = new Float64Array(100_000);
let count = 0;
let last = performance.now();
const timer = setInterval(() => {
  const now = performance.now();
  if (now - last > threshold && count < stalls.length) stalls[count++] = now - last;
  last = now;
}, 1);
setTimeout(
  () => {
    clearInterval(timer);
    const s = stalls.subarray(0, count).sort();
    console.log(
      JSON.stringify({
        seconds: Number(args.seconds),
        thresholdMs: threshold,
        stalls: count,
        totalMs: Number(s.reduce((a, b) => a + b, 0).toFixed(1)),
        maxMs: count > 0 ? Number(s[count - 1]!.toFixed(1)) : 0,
      }),
    );
  },
  Number(args.seconds) * 1000,
);
