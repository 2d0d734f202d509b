// A libvirtd of its own on this machine: a second "compute host" that a VM can be live-migrated to from
// another one. libvirt's QEMU driver keeps its state under fixed paths (/run/libvirt, /var/lib/libvirt,
// /var/cache/libvirt, /var/log/libvirt) and reads /etc/libvirt, so the daemon runs in a private mount
// namespace (`unshare -m`) where those folders are bind mounts of folders of its own; it shares the
// machine's network namespace and Open vSwitch (/run/openvswitch is not covered), so its QEMUs join the
// same bridges and reach the other daemon's QEMUs on loopback. The mounts exist only in that namespace
// and vanish with its last process: the machine's own libvirtd and its files are never touched.
//
// Its sockets are in <dir>/sock, reachable from outside the namespace. Its host UUID is its own (libvirt
// refuses to migrate a domain to a daemon with the same one). QEMU writes its log to a file
// (stdio_handler "file"), so no virtlogd is needed.

import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireProgram, run, succeeds, waitFor } from './services.js';

export interface PrivateLibvirtdOptions {
  /** Folder for its state, configuration, sockets and logs; emptied first, removed by stop(). */
  dir: string;
  /** Its host UUID: distinct from every other daemon's. */
  hostUuid: string;
}

/** The fixed state folders of libvirtd and its QEMU driver, each covered by a folder of `dir`. */
const STATE_MOUNTS = [
  ['run', '/run/libvirt'],
  ['lib', '/var/lib/libvirt'],
  ['cache', '/var/cache/libvirt'],
  ['log', '/var/log/libvirt'],
  ['etc', '/etc/libvirt'],
] as const;

const QEMU_CONF = `user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
stdio_handler = "file"
`;

const STOP_WAIT_MS = 10_000;

/** A single-quoted shell word. */
function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export class PrivateLibvirtd {
  /** Read-write connection URI (virsh). */
  readonly uri: string;
  /** Read-only connection URI (what the monitor needs). */
  readonly readOnlyUri: string;

  private constructor(
    readonly dir: string,
    private readonly daemon: ChildProcess,
  ) {
    this.uri = `qemu+unix:///system?socket=${join(dir, 'sock', 'libvirt-sock')}`;
    this.readOnlyUri = `qemu+unix:///system?socket=${join(dir, 'sock', 'libvirt-sock-ro')}`;
  }

  /** Starts the daemon and waits until its QEMU driver answers; stops what a previous run left in `dir`. */
  static async start(opts: PrivateLibvirtdOptions): Promise<PrivateLibvirtd> {
    await requireProgram('unshare', 'util-linux');
    await requireProgram('mount', 'mount');
    const libvirtd = await requireProgram('libvirtd', 'libvirt-daemon');
    await requireProgram('virsh', 'libvirt-clients');
    await requireProgram('qemu-system-x86_64', 'qemu-system-x86');
    const { dir } = opts;
    await killLeftovers(dir);
    await rm(dir, { recursive: true, force: true });
    for (const [sub, path] of STATE_MOUNTS) {
      await mkdir(join(dir, sub), { recursive: true });
      await mkdir(path, { recursive: true }); // the mount point
    }
    await mkdir(join(dir, 'etc', 'qemu'), { recursive: true });
    await mkdir(join(dir, 'sock'), { recursive: true });
    await writeFile(join(dir, 'etc', 'qemu.conf'), QEMU_CONF);
    const conf = join(dir, 'etc', 'libvirtd.conf');
    await writeFile(
      conf,
      [
        `unix_sock_dir = "${join(dir, 'sock')}"`,
        'unix_sock_rw_perms = "0700"',
        'auth_unix_rw = "none"',
        'auth_unix_ro = "none"',
        `host_uuid = "${opts.hostUuid}"`,
        `log_outputs = "3:file:${join(dir, 'libvirtd.log')}"`,
        '',
      ].join('\n'),
    );
    const mounts = STATE_MOUNTS.map(([sub, path]) => `mount --bind ${sh(join(dir, sub))} ${path}`);
    const script = [
      ...mounts,
      `exec ${sh(libvirtd)} -f ${sh(conf)} -p ${sh(join(dir, 'libvirtd.pid'))}`,
    ].join(' && ');
    const out = openSync(join(dir, 'daemon.out'), 'a');
    const daemon = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    const d = new PrivateLibvirtd(dir, daemon);
    let exited: string | undefined;
    daemon.once('exit', (code, signal) => (exited = `exited (${signal ?? code})`));
    try {
      await waitFor(
        `libvirtd in ${dir}`,
        async () => {
          if (exited !== undefined) throw new Error(`libvirtd ${exited}: ${await d.logTail()}`);
          return succeeds('virsh', ['-c', d.uri, 'uri'], { timeoutMs: 5_000 });
        },
        30_000,
        200,
      );
      const caps = (await run('virsh', ['-c', d.uri, 'capabilities'])).stdout;
      if (!caps.includes(`<uuid>${opts.hostUuid}</uuid>`))
        throw new Error(`libvirtd in ${dir} does not report host UUID ${opts.hostUuid}`);
    } catch (err) {
      await d.stop();
      throw err;
    }
    return d;
  }

  /** The last lines the daemon and its log wrote (for error messages). */
  async logTail(): Promise<string> {
    const read = (f: string) => readFile(join(this.dir, f), 'utf8').catch(() => '');
    const text = `${await read('daemon.out')}${await read('libvirtd.log')}`;
    return text.split('\n').slice(-15).join('\n').trim() || '(no output)';
  }

  /** Destroys its domains, stops the daemon, kills QEMUs it left, removes its folder; never throws. */
  async stop(): Promise<void> {
    if (this.daemon.exitCode === null && this.daemon.signalCode === null) {
      const names = await run('virsh', ['-c', this.uri, 'list', '--all', '--name'], {
        timeoutMs: 15_000,
      }).then(
        (r) =>
          r.stdout
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean),
        () => [] as string[],
      );
      for (const name of names) {
        await succeeds('virsh', ['-c', this.uri, 'destroy', name], { timeoutMs: 30_000 });
        await succeeds('virsh', ['-c', this.uri, 'undefine', name], { timeoutMs: 30_000 });
      }
      const exited = new Promise<void>((r) => this.daemon.once('exit', () => r()));
      this.daemon.kill('SIGTERM');
      const timer = setTimeout(() => this.daemon.kill('SIGKILL'), STOP_WAIT_MS);
      await exited;
      clearTimeout(timer);
    }
    await killLeftovers(this.dir);
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Kills a daemon and QEMUs a previous run left in `dir`, by the pid files they wrote there: only a
 * process whose mounts show `dir`'s state folder (a pid may have been reused by another process).
 */
async function killLeftovers(dir: string): Promise<void> {
  const pidFiles = [join(dir, 'libvirtd.pid')];
  const qemuRun = join(dir, 'run', 'qemu');
  for (const f of await readdir(qemuRun).catch(() => [] as string[]))
    if (f.endsWith('.pid')) pidFiles.push(join(qemuRun, f));
  for (const file of pidFiles) {
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 1) continue;
    const mounts = await readFile(`/proc/${pid}/mountinfo`, 'utf8').catch(() => '');
    if (!mounts.includes(` ${join(dir, 'run')} /run/libvirt `)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}
