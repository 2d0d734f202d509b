// Processes the lab starts (Vigil itself): spawned detached with output to a log file, recorded by pid and
// start time, so that `lab down` signals exactly the process it started and never a later one that
// happens to reuse the pid.

import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import type { LabProcess } from './lab-state.js';

/**
 * Start time (clock ticks since boot) from the text of /proc/PID/stat: proc(5) field 22. The command
 * name (field 2) is in parentheses and may itself hold spaces and parentheses: fields are counted after
 * the last ')'.
 */
export function parseProcStat(stat: string): { state: string; startTicks: number } | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = stat.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field 22 is rest[19].
  const state = rest[0];
  const v = rest[19];
  if (!state || !/^[A-Za-z]$/.test(state) || v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? { state, startTicks: n } : undefined;
}

/** Start time of a live process; undefined when there is none (a zombie counts as gone). */
export async function startTicksOf(pid: number): Promise<number | undefined> {
  try {
    const s = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    return s && s.state !== 'Z' && s.state !== 'X' ? s.startTicks : undefined;
  } catch {
    return undefined;
  }
}

/** True when the recorded process still runs (same pid, same start time). */
export async function isRunning(p: LabProcess): Promise<boolean> {
  const ticks = await startTicksOf(p.pid);
  return ticks !== undefined && ticks === p.startTicks;
}

/** Starts a detached process whose output goes to `log`; it outlives this process. */
export async function spawnRecorded(
  role: string,
  argv: string[],
  log: string,
  env?: NodeJS.ProcessEnv,
): Promise<LabProcess> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error(`${role}: empty command line`);
  const out = await open(log, 'a');
  try {
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', out.fd, out.fd],
      env: { ...process.env, ...env },
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    const startTicks = await startTicksOf(pid);
    if (startTicks === undefined) throw new Error(`${role} (pid ${pid}) exited at once; see ${log}`);
    return { role, pid, startTicks, argv, log };
  } finally {
    await out.close();
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; does nothing to a pid that is no longer the recorded process. */
export async function stopRecorded(p: LabProcess, graceMs = 5000): Promise<'stopped' | 'not-running'> {
  if (!(await isRunning(p))) return 'not-running';
  try {
    process.kill(p.pid, 'SIGTERM');
  } catch {
    return 'not-running';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isRunning(p))) return 'stopped';
    await new Promise((r) => setTimeout(r, 100));
  }
  if (await isRunning(p)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return 'stopped';
}
