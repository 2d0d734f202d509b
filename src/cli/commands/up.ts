// `vigil up`: all of Vigil in one process — controller, sFlow collector, VM monitor, REST API and
// dashboard — with the embedded store unless --redis names a shared one.

import type { Command } from 'commander';
import { BUILD_DASHBOARD, dashboardBuilt } from '../../api/web-root.js';
import { formatEndpoint } from '../../config/endpoint.js';
import { vigilVersion } from '../../version.js';
import { VigilRuntime } from '../../runtime/vigil-runtime.js';
import { action, commandConfig, commandLogger, untilStopSignal } from '../context.js';

interface UpFlags {
  redis?: string;
}

export function register(program: Command): void {
  program
    .command('up')
    .description(
      'run everything in one process: OpenFlow controller, sFlow collector, VM monitor of the given ' +
        'libvirt hosts, REST API, event stream, /metrics and the dashboard',
    )
    .option('--libvirt <uri...>', 'libvirt hosts to monitor, e.g. qemu:///system')
    .option(
      '--redis <url>',
      'share state through Redis (e.g. redis://127.0.0.1:6379) instead of the embedded store',
    )
    .option('--api <host:port>', 'REST API and dashboard address (default 127.0.0.1:8080)')
    .option('--openflow <host:port>', 'OpenFlow listener the switches connect to (default 0.0.0.0:6653)')
    .option('--sflow <host:port>', 'sFlow UDP listener (default 0.0.0.0:6343)')
    .addHelpText(
      'after',
      '\nExamples:\n  vigil up --libvirt qemu:///system\n' +
        '  vigil up --libvirt qemu+tcp://compute-1/system qemu+tcp://compute-2/system --redis redis://127.0.0.1:6379\n\n' +
        'Then: ovs-vsctl set-controller BRIDGE tcp:THIS_HOST:6653, point the bridge’s sFlow at THIS_HOST:6343,\n' +
        'and open the dashboard at http://127.0.0.1:8080/.',
    )
    .action(action((flags: UpFlags, cmd: Command) => runUp(flags, cmd)));
}

async function runUp(flags: UpFlags, cmd: Command): Promise<void> {
  const loaded = commandConfig(cmd, {
    libvirt: 'monitor.libvirt',
    redis: 'store.redisUrl',
    api: 'api.listen',
    openflow: 'controller.listen',
    sflow: 'collector.listen',
  });
  // --redis URL means "use Redis".
  if (flags.redis !== undefined) loaded.config.store.kind = 'redis';
  const log = commandLogger(loaded);
  const rt = await VigilRuntime.start({ config: loaded.config, logger: log, version: vigilVersion() });
  const { controller, collector, api } = rt.addresses;
  log.info(
    {
      openflow: formatEndpoint({ host: controller.address, port: controller.port }),
      sflow: formatEndpoint({ host: collector.address, port: collector.port }),
      api: formatEndpoint(api),
      store: loaded.config.store.kind,
      libvirt: loaded.config.monitor.libvirt,
    },
    'Vigil is up',
  );
  process.stdout.write(`dashboard: http://${formatEndpoint(api)}/\n`);
  if (!dashboardBuilt()) process.stdout.write(`the dashboard is not built: ${BUILD_DASHBOARD}\n`);
  log.info({ signal: await untilStopSignal() }, 'Vigil stopping');
  await rt.stop();
  log.info('Vigil stopped');
}
