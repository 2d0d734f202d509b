// `vigil lab up|traffic|report|status|down`: the paper's testbed on one machine and its Table 2.

import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../../lab/duration.js';
import { labDown } from '../../lab/lab-down.js';
import { DEFAULT_STATE_DIR, readState } from '../../lab/lab-state.js';
import { leftoverCount, partStatuses, scanLeftovers } from '../../lab/lab-status.js';
import { LAB_UP_DEFAULTS, labUp } from '../../lab/lab-up.js';
import { runDir, writeReport } from '../../lab/report-files.js';
import { runTraffic } from '../../lab/traffic-run.js';
import { action, UsageError } from '../context.js';

const ALGORITHMS = ['LEAST_LOAD', 'ROUND_ROBIN', 'WEIGHTED_ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP'];

function int(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be an integer ${min}-${max}`);
    return n;
  };
}

function duration(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0)
    throw new InvalidArgumentError('expected a duration such as 30s, 5m or 1h');
  return ms;
}

/** "70:30" (browse:stream weights) -> stream share 0.3. */
function mix(v: string): number {
  const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(v.trim());
  const b = Number(m?.[1]);
  const s = Number(m?.[2]);
  if (!m || !(b + s > 0)) throw new InvalidArgumentError('expected BROWSE:STREAM weights, e.g. 70:30');
  return s / (b + s);
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The command as typed, for the report; where the state is kept does not change the result. */
export function commandLine(argv: readonly string[] = process.argv.slice(2)): string {
  const out: string[] = ['vigil'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--state-dir') i++;
    else if (!a.startsWith('--state-dir='))
      out.push(/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  }
  return out.join(' ');
}

export function register(program: Command): void {
  const lab = program
    .command('lab')
    .description(
      'the paper’s testbed on this machine (root, Debian 12): OVS bridges as compute nodes, QEMU VMs through ' +
        'libvirt, client namespaces, Vigil; traffic through the VIP, and the per-VM traffic table',
    );
  const stateDirOption = [
    '--state-dir <dir>',
    'where the lab records what it created',
    DEFAULT_STATE_DIR,
  ] as const;

  lab
    .command('up')
    .description('install what is missing, build the guest image once, and bring the lab up')
    .option(
      '--vms <n>',
      'number of VMs (alternating between the two bridges)',
      int('--vms', 1, 89),
      LAB_UP_DEFAULTS.vms,
    )
    .option('--memory <mib>', 'memory per VM in MiB', int('--memory', 64, 4096), LAB_UP_DEFAULTS.memoryMiB)
    .option('--clients <n>', 'number of client namespaces', int('--clients', 1, 99), LAB_UP_DEFAULTS.clients)
    .option('--algorithm <name>', `placement algorithm (${ALGORITHMS.join(', ')})`, LAB_UP_DEFAULTS.algorithm)
    .option('--redis <url>', 'use this Redis as Vigil’s store instead of the embedded one')
    .option('--prefix <name>', 'name prefix of every bridge, namespace and VM', LAB_UP_DEFAULTS.prefix)
    .option(
      '--sflow-sampling <n>',
      'sFlow: sample 1 in N packets',
      int('--sflow-sampling', 1, 1_000_000),
      LAB_UP_DEFAULTS.sflowSampling,
    )
    .option(
      '--controller-port <port>',
      'OpenFlow port Vigil listens on',
      int('port', 1, 65535),
      LAB_UP_DEFAULTS.controllerPort,
    )
    .option(
      '--collector-port <port>',
      'sFlow port of Vigil’s collector',
      int('port', 1, 65535),
      LAB_UP_DEFAULTS.collectorPort,
    )
    .option(
      '--recorder-port <port>',
      'sFlow port of the lab’s traffic recorder',
      int('port', 1, 65535),
      LAB_UP_DEFAULTS.recorderPort,
    )
    .option(
      '--api-port <port>',
      'port of Vigil’s API and dashboard',
      int('port', 1, 65535),
      LAB_UP_DEFAULTS.apiPort,
    )
    .option('--guest-cache <dir>', 'where the guest kernel and initramfs are cached')
    .option('--no-install', 'do not call apt for missing Debian packages')
    .option(
      '--no-vigil',
      'do not start Vigil (bridges switch on their own; traffic goes to the VM addresses)',
    )
    .option(...stateDirOption)
    .action(
      action(async (o: Record<string, unknown>) => {
        if (!ALGORITHMS.includes(String(o.algorithm)))
          throw new UsageError(`--algorithm: one of ${ALGORITHMS.join(', ')}`);
        await labUp({
          ...LAB_UP_DEFAULTS,
          prefix: String(o.prefix),
          vms: o.vms as number,
          clients: o.clients as number,
          memoryMiB: o.memory as number,
          controllerPort: o.controllerPort as number,
          collectorPort: o.collectorPort as number,
          recorderPort: o.recorderPort as number,
          apiPort: o.apiPort as number,
          sflowSampling: o.sflowSampling as number,
          algorithm: String(o.algorithm),
          ...(typeof o.redis === 'string' ? { redisUrl: o.redis } : {}),
          ...(typeof o.guestCache === 'string' ? { guestCacheDir: o.guestCache } : {}),
          install: o.install !== false,
          vigil: o.vigil === false ? 'off' : 'auto',
          stateDir: String(o.stateDir),
          write: say,
        });
      }),
    );

  lab
    .command('traffic')
    .description('clients browse (small pages) and stream (long downloads) for N intervals; then the report')
    .option('--clients <n>', 'clients to use (default: all of the lab’s)', int('--clients', 1, 99))
    .option('--intervals <n>', 'number of intervals', int('--intervals', 1, 1000), 5)
    .addOption(
      new Option('--interval <duration>', 'interval length').argParser(duration).default(60_000, '60s'),
    )
    .option('--duration <duration>', 'total duration (instead of --intervals)', duration)
    .addOption(
      new Option('--mix <browse:stream>', 'weights of page loads and streams')
        .argParser(mix)
        .default(0.3, '70:30'),
    )
    .addOption(
      new Option('--think <duration>', 'mean think time between page loads')
        .argParser(duration)
        .default(200, '200ms'),
    )
    .option(
      '--stream-kbps <n>',
      'stream pacing in kbit/s (0: unpaced)',
      int('--stream-kbps', 0, 10_000_000),
      4000,
    )
    .option('--hog <vm>', 'run a CPU hog in this VM for the whole run')
    .option('--kill <vm>', 'kill this VM mid-run')
    .option('--kill-after <duration>', 'when to kill it (default: half-way)', duration)
    .option('--seed <n>', 'seed of the clients’ choices', int('--seed', 0, 1_000_000), 1)
    .option('--report-dir <dir>', 'also write the report here (e.g. docs/results)')
    .option(...stateDirOption)
    .action(
      action(async (o: Record<string, unknown>) => {
        const intervalMs = o.interval as number;
        const intervals =
          typeof o.duration === 'number'
            ? Math.max(1, Math.round(o.duration / intervalMs))
            : (o.intervals as number);
        const stateDir = String(o.stateDir);
        const { dir } = await runTraffic(
          {
            stateDir,
            intervals,
            intervalMs,
            streamShare: o.mix as number,
            thinkMs: o.think as number,
            streamKbps: o.streamKbps as number,
            seed: o.seed as number,
            ...(typeof o.clients === 'number' ? { clients: o.clients } : {}),
            ...(typeof o.hog === 'string' ? { hog: o.hog } : {}),
            ...(typeof o.kill === 'string' ? { kill: o.kill } : {}),
            ...(typeof o.killAfter === 'number' ? { killAfterMs: o.killAfter } : {}),
            write: say,
          },
          commandLine(),
        );
        const w = await writeReport(dir, typeof o.reportDir === 'string' ? o.reportDir : dir);
        say(`report: ${w.files.markdown}, ${w.files.csv}, ${w.files.svg}`);
      }),
    );

  lab
    .command('report')
    .description(
      'the per-VM, per-interval traffic table (libvirt and sFlow), CV, failures, latency: CSV, Markdown, SVG',
    )
    .option('--run <id>', 'run to report (default: the latest)')
    .option('--out <dir>', 'folder for the report files (default: the run’s folder)')
    .option(...stateDirOption)
    .action(
      action(async (o: { run?: string; out?: string; stateDir: string }) => {
        const dir = await runDir(o.stateDir, o.run);
        const w = await writeReport(dir, o.out ?? dir);
        process.stdout.write(
          await import('node:fs/promises').then((fs) => fs.readFile(w.files.markdown, 'utf8')),
        );
        say(`written: ${w.files.markdown}, ${w.files.csv}, ${w.files.svg}`);
      }),
    );

  lab
    .command('status')
    .description('what the lab created, and whether each part is really up')
    .option('--json', 'print JSON')
    .option(...stateDirOption)
    .action(
      action(async (o: { json?: boolean; stateDir: string }) => {
        const read = await readState(o.stateDir);
        if (!read.ok) {
          if (read.reason === 'invalid') throw new Error(`state file in ${o.stateDir}: ${read.error}`);
          say(`no lab recorded in ${o.stateDir}`);
          process.exitCode = 3;
          return;
        }
        const parts = await partStatuses(read.state);
        if (o.json) {
          say(JSON.stringify({ state: read.state, parts }, null, 2));
        } else {
          const s = read.state;
          say(
            `lab ${s.prefix} (since ${s.createdAt}): ${s.domains.length} VMs, ${s.clients.length} clients, traffic to ${s.target === 'vip' ? `VIP ${s.vip}` : 'VM addresses'}`,
          );
          if (s.dashboardUrl) say(`dashboard: ${s.dashboardUrl}`);
          for (const p of parts)
            say(`  ${p.up ? 'up  ' : 'DOWN'}  ${p.kind.padEnd(9)} ${p.name.padEnd(20)} ${p.detail}`);
        }
        if (parts.some((p) => !p.up)) process.exitCode = 1;
      }),
    );

  lab
    .command('down')
    .description('remove every bridge, namespace, VM and process the lab made, and nothing else')
    .option(...stateDirOption)
    .action(
      action(async (o: { stateDir: string }) => {
        const read = await readState(o.stateDir);
        const prefix = read.ok ? read.state.prefix : undefined;
        const uri = read.ok ? read.state.libvirtUri : LAB_UP_DEFAULTS.libvirtUri;
        const r = await labDown(o.stateDir, say);
        if (r.failed.length > 0) {
          process.exitCode = 1;
          return;
        }
        if (prefix) {
          const left = await scanLeftovers(prefix, uri);
          if (leftoverCount(left) > 0) {
            say(`still present with prefix ${prefix}-: ${JSON.stringify(left)}`);
            process.exitCode = 1;
          } else
            say(`lab ${prefix} is down: no bridge, namespace, domain or interface named ${prefix}-* is left`);
        }
      }),
    );
}
