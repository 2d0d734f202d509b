// Runs `vigil controller` through commander in a child process, the way the CLI entry point does, and
// collects its log output.

import { spawn, type ChildProcess } from 'node:child_process';

const RUNNER = `
import { Command } from 'commander';
import { register } from './src/cli/commands/controller.ts';
const program = new Command('vigil').option('-c, --config <file>').option('--log-level <level>');
register(program);
await program.parseAsync(process.argv);
`;

export interface ControllerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Log lines whose msg is `msg`. */
  count(msg: string): number;
}

export function spawnController(args: string[], env: NodeJS.ProcessEnv = {}): ControllerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', RUNNER, 'vigil', 'controller', ...args],
    {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VIGIL_CONFIG: '', ...env },
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    exited,
    count: (msg) => out.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length,
  };
}
