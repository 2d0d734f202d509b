import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  isRunning,
  parseProcStat,
  spawnRecorded,
  startTicksOf,
  stopRecorded,
} from '../../src/lab/lab-process.js';

describe('parseProcStat', () => {
  it('reads state and start time after the last parenthesis of the command name', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[19] = '123456';
    expect(parseProcStat(`42 (node) ${fields.join(' ')}`)).toEqual({ state: 'S', startTicks: 123456 });
    expect(parseProcStat(`42 (a) (b c) ${fields.join(' ')}`)).toEqual({ state: 'S', startTicks: 123456 });
    expect(parseProcStat('42 (x) S 1 2')).toBeUndefined();
    expect(parseProcStat('no parenthesis')).toBeUndefined();
  });

  it('matches this process and never throws on junk', async () => {
    const own = parseProcStat(await readFile('/proc/self/stat', 'utf8'));
    expect(own?.startTicks).toBeGreaterThan(0);
    fc.assert(fc.property(fc.string(), (s) => void parseProcStat(s)));
  });
});

describe('recorded processes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-lab-proc-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts a detached process, sees it running, stops it, and then sees it gone', async () => {
    const log = join(dir, 'sleep.log');
    const p = await spawnRecorded('sleeper', ['/bin/sh', '-c', 'echo started; exec sleep 30'], log);
    expect(p.pid).toBeGreaterThan(0);
    expect(p.startTicks).toBe(await startTicksOf(p.pid));
    expect(await isRunning(p)).toBe(true);
    expect(await stopRecorded(p, 3000)).toBe('stopped');
    expect(await isRunning(p)).toBe(false);
    expect(await stopRecorded(p)).toBe('not-running');
    expect(await readFile(log, 'utf8')).toContain('started');
  });

  it('does not signal a pid whose start time differs from the record (a reused pid)', async () => {
    const p = await spawnRecorded('sleeper', ['sleep', '30'], join(dir, 's.log'));
    try {
      const impostor = { ...p, startTicks: p.startTicks + 1 };
      expect(await isRunning(impostor)).toBe(false);
      expect(await stopRecorded(impostor, 500)).toBe('not-running');
      expect(await isRunning(p)).toBe(true);
    } finally {
      await stopRecorded(p, 1000);
    }
  });
});
