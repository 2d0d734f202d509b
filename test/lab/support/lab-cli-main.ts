// The `vigil` program with only the `lab` command registered, run as a child process by the lab's tests
// (the full program gets the command when it is wired into src/cli/main.ts).

import { Command } from 'commander';
import { register } from '../../../src/cli/commands/lab.js';
import { reportFailure } from '../../../src/cli/context.js';

const program = new Command('vigil').exitOverride();
register(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  if ((err as { code?: string }).code?.startsWith('commander.')) {
    process.exitCode = (err as { exitCode?: number }).exitCode ?? 2;
    return;
  }
  reportFailure(err);
});
