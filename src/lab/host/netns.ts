// Commands inside a network namespace (`ip netns exec NS ...`), and removing a namespace.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { run, succeeds, type RunOptions, type RunResult } from './services.js';

/** Runs a program inside a namespace; rejects with CommandError as `run` does. */
export function runIn(ns: string, argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
  return run('ip', ['netns', 'exec', ns, ...argv], opts);
}

/** True when the program exits 0 inside the namespace. */
export function succeedsIn(ns: string, argv: readonly string[], opts?: RunOptions): Promise<boolean> {
  return succeeds('ip', ['netns', 'exec', ns, ...argv], opts);
}

/** Starts a long-running program inside a namespace (a server, a traffic client). */
export function spawnIn(ns: string, argv: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...argv], opts);
}

/** Removes a namespace, if there; the programs still running in it would keep it alive: they are killed first. */
export async function deleteNamespace(ns: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', ns]).then(
    (r) =>
      r.stdout
        .split('\n')
        .filter((l) => /^\d+$/.test(l.trim()))
        .map(Number),
    () => [] as number[],
  );
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  await succeeds('ip', ['netns', 'del', ns]);
}
