// The `vigil` command.

import { Command } from 'commander';
import { vigilVersion } from '../version.js';
import { register as registerCollector } from './commands/collector.js';
import { register as registerConfig } from './commands/config.js';
import { register as registerController } from './commands/controller.js';
import { register as registerLab } from './commands/lab.js';
import { register as registerMonitor } from './commands/monitor.js';
import { register as registerSflow } from './commands/sflow.js';
import { register as registerUp } from './commands/up.js';
import { reportFailure } from './context.js';

export function buildProgram(): Command {
  const program = new Command('vigil')
    .description(
      'Vigil watches a cloud’s virtual machines from the hypervisor (libvirt RPC, sFlow v5) and balances ' +
        'their traffic over OpenFlow switches using the live metrics.\n\n' +
        'Configuration comes from a config file (--config or VIGIL_CONFIG), VIGIL_* environment variables ' +
        'and flags, each overriding the one before; `vigil config print --explain` lists every setting.',
    )
    .version(vigilVersion(), '-V, --version', 'print Vigil’s version')
    .option('-c, --config <file>', 'config file (JSON or YAML)')
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true, showGlobalOptions: true });
  registerConfig(program);
  registerController(program);
  registerCollector(program);
  registerSflow(program);
  registerMonitor(program);
  registerLab(program);
  registerUp(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  // `vigil ... | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    reportFailure(err);
  }
}
