// Runs the OpenFlow benchmark side by side: the Node.js floor responder and Vigil's L2 learning app, each
// pinned to one core (taskset -c 1) with the load generator on the other (taskset -c 0), in throughput
// mode (a window of packet-ins outstanding per switch) and latency mode (one outstanding per switch),
// with --switches switches in both. Prints one JSON line per measurement and a summary: answers/s of
// each beside the floor, and Vigil's worst switch against its mean.
//
//   npx tsx bench/openflow/run.ts [--seconds 10] [--switches 16] [--version 4] [--rounds 1] [--unbounded]

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
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
    // Also measure Vigil with no bound on the messages one switch has handled per turn.
    unbounded: { type: 'boolean', default: false },
  },
});

const here = dirname(fileURLToPath(import.meta.url));
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

function command(core: number, file: string, extra: string[]): [string, string[]] {
  const node = [process.execPath, '--import', 'tsx', join(here, file), ...extra];
  return hasTaskset ? ['taskset', ['-c', String(core), ...node]] : [node[0]!, node.slice(1)];
}

function startServer(file: string, extra: readonly string[]): Promise<ChildProcess> {
  const [cmd, argv] = command(1, file, ['--port', args.port, ...extra]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

/** utime + stime of a process, in seconds (proc(5); USER_HZ 100). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** One measurement; adds the server's CPU seconds over the measured window and answers per CPU second. */
function generate(
  mode: string,
  label: string,
  server: ChildProcess,
): Promise<Record<string, number | string>> {
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
  let cpu0 = 0;
  let cpu = 0;
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (cpu0 === 0 && out.includes('measuring\n')) cpu0 = cpuSeconds(server.pid!);
    if (cpu === 0 && out.includes('measured\n')) cpu = cpuSeconds(server.pid!) - cpu0;
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number | string>;
      const answers = Number(r.responsesPerSec) * Number(r.seconds);
      resolve({
        ...r,
        serverCpuSeconds: Number(cpu.toFixed(2)),
        perCpuSecond: cpu > 0 ? Math.round(answers / cpu) : 0,
        load1: Number(loadavg()[0]!.toFixed(1)),
      });
    });
  });
}

const RESPONDERS: Array<readonly [string, string, readonly string[]]> = [
  ['floor', 'floor-responder.ts', []],
  ['vigil-l2', 'vigil-l2-server.ts', []],
];
if (args.unbounded)
  RESPONDERS.push(['vigil-l2-unbounded', 'vigil-l2-server.ts', ['--max-messages-per-turn', '1000000000']]);

const results: Array<Record<string, number | string>> = [];
for (let round = 0; round < Number(args.rounds); round++) {
  // The floor and Vigil back to back in each mode: both see the machine as it is then.
  for (const mode of ['throughput', 'latency']) {
    for (const [label, file, extra] of RESPONDERS) {
      const server = await startServer(file, extra);
      try {
        const r = await generate(mode, label, server);
        console.log(JSON.stringify(r));
        results.push(r);
      } finally {
        server.kill();
        await new Promise((res) => server.once('exit', res));
      }
    }
  }
}

const of = (label: string, mode: string) => results.filter((r) => r.label === label && r.mode === mode);
/** The round with the most answers per second. */
const bestRound = (label: string, mode: string) =>
  of(label, mode).reduce((a, b) => (Number(b.responsesPerSec) > Number(a.responsesPerSec) ? b : a));
/** `key` over every round, reduced with pick (Math.min, Math.max). */
const over = (label: string, mode: string, key: string, pick: (...v: number[]) => number) =>
  pick(...of(label, mode).map((r) => Number(r[key])));
const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
const summary: Record<string, unknown> = {
  summary: true,
  pinned: hasTaskset,
  switches: Number(args.switches),
  version: args.version === '1' ? '1.0' : '1.3',
};
for (const mode of ['throughput', 'latency']) {
  const floor = bestRound('floor', mode);
  const vigil = bestRound('vigil-l2', mode);
  const fairness = (label: string) => ({
    // The worst switch against the mean in the worst round: fairness has to hold in every round.
    minToMean: over(label, mode, 'minToMean', Math.min),
    maxGapMs: over(label, mode, 'maxGapMs', Math.max),
    upMsMax: over(label, mode, 'upMsMax', Math.max),
  });
  summary[mode] = {
    floorPerSec: floor.responsesPerSec,
    vigilL2PerSec: vigil.responsesPerSec,
    ratio: ratio(Number(vigil.responsesPerSec), Number(floor.responsesPerSec)),
    // Per switch, in the best round: the worst switch beside the mean.
    floorWorstSwitchPerSec: floor.perSwitchMinPerSec,
    vigilL2WorstSwitchPerSec: vigil.perSwitchMinPerSec,
    vigilL2MeanSwitchPerSec: vigil.perSwitchMeanPerSec,
    floor: fairness('floor'),
    vigilL2: fairness('vigil-l2'),
    // Answers per second of the server's own CPU time: steadier when other work shares the machine.
    perCpuSecondRatio: ratio(
      over('vigil-l2', mode, 'perCpuSecond', Math.max),
      over('floor', mode, 'perCpuSecond', Math.max),
    ),
    ...(args.unbounded
      ? {
          unboundedPerSec: bestRound('vigil-l2-unbounded', mode).responsesPerSec,
          unbounded: fairness('vigil-l2-unbounded'),
        }
      : {}),
  };
}
const p50 = (label: string) => over(label, 'latency', 'p50Us', Math.min);
Object.assign(summary, {
  floorP50Us: p50('floor'),
  vigilL2P50Us: p50('vigil-l2'),
  p50Ratio: ratio(p50('vigil-l2'), p50('floor')),
});
console.log(JSON.stringify(summary));
