// `vigil config check FILE` and `vigil config print`.

import type { Command } from 'commander';
import { stringify } from 'yaml';
import { checkConfigFile, configFields, formatIssue, formatSource, redact } from '../../config/load.js';
import { action, commandConfig, EXIT_USAGE } from '../context.js';

export function register(program: Command): void {
  const config = program
    .command('config')
    .description(
      'validate a config file, or show the effective configuration and where each value came from',
    );

  config
    .command('check')
    .description(
      'validate a config file (JSON or YAML) on its own; exit 0 when valid, 2 with every problem listed',
    )
    .argument('<file>', 'config file to check')
    .action(
      action((file: string) => {
        const issues = checkConfigFile(file);
        if (issues.length === 0) {
          process.stdout.write(`${file}: valid\n`);
          return;
        }
        process.stderr.write(`${file}: ${issues.length} problem${issues.length > 1 ? 's' : ''}\n`);
        for (const i of issues) process.stderr.write(`  ${formatIssue(i)}\n`);
        process.exitCode = EXIT_USAGE;
      }),
    );

  config
    .command('print')
    .description('print the effective configuration: defaults < config file < VIGIL_* environment < flags')
    .option('--json', 'print JSON instead of YAML')
    .option('--sources', 'show where each value came from')
    .option('--explain', 'list every setting with its environment variable, default and meaning')
    .action(
      action((opts: { json?: boolean; sources?: boolean; explain?: boolean }, cmd: Command) => {
        if (opts.explain) {
          for (const f of configFields()) {
            const def = JSON.stringify(f.schema.default);
            const allowed = Array.isArray(f.schema.enum) ? ` (${f.schema.enum.join('|')})` : '';
            process.stdout.write(
              `${f.path.join('.')}${allowed}\n    ${String(f.schema.description ?? '')}\n` +
                `    env ${f.env}, default ${def}\n`,
            );
          }
          return;
        }
        const loaded = commandConfig(cmd);
        const shown = redact(loaded.config);
        if (opts.sources) {
          for (const f of configFields()) {
            const key = f.path.join('.');
            const value = f.path.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], shown);
            process.stdout.write(
              `${key} = ${JSON.stringify(value)}  # ${formatSource(loaded.sources.get(key))}\n`,
            );
          }
          return;
        }
        process.stdout.write(opts.json ? `${JSON.stringify(shown, null, 2)}\n` : stringify(shown));
      }),
    );
}
