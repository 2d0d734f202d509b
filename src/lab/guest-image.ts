// The tiny guest: a Debian kernel plus a busybox initramfs that configures its address from the kernel
// command line and serves files over HTTP. Built once into a cache folder and reused.
//
// Kernel command-line arguments read by the guest's /init:
//   vigil.ip=10.213.3.10/24   address of eth0 (required for networking)
//   vigil.gw=10.213.3.1       default route (optional)
//   vigil.hog=N               burn CPU for N seconds right after boot (optional; 0 or absent: none)
// HTTP on port 80:
//   /pages/page-{1..4}.html   small pages (1-16 KiB)
//   /songs/song-{1,2}.bin     larger files (512 KiB, 2 MiB)
//   /cgi-bin/hog?seconds=N    burn one CPU for N seconds (default 10, at most 3600)
//   /cgi-bin/disk?mib=N       read N MiB from /dev/vda when a disk is attached (default 4)
// The console prints `VIGIL-GUEST-READY ip=<cidr>` once httpd is serving.

import { execFile } from 'node:child_process';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
  chmod,
  rename,
} from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { requireProgram, run } from './host/services.js';

export const DEFAULT_GUEST_CACHE = '/var/cache/vigil/guest';

/** Loaded in this order: each one's symbols are needed by the next (otherwise "unknown symbol"). */
export const GUEST_MODULES = [
  'virtio_ring',
  'virtio',
  'virtio_pci_modern_dev',
  'virtio_pci_legacy_dev',
  'virtio_pci',
  'failover',
  'net_failover',
  'virtio_net',
  'virtio_balloon',
  'virtio_blk',
] as const;

export const GUEST_READY_MARKER = 'VIGIL-GUEST-READY';

/** Bumped when the initramfs content changes, so that stale caches are rebuilt. */
const IMAGE_REVISION = 3;

export interface GuestImage {
  kernel: string;
  initrd: string;
  kernelVersion: string;
}

export interface GuestImageOptions {
  cacheDir?: string;
  /** Progress lines ("downloading linux-image-6.1.0-NN-amd64", ...). */
  onProgress?: (message: string) => void;
}

interface Stamp {
  revision: number;
  kernelVersion: string;
}

const building = new Map<string, Promise<GuestImage>>();

/**
 * Returns the cached guest kernel and initramfs, downloading and building what is missing. Concurrent
 * callers (in this process or others) wait for one build.
 */
export function ensureGuestImage(opts: GuestImageOptions = {}): Promise<GuestImage> {
  const cacheDir = opts.cacheDir ?? DEFAULT_GUEST_CACHE;
  let p = building.get(cacheDir);
  if (!p) {
    p = withCacheLock(cacheDir, () => buildGuestImage(cacheDir, opts)).finally(() =>
      building.delete(cacheDir),
    );
    building.set(cacheDir, p);
  }
  return p;
}

/** A lock folder in the cache; one left by a process that died is taken over after LOCK_STALE_MS. */
const LOCK_STALE_MS = 10 * 60_000;

async function withCacheLock<T>(cacheDir: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(cacheDir, { recursive: true });
  const lock = join(cacheDir, '.lock');
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function buildGuestImage(cacheDir: string, opts: GuestImageOptions): Promise<GuestImage> {
  const progress = opts.onProgress ?? (() => {});
  const stampPath = join(cacheDir, 'image.json');
  const kernel = join(cacheDir, 'vmlinuz');
  const initrd = join(cacheDir, 'initrd.img');

  const stamp = await readStamp(stampPath);
  if (stamp?.revision === IMAGE_REVISION && (await isFile(kernel)) && (await isFile(initrd))) {
    return { kernel, initrd, kernelVersion: stamp.kernelVersion };
  }

  await requireProgram('apt-get', 'apt');
  await requireProgram('dpkg-deb', 'dpkg');
  await requireProgram('cpio', 'cpio');
  await requireProgram('gzip', 'gzip');
  const busybox = await findBusybox();
  await mkdir(cacheDir, { recursive: true });

  const kernelTree = join(cacheDir, 'kernel');
  const kernelVersion = await ensureKernelTree(cacheDir, kernelTree, progress);
  const vmlinuz = join(kernelTree, 'boot', `vmlinuz-${kernelVersion}`);
  await copyFile(vmlinuz, `${kernel}.partial`);
  await rename(`${kernel}.partial`, kernel);

  progress('building the busybox initramfs');
  const modules = await resolveModules(join(kernelTree, 'lib', 'modules', kernelVersion));
  await buildInitramfs(initrd, busybox, modules);
  await writeFile(stampPath, JSON.stringify({ revision: IMAGE_REVISION, kernelVersion } satisfies Stamp));
  progress(`guest image ready in ${cacheDir} (kernel ${kernelVersion})`);
  return { kernel, initrd, kernelVersion };
}

async function readStamp(path: string): Promise<Stamp | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as Partial<Stamp>;
    if (typeof v.revision === 'number' && typeof v.kernelVersion === 'string') {
      return { revision: v.revision, kernelVersion: v.kernelVersion };
    }
  } catch {
    // absent or unreadable: rebuilt
  }
  return undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function findBusybox(): Promise<string> {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) {
    if (!(await isFile(p))) continue;
    // A dynamically linked busybox names its ELF interpreter near the start of the file.
    const head = (await readFile(p)).subarray(0, 4096).toString('latin1');
    if (!head.includes('/ld-linux')) return p;
  }
  throw new Error(
    'a statically linked busybox is not installed: run `apt-get install -y --no-install-recommends busybox-static`',
  );
}

/** Downloads the kernel package that linux-image-amd64 depends on and extracts it; returns its version. */
async function ensureKernelTree(
  cacheDir: string,
  kernelTree: string,
  progress: (m: string) => void,
): Promise<string> {
  const existing = await installedKernelVersion(kernelTree);
  if (existing) {
    progress(`reusing the extracted kernel ${existing}`);
    return existing;
  }
  const { stdout } = await run('apt-cache', ['depends', 'linux-image-amd64']);
  const pkg = /Depends:\s+(linux-image-\d[^\s]*-amd64)\b/.exec(stdout)?.[1];
  if (!pkg) {
    throw new Error('apt-cache knows no linux-image-amd64 dependency: run `apt-get update` first');
  }
  const dl = join(cacheDir, 'download');
  await rm(dl, { recursive: true, force: true });
  await mkdir(dl, { recursive: true });
  progress(`downloading ${pkg}`);
  await runIn(dl, 'apt-get', ['download', pkg], 300_000);
  const deb = (await readdir(dl)).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb`);
  progress(`extracting ${deb}`);
  const partial = `${kernelTree}.partial`;
  await rm(partial, { recursive: true, force: true });
  await run('dpkg-deb', ['-x', join(dl, deb), partial], { timeoutMs: 300_000 });
  await rm(kernelTree, { recursive: true, force: true });
  await rename(partial, kernelTree);
  await rm(dl, { recursive: true, force: true });
  const version = await installedKernelVersion(kernelTree);
  if (!version) throw new Error(`${deb} holds no boot/vmlinuz-*`);
  return version;
}

function runIn(cwd: string, cmd: string, args: string[], timeoutMs: number): Promise<unknown> {
  // apt-get download writes into the current directory.
  return run('sh', ['-c', 'cd "$0" && exec "$@"', cwd, cmd, ...args], { timeoutMs });
}

async function installedKernelVersion(kernelTree: string): Promise<string | undefined> {
  try {
    const boot = await readdir(join(kernelTree, 'boot'));
    const v = boot.find((f) => f.startsWith('vmlinuz-'));
    return v?.slice('vmlinuz-'.length);
  } catch {
    return undefined;
  }
}

/** Module files for GUEST_MODULES, in load order; built-in ones are left out. */
async function resolveModules(moduleDir: string): Promise<string[]> {
  // modules.order lists every module file of the package (modules.dep is only made by depmod on install).
  const order = await readFile(join(moduleDir, 'modules.order'), 'utf8');
  let builtin = '';
  try {
    builtin = await readFile(join(moduleDir, 'modules.builtin'), 'utf8');
  } catch {
    // optional
  }
  const files = order.split('\n').map((l) => l.trim());
  const out: string[] = [];
  for (const name of GUEST_MODULES) {
    const variants = [name, name.replaceAll('_', '-')];
    const hit = files.find((f) => variants.some((v) => new RegExp(`/${v}\\.ko(\\.[a-z]+)?$`).test(f)));
    if (hit) {
      out.push(join(moduleDir, hit));
    } else if (!variants.some((v) => new RegExp(`/${v}\\.ko$`, 'm').test(builtin))) {
      throw new Error(`kernel module ${name} is neither a module nor built in`);
    }
  }
  return out;
}

const INIT_SCRIPT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /modules/order); do insmod /modules/$m || echo "insmod $m failed"; done
arg() { for a in $(cat /proc/cmdline); do case "$a" in "$1"=*) echo "\${a#*=}";; esac; done; }
IP=$(arg vigil.ip)
GW=$(arg vigil.gw)
HOG=$(arg vigil.hog)
ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
ip link set eth0 up
[ -n "$IP" ] && ip addr add "$IP" dev eth0
[ -n "$GW" ] && ip route add default via "$GW"
httpd -p 80 -h /www
[ -n "$HOG" ] && [ "$HOG" -gt 0 ] 2>/dev/null && /www/cgi-bin/hog-run "$HOG" &
echo "${GUEST_READY_MARKER} ip=$IP" > /dev/console
exec sh -c 'while :; do sleep 3600; done'
`;

const HOG_RUN = `#!/bin/sh
# Burns one CPU for $1 seconds.
end=$(( $(date +%s) + $1 ))
while [ $(date +%s) -lt $end ]; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; done
`;

const HOG_CGI = `#!/bin/sh
s=$(echo "$QUERY_STRING" | sed -n 's/.*seconds=\\([0-9]*\\).*/\\1/p')
[ -z "$s" ] && s=10
[ "$s" -gt 3600 ] && s=3600
/www/cgi-bin/hog-run "$s" > /dev/null 2>&1 &
printf 'Content-Type: text/plain\\r\\n\\r\\nhog %s s\\n' "$s"
`;

const DISK_CGI = `#!/bin/sh
m=$(echo "$QUERY_STRING" | sed -n 's/.*mib=\\([0-9]*\\).*/\\1/p')
[ -z "$m" ] && m=4
printf 'Content-Type: text/plain\\r\\n\\r\\n'
if [ -b /dev/vda ]; then dd if=/dev/vda of=/dev/null bs=65536 count=$((m*16)) iflag=direct 2>&1; else echo "no disk"; fi
`;

async function buildInitramfs(target: string, busybox: string, modules: string[]): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'vigil-initramfs-'));
  try {
    for (const d of [
      'bin',
      'sbin',
      'proc',
      'sys',
      'dev',
      'tmp',
      'modules',
      'www/pages',
      'www/songs',
      'www/cgi-bin',
    ]) {
      await mkdir(join(root, d), { recursive: true });
    }
    await copyFile(busybox, join(root, 'bin', 'busybox'));
    await chmod(join(root, 'bin', 'busybox'), 0o755);
    const order: string[] = [];
    for (const m of modules) {
      const base = m.slice(m.lastIndexOf('/') + 1);
      if (base.endsWith('.ko')) {
        await copyFile(m, join(root, 'modules', base));
        order.push(base);
      } else {
        // Compressed module: busybox insmod needs the plain object.
        const plain = base.replace(/\.ko\.[a-z]+$/, '.ko');
        const tool = base.endsWith('.xz') ? 'xz' : base.endsWith('.zst') ? 'zstd' : 'gzip';
        const { stdout } = await runBinary(tool, ['-dc', m]);
        await writeFile(join(root, 'modules', plain), stdout);
        order.push(plain);
      }
    }
    await writeFile(join(root, 'modules', 'order'), order.join('\n') + '\n');
    await writeExecutable(join(root, 'init'), INIT_SCRIPT);
    await writeExecutable(join(root, 'www', 'cgi-bin', 'hog-run'), HOG_RUN);
    await writeExecutable(join(root, 'www', 'cgi-bin', 'hog'), HOG_CGI);
    await writeExecutable(join(root, 'www', 'cgi-bin', 'disk'), DISK_CGI);
    await writeFile(
      join(root, 'www', 'index.html'),
      '<!doctype html><title>vigil guest</title><p>vigil guest\n',
    );
    const pageSizes = [1024, 4096, 8192, 16384];
    for (const [i, size] of pageSizes.entries()) {
      await writeFile(join(root, 'www', 'pages', `page-${i + 1}.html`), filler(size, `page ${i + 1}`));
    }
    const songSizes = [512 * 1024, 2 * 1024 * 1024];
    for (const [i, size] of songSizes.entries()) {
      await writeFile(join(root, 'www', 'songs', `song-${i + 1}.bin`), filler(size, `song ${i + 1}`));
    }
    const partial = `${target}.partial`;
    await run('sh', ['-c', 'cd "$0" && find . | cpio -o -H newc --quiet | gzip -6 > "$1"', root, partial], {
      timeoutMs: 120_000,
    });
    await rename(partial, target);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function writeExecutable(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o755);
}

/** Deterministic, poorly compressible content of `size` bytes (xorshift32), led by a label. */
function filler(size: number, label: string): Buffer {
  const b = Buffer.alloc(size);
  let x = 0x9e3779b9 ^ size;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = 0x20 + ((x >>> 0) % 95);
  }
  b.write(label.slice(0, size));
  return b;
}

function runBinary(cmd: string, args: string[]): Promise<{ stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve({ stdout });
    });
  });
}
