// The host's own services that the lab and the end-to-end tests stand on: Open vSwitch (userspace
// datapath, no kernel module needed) and libvirtd. Each `ensure*` is idempotent: it starts what is not
// running, and fails with the Debian package to install when a program is missing.

import { execFile } from 'node:child_process';
import { access, appendFile, mkdir, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';

export interface RunOptions {
  /** Kill the command after this long (default 60 s). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: NodeJS.ProcessEnv;
  /** Data written to the command's standard input. */
  input?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${command} failed (${code ?? 'signal'}): ${stderr.trim() || stdout.trim() || 'no output'}`);
    this.name = 'CommandError';
  }
}

export class MissingProgramError extends Error {
  constructor(
    readonly program: string,
    readonly debianPackage: string,
  ) {
    super(
      `${program} is not installed: run \`apt-get install -y --no-install-recommends ${debianPackage}\` ` +
        `(or \`scripts/setup\`, which installs everything Vigil's tests and lab need)`,
    );
    this.name = 'MissingProgramError';
  }
}

const SBIN_PATH =
  '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/share/openvswitch/scripts';

/** Runs a program (no shell) and resolves with its output; rejects with CommandError. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, PATH: `${process.env.PATH ?? ''}:${SBIN_PATH}`, ...opts.env },
      },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
          reject(new CommandError([cmd, ...args].join(' '), code, stdout, stderr));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** True when the command exits 0. */
export async function succeeds(cmd: string, args: string[], opts: RunOptions = {}): Promise<boolean> {
  try {
    await run(cmd, args, opts);
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds a program on PATH (plus the sbin folders); throws MissingProgramError naming the package. */
export async function requireProgram(program: string, debianPackage: string): Promise<string> {
  for (const dir of `${process.env.PATH ?? ''}:${SBIN_PATH}`.split(':')) {
    if (dir && (await exists(`${dir}/${program}`))) return `${dir}/${program}`;
  }
  throw new MissingProgramError(program, debianPackage);
}

async function pidAlive(pidFile: string): Promise<boolean> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` every `everyMs` until it is true; throws "<what> did not come up ..." after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

let ovsStarting: Promise<void> | undefined;

/**
 * Starts ovsdb-server and ovs-vswitchd (userspace datapath: bridges must use datapath_type=netdev)
 * unless they already answer.
 */
export function ensureOpenvswitch(): Promise<void> {
  ovsStarting ??= startOpenvswitch().finally(() => {
    ovsStarting = undefined;
  });
  return ovsStarting;
}

async function startOpenvswitch(): Promise<void> {
  await requireProgram('ovs-vsctl', 'openvswitch-switch');
  await requireProgram('ovs-vswitchd', 'openvswitch-switch');
  const ovsCtl = await requireProgram('ovs-ctl', 'openvswitch-switch');
  if (await succeeds('ovs-vsctl', ['--timeout=2', 'show'])) {
    if (await pidAlive('/var/run/openvswitch/ovs-vswitchd.pid')) return;
  } else {
    await run(ovsCtl, ['--system-id=random', '--no-ovs-vswitchd', 'start'], { timeoutMs: 60_000 });
  }
  if (!(await pidAlive('/var/run/openvswitch/ovs-vswitchd.pid'))) {
    // "ulimit: Operation not permitted" on stderr is harmless in containers.
    await run(ovsCtl, ['--no-ovsdb-server', '--no-monitor', 'start'], { timeoutMs: 60_000 });
  }
  await waitFor('ovs-vswitchd', () => succeeds('ovs-appctl', ['--timeout=2', 'version']), 20_000);
}

let libvirtStarting: Promise<void> | undefined;

/** Prepares and starts virtlogd and libvirtd (QEMU driver without KVM, no security driver) if needed. */
export function ensureLibvirtd(): Promise<void> {
  libvirtStarting ??= startLibvirtd().finally(() => {
    libvirtStarting = undefined;
  });
  return libvirtStarting;
}

const QEMU_CONF = '/etc/libvirt/qemu.conf';
const QEMU_CONF_LINES = 'user = "root"\ngroup = "root"\ndynamic_ownership = 0\nsecurity_driver = "none"\n';

/** The qemu driver refuses to start without its user and group: creates them when absent. */
export async function ensureQemuAccounts(): Promise<void> {
  if (!(await succeeds('getent', ['group', 'kvm']))) await run('groupadd', ['-r', 'kvm']);
  if (!(await succeeds('getent', ['group', 'libvirt-qemu']))) await run('groupadd', ['-r', 'libvirt-qemu']);
  if (!(await succeeds('getent', ['passwd', 'libvirt-qemu']))) {
    await run('useradd', ['-r', '-g', 'libvirt-qemu', '-G', 'kvm', 'libvirt-qemu']);
  }
}

async function startLibvirtd(): Promise<void> {
  const libvirtd = await requireProgram('libvirtd', 'libvirt-daemon');
  const virtlogd = await requireProgram('virtlogd', 'libvirt-daemon');
  await requireProgram('virsh', 'libvirt-clients');
  if (await succeeds('virsh', ['-c', 'test+unix:///default', 'version'], { timeoutMs: 5_000 })) return;

  for (const dir of ['/var/log/libvirt', '/var/lib/libvirt', '/var/cache/libvirt', '/run/libvirt']) {
    await mkdir(dir, { recursive: true });
  }
  await ensureQemuAccounts();
  let conf = '';
  try {
    conf = await readFile(QEMU_CONF, 'utf8');
  } catch {
    // absent: written below
  }
  if (!/^security_driver = "none"/m.test(conf)) await appendFile(QEMU_CONF, QEMU_CONF_LINES);

  if (!(await pidAlive('/run/virtlogd.pid'))) await run(virtlogd, ['-d']);
  await run(libvirtd, ['-d']);
  await waitFor(
    'libvirtd',
    () => succeeds('virsh', ['-c', 'test+unix:///default', 'version'], { timeoutMs: 5_000 }),
    30_000,
  );
}
