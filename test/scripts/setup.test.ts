// scripts/setup on a clean checkout: the repository's files as a clone has them (no web-dist/, no dist/),
// with this repository's node_modules linked in. The setup builds the dashboard, and `vigil up` started
// from that checkout, as `lab up` starts it, serves the dashboard at / instead of the "not built" page.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/lab/host/services.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let clone: string;
let vigil: ChildProcess | undefined;

/** The files a clone of the working tree would hold: tracked and new ones, none that git ignores. */
async function cleanCheckout(to: string): Promise<void> {
  const { stdout } = await run('git', [
    '-C',
    ROOT,
    'ls-files',
    '-z',
    '--cached',
    '--others',
    '--exclude-standard',
  ]);
  for (const file of new Set(stdout.split('\0').filter((f) => f !== ''))) {
    const from = join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    await mkdir(dirname(join(to, file)), { recursive: true });
    await copyFile(from, join(to, file));
    await chmod(join(to, file), statSync(from).mode & 0o777);
  }
  await symlink(join(ROOT, 'node_modules'), join(to, 'node_modules'));
}

function setup(): Promise<{ stdout: string; stderr: string }> {
  // Debian packages are the CI's business; this test is about what the setup does in the clone.
  return run(join(clone, 'scripts', 'setup'), [], {
    env: { VIGIL_SETUP_SKIP_APT: '1' },
    timeoutMs: 120_000,
  });
}

/** Starts `vigil up` from the checkout on free loopback ports; resolves with the address and what it said. */
function vigilUp(): Promise<{ url: string; output: string }> {
  const child = spawn(
    process.execPath,
    [
      join(clone, 'bin', 'vigil.js'),
      '--log-level',
      'warn',
      'up',
      '--api',
      '127.0.0.1:0',
      '--openflow',
      '127.0.0.1:0',
      '--sflow',
      '127.0.0.1:0',
    ],
    { cwd: clone, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  vigil = child;
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil up printed no address:\n${out}`)), 60_000);
    const read = (d: Buffer): void => {
      out += d.toString();
      const m = /^dashboard: (http:\/\/\S+)$/m.exec(out);
      if (m && out.endsWith('\n')) {
        clearTimeout(timer);
        // Give it a moment to print anything it says after the address.
        setTimeout(() => resolve({ url: m[1]!, output: out }), 200);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`vigil up exited (${code}):\n${out}`)));
  });
}

beforeAll(async () => {
  // The linked node_modules must be current: the setup would otherwise reinstall them (npm ci).
  const lock = createHash('sha256')
    .update(readFileSync(join(ROOT, 'package-lock.json')))
    .digest('hex');
  const stamp = join(ROOT, 'node_modules', '.vigil-lock-hash');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== lock) {
    throw new Error('node_modules is not current for package-lock.json: run scripts/setup first');
  }
  clone = await mkdtemp(join(tmpdir(), 'vigil-clone-'));
  await cleanCheckout(clone);
}, 60_000);

afterAll(async () => {
  vigil?.kill('SIGKILL');
  if (clone) await rm(clone, { recursive: true, force: true });
});

describe('scripts/setup on a clean checkout', () => {
  it('builds the dashboard', async () => {
    expect(existsSync(join(clone, 'web-dist'))).toBe(false);
    const r = await setup();
    expect(r.stdout).toContain('setup: npm packages up to date');
    expect(r.stdout).toContain('setup: building the dashboard (web-dist/)');
    const index = readFileSync(join(clone, 'web-dist', 'index.html'), 'utf8');
    const script = /<script[^>]+src="\.\/(assets\/[^"]+\.js)"/.exec(index)?.[1];
    expect(script, index).toBeDefined();
    expect(existsSync(join(clone, 'web-dist', script!))).toBe(true);
  }, 120_000);

  it('leaves a current build alone and rebuilds one older than a dashboard source', async () => {
    const index = join(clone, 'web-dist', 'index.html');
    const built = statSync(index).mtimeMs;
    const again = await setup();
    expect(again.stdout).toContain('setup: dashboard up to date');
    expect(statSync(index).mtimeMs).toBe(built);

    const later = new Date(built + 5000);
    await utimes(join(clone, 'src', 'web', 'styles.css'), later, later);
    const changed = await setup();
    expect(changed.stdout).toContain('setup: building the dashboard (web-dist/)');
    expect(statSync(index).mtimeMs).toBeGreaterThan(built);
  }, 120_000);

  it('is what `vigil up` from the checkout serves at /', async () => {
    const { url, output } = await vigilUp();
    expect(output).not.toContain('not built');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const page = await res.text();
    expect(page).toContain('<div id="app">');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page)?.[1];
    const js = await fetch(new URL(script!, url));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
  }, 90_000);
});
