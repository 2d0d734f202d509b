// Runs the OpenFlow benchmark side by side: the Node.js floor responder and Vigil's L2 learning app, each
// pinned to one core (taskset -c 1) with the load generator on the other (taskset -c 0), in throughput
// and latency modes. Prints one JSON line per measurement and a summary.
//
//   npx tsx bench/openflow/run.ts [--seconds 10] [--switches 16] [--version 4] [--rounds 1]

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    switches: { type: 'string', default: '16' },
    version: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '1' },
    port: { type: 'string', default: '16633' },
  },
});

const here = dirname(fileURLToPath(import.meta.url));
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

function command(core: number, file: string, extra: string[]): [string, string[]] {
  const node = [process.execPath, '--import', 'tsx', join(here, file), ...extra];
  return hasTaskset ? ['taskset', ['-c', String(core), ...node]] : [node[0]!, node.slice(1)];
}

function startServer(file: string): Promise<ChildProcess> {
  const [cmd, argv] = command(1, file, ['--port', args.port]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

function generate(mode: string, label: string): Promise<Record<string, number | string>> {
  const extra = [
    '--port',
    args.port,
    '--mode',
    mode,
    '--seconds',
    args.seconds,
    '--switches',
    args.switches,
    '--version',
    args.version,
    '--label',
    label,
  ];
  const [cmd, argv] = command(0, 'load-generator.ts', extra);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, number | string>);
    });
  });
}

const RESPONDERS = [
  ['floor', 'floor-responder.ts'],
  ['vigil-l2', 'vigil-l2-server.ts'],
] as const;

const results: Array<Record<string, number | string>> = [];
for (let round = 0; round < Number(args.rounds); round++) {
  for (const [label, file] of RESPONDERS) {
    for (const mode of ['throughput', 'latency']) {
      const server = await startServer(file);
      try {
        const r = await generate(mode, label);
        console.log(JSON.stringify(r));
        results.push(r);
      } finally {
        server.kill();
        await new Promise((res) => server.once('exit', res));
      }
    }
  }
}

const best = (label: string, mode: string, key: string, pick: (a: number, b: number) => number) =>
  results
    .filter((r) => r.label === label && r.mode === mode)
    .map((r) => Number(r[key]))
    .reduce((a, b) => pick(a, b));
const floorTp = best('floor', 'throughput', 'responsesPerSec', Math.max);
const vigilTp = best('vigil-l2', 'throughput', 'responsesPerSec', Math.max);
const floorP50 = best('floor', 'latency', 'p50Us', Math.min);
const vigilP50 = best('vigil-l2', 'latency', 'p50Us', Math.min);
console.log(
  JSON.stringify({
    summary: true,
    pinned: hasTaskset,
    floorResponsesPerSec: floorTp,
    vigilL2ResponsesPerSec: vigilTp,
    throughputRatio: Number((vigilTp / floorTp).toFixed(3)),
    floorP50Us: floorP50,
    vigilL2P50Us: vigilP50,
    latencyRatio: Number((vigilP50 / floorP50).toFixed(3)),
  }),
);
