// Runs the load-balancer benchmark beside its baselines in the same run: each controller pinned to one
// core (taskset -c 1), its load generator on the other (taskset -c 0).
//   vigil-lb:  new-client placements (packet-in -> two flow-mods + packet-out) per second at full load,
//              then latency percentiles at an offered 10,000 placements/s (open loop), in --rounds rounds;
//   lb-floor:  the same messages answered by floor-placer.ts (no policy, no tables, no store): the most
//              Node, the sockets and this machine allow; measured the same way, rounds interleaved with
//              Vigil's, so that both see the same machine;
//   vigil-l2:  the L2 learning app under the OpenFlow load generator (bench/openflow/), as a reference.
// Besides wall-clock rates it reports rates per second of the controller's own CPU time (from
// /proc/PID/stat), which stay meaningful when other work shares the machine. `--node-flags` are given to
// Vigil's controller process (e.g. --single-threaded-gc).
//
//   npx tsx bench/balancer/run.ts [--seconds 10] [--switches 8] [--rate 10000] [--rounds 5]

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    switches: { type: 'string', default: '8' },
    rate: { type: 'string', default: '10000' },
    port: { type: 'string', default: '16753' },
    algorithm: { type: 'string', default: 'LEAST_LOAD' },
    rounds: { type: 'string', default: '5' },
    'node-flags': { type: 'string', default: '' },
  },
});
const nodeFlags = args['node-flags'].split(' ').filter((f) => f !== '');

const here = dirname(fileURLToPath(import.meta.url));
const openflow = join(here, '..', 'openflow');
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

function command(core: number, file: string, extra: string[], flags: string[] = []): [string, string[]] {
  const node = [process.execPath, ...flags, '--import', 'tsx', file, ...extra];
  return hasTaskset ? ['taskset', ['-c', String(core), ...node]] : [node[0]!, node.slice(1)];
}

/** utime + stime of a process, in seconds (proc(5); USER_HZ 100). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function startServer(file: string, extra: string[], flags: string[]): Promise<ChildProcess> {
  const [cmd, argv] = command(1, file, ['--port', args.port, ...extra], flags);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

/** The node process itself (taskset execs it, so the pid is the same). */
async function generate(
  file: string,
  server: ChildProcess,
  extra: string[],
): Promise<Record<string, unknown>> {
  const [cmd, argv] = command(0, file, ['--port', args.port, '--seconds', args.seconds, ...extra]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  // The generators warm up for 2 s (1 s in latency mode) after about 1 s of handshakes, then measure.
  const warm = extra.includes('latency') ? 2000 : 3000;
  await new Promise((r) => setTimeout(r, warm));
  const cpu0 = cpuSeconds(server.pid!);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Number(args.seconds) * 1000));
  const cpu = cpuSeconds(server.pid!) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`${file} exited with ${code}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  return { ...r, controllerCpuShare: Number((cpu / wall).toFixed(2)) };
}

const results: Array<Record<string, unknown>> = [];
/** A controller to measure: its file, arguments and node flags. */
interface ServerSpec {
  file: string;
  args: string[];
  flags?: string[];
}

async function measure(label: string, spec: ServerSpec, genFile: string, genArgs: string[]): Promise<void> {
  const server = await startServer(spec.file, spec.args, spec.flags ?? []);
  try {
    const r = await generate(genFile, server, genArgs);
    const perSec = Number(r.placementsPerSec ?? r.responsesPerSec);
    const share = Number(r.controllerCpuShare);
    const out = {
      ...r,
      label,
      perCpuSecond: share > 0 ? Math.round(perSec / share) : undefined,
      loadAverage: Number(loadavg()[0]!.toFixed(1)),
    };
    console.log(JSON.stringify(out));
    results.push(out);
  } finally {
    server.kill();
    await new Promise((res) => server.once('exit', res));
  }
}

const vigilLb: ServerSpec = {
  file: join(here, 'vigil-lb-server.ts'),
  args: ['--algorithm', args.algorithm],
  flags: nodeFlags,
};
const floor: ServerSpec = { file: join(here, 'floor-placer.ts'), args: [] };
const lbGen = join(here, 'lb-load-generator.ts');
const throughput = ['--mode', 'throughput', '--switches', args.switches];
const latency = ['--mode', 'latency', '--rate', args.rate];
await measure('vigil-lb', vigilLb, lbGen, throughput);
await measure('lb-floor', floor, lbGen, throughput);
for (let r = 0; r < Number(args.rounds); r++) {
  await measure('vigil-lb', vigilLb, lbGen, latency);
  await measure('lb-floor', floor, lbGen, latency);
}
const vigilL2: ServerSpec = { file: join(openflow, 'vigil-l2-server.ts'), args: [] };
await measure('vigil-l2', vigilL2, join(openflow, 'load-generator.ts'), [
  '--mode',
  'throughput',
  '--switches',
  '16',
  '--label',
  'vigil-l2',
]);

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const pick = (label: string, mode: string, key: string) =>
  results.filter((r) => r.label === label && r.mode === mode).map((r) => Number(r[key]));
const lbRate = pick('vigil-lb', 'throughput', 'perCpuSecond')[0]!;
const floorRate = pick('lb-floor', 'throughput', 'perCpuSecond')[0]!;
const lbP99 = pick('vigil-lb', 'latency', 'p99Us');
const floorP99 = pick('lb-floor', 'latency', 'p99Us');
console.log(
  JSON.stringify({
    summary: true,
    pinned: hasTaskset,
    nodeFlags,
    placementsPerCpuSecond: lbRate,
    floorPlacementsPerCpuSecond: floorRate,
    ratioToFloor: Number((lbRate / floorRate).toFixed(2)),
    p99Us: lbP99,
    floorP99Us: floorP99,
    medianP99Us: median(lbP99),
    medianFloorP99Us: median(floorP99),
    roundsUnder1ms: lbP99.filter((p) => p < 1000).length,
  }),
);
