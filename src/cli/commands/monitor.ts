// `vigil monitor`: the agentless VM monitor. Polls every libvirt host's domain stats each interval and
// writes one sample per VM to the store (latest value with a TTL, time series, published); or, with
// --once, takes two polls one interval apart and prints every VM's sample.

import type { Command } from 'commander';
import { HostMonitor } from '../../monitor/host-monitor.js';
import { startMonitorToStore } from '../../monitor/monitor-to-store.js';
import type { VmMonitor } from '../../monitor/vm-monitor.js';
import type { VmSample } from '../../monitor/vm-sample.js';
import { openStore } from '../../store/open-store.js';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../log/logger.js';
import {
  action,
  commandConfig,
  commandLogger,
  EXIT_FAILURE,
  untilStopSignal,
  UsageError,
} from '../context.js';

interface MonitorFlags {
  libvirt?: string[];
  interval?: string;
  once?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('monitor')
    .description(
      'watch VMs without agents: every interval one libvirt call per host returns all domains’ stats, ' +
        'turned into per-VM rates (CPU, memory, vNIC, disk) and written to the store',
    )
    .option(
      '--libvirt <uri...>',
      'libvirt URIs, e.g. qemu:///system (read-only socket), qemu+tcp://HOST/system',
    )
    .option('--interval <seconds>', 'seconds between polls (default 5)')
    .option('--once', 'take two polls one interval apart, print every VM’s sample, and exit')
    .option('--json', 'with --once: print the samples as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  vigil monitor --libvirt qemu:///system\n' +
        '  vigil monitor --libvirt qemu+tcp://compute-1/system qemu+tcp://compute-2/system --interval 2\n' +
        '  vigil monitor --libvirt qemu:///system --once --json',
    )
    .action(action((flags: MonitorFlags, cmd: Command) => runMonitor(flags, cmd)));
}

async function runMonitor(flags: MonitorFlags, cmd: Command): Promise<void> {
  const loaded = commandConfig(cmd, { libvirt: 'monitor.libvirt', interval: 'monitor.intervalSeconds' });
  const cfg = loaded.config.monitor;
  if (cfg.libvirt.length === 0) {
    throw new UsageError(
      'no libvirt host to monitor: pass --libvirt URI (or set monitor.libvirt in the config)',
    );
  }
  if (flags.json && !flags.once) throw new UsageError('--json goes with --once');
  const log = commandLogger(loaded);

  if (flags.once) {
    const intervalMs = Math.round(cfg.intervalSeconds * 1000);
    const client = { callTimeoutMs: Math.round(cfg.callTimeoutSeconds * 1000) };
    const { samples, failed } = await pollTwice(cfg.libvirt, intervalMs, client, log);
    if (flags.json) process.stdout.write(`${JSON.stringify(samples, null, 2)}\n`);
    else process.stdout.write(formatTable(samples));
    if (failed > 0) process.exitCode = EXIT_FAILURE;
    return;
  }

  const service = await startMonitorService(loaded.config, log);
  log.info({ signal: await untilStopSignal() }, 'VM monitor stopping');
  await service.stop();
}

export interface MonitorService {
  monitor: VmMonitor;
  stop(): Promise<void>;
}

/**
 * Opens the store and starts monitoring every configured host: each sample is stored (latest value
 * with its TTL, time series) and published, each host's domain inventory is kept in the store for the
 * sFlow side, and a VM leaving is published on the events channel.
 */
export async function startMonitorService(config: Config, log: Logger): Promise<MonitorService> {
  const cfg = config.monitor;
  const store = await openStore(config.store, log);
  const { monitor, stop } = startMonitorToStore({
    store,
    log,
    hosts: cfg.libvirt,
    intervalMs: Math.round(cfg.intervalSeconds * 1000),
    callTimeoutMs: Math.round(cfg.callTimeoutSeconds * 1000),
    inventoryTtlMs: config.store.sampleTtlSeconds * 1000,
  });
  log.info(
    { hosts: cfg.libvirt, intervalSeconds: cfg.intervalSeconds, store: config.store.kind },
    'VM monitor started',
  );
  return {
    monitor,
    async stop() {
      await stop();
      await store.close();
    },
  };
}

async function pollTwice(
  uris: readonly string[],
  intervalMs: number,
  client: { callTimeoutMs: number },
  log: Logger,
): Promise<{ samples: VmSample[]; failed: number }> {
  let failed = 0;
  const perHost = await Promise.all(
    [...new Set(uris)].map(async (uri) => {
      const m = new HostMonitor({ uri, intervalMs, onSample: () => {}, logger: log, client });
      try {
        await m.connect();
        await m.poll();
        await new Promise((r) => setTimeout(r, intervalMs));
        return await m.poll();
      } catch (err) {
        failed++;
        process.stderr.write(`vigil: ${uri}: ${(err as Error).message}\n`);
        return [];
      } finally {
        await m.stop();
      }
    }),
  );
  return { samples: perHost.flat(), failed };
}

function formatTable(samples: readonly VmSample[]): string {
  const rows = [['HOST', 'VM', 'STATE', 'CPU %', 'MEM USED', 'RX B/s', 'TX B/s', 'DISK R B/s', 'DISK W B/s']];
  const n = (v: number | undefined, digits = 0): string => (v === undefined ? '-' : v.toFixed(digits));
  for (const s of samples) {
    const m = s.metrics;
    rows.push([
      s.host,
      s.name,
      s.state,
      n(m['cpu.percent'], 1),
      m['memory.used_bytes'] !== undefined ? `${(m['memory.used_bytes'] / 1048576).toFixed(1)} MiB` : 'n/a',
      n(m['net.rx_bytes_per_s']),
      n(m['net.tx_bytes_per_s']),
      n(m['disk.read_bytes_per_s']),
      n(m['disk.write_bytes_per_s']),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
