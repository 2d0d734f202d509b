import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/vigil.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));

function vigil(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the vigil command', () => {
  it('explains itself and each subcommand', async () => {
    const { code, stdout } = await vigil(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: vigil/);
    expect(stdout).toMatch(/--config <file>/);
    // Every listed command has a description.
    const commands = stdout
      .split('Commands:')[1]!
      .trimEnd()
      .split('\n')
      .filter((l) => /^ {2}\S/.test(l));
    expect(commands.length).toBeGreaterThan(1);
    for (const line of commands) expect(line.trim().split(/\s{2,}/).length).toBeGreaterThan(1);
    const sub = await vigil(['config', '--help']);
    expect(sub.stdout).toMatch(/check <file>/);
    expect(sub.stdout).toMatch(/print/);
  });

  it('prints its version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const { code, stdout } = await vigil(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('config check accepts a good file', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(
      good,
      'store:\n  kind: redis\n  redisUrl: redis://127.0.0.1:6390\nmonitor:\n  libvirt: [qemu:///system]\n',
    );
    const { code, stdout } = await vigil(['config', 'check', good]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${good}: valid`);
  });

  it('config check names every bad field and exits non-zero', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ store: { kind: 'mysql' }, api: { listen: 'everywhere' } }));
    const { code, stderr } = await vigil(['config', 'check', bad]);
    expect(code).toBe(2);
    expect(stderr).toContain('2 problems');
    expect(stderr).toContain('store.kind = "mysql"');
    expect(stderr).toContain('must be one of memory, redis');
    expect(stderr).toMatch(/api.listen = "everywhere" .*HOST:PORT/);
  });

  it('config print shows the effective value and its source', async () => {
    const f = join(dir, 'p.yaml');
    writeFileSync(f, 'api:\n  token: hunter2\n  readOnly: true\n');
    const { code, stdout } = await vigil(['--config', f, 'config', 'print', '--sources'], {
      VIGIL_STORE_KIND: 'redis',
    });
    expect(code).toBe(0);
    expect(stdout).toContain('store.kind = "redis"  # environment VIGIL_STORE_KIND');
    expect(stdout).toContain(`api.readOnly = true  # file ${f}`);
    expect(stdout).not.toContain('hunter2');
    const bad = await vigil(['config', 'print'], { VIGIL_MONITOR_INTERVAL_SECONDS: 'soon' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /monitor.intervalSeconds = "soon" \(from environment VIGIL_MONITOR_INTERVAL_SECONDS\)/,
    );
  });
});
