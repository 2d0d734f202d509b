// The Debian packages the lab stands on; apt is called only for those missing.

import { run } from './host/services.js';

export const LAB_PACKAGES = [
  'openvswitch-switch',
  'libvirt-daemon',
  'libvirt-clients',
  'qemu-system-x86',
  'busybox-static',
  'cpio',
  'iproute2',
  'ethtool',
] as const;

/** dpkg-query -W output lines "name<TAB>status": the packages not fully installed. */
export function missingFrom(wanted: readonly string[], dpkgOutput: string): string[] {
  const installed = new Set<string>();
  for (const line of dpkgOutput.split('\n')) {
    const [name, status] = line.split('\t');
    if (name && status === 'install ok installed') installed.add(name.replace(/:.*$/, ''));
  }
  return wanted.filter((p) => !installed.has(p));
}

export async function missingPackages(wanted: readonly string[]): Promise<string[]> {
  let out = '';
  try {
    out = (await run('dpkg-query', ['-W', '-f=${Package}\t${Status}\n', ...wanted])).stdout;
  } catch (err) {
    // dpkg-query exits 1 when a package is unknown, yet prints the known ones.
    out = (err as { stdout?: string }).stdout ?? '';
  }
  return missingFrom(wanted, out);
}

/** Installs the missing packages (root only), reporting each phase. */
export async function installPackages(pkgs: readonly string[], note: (m: string) => void): Promise<void> {
  if (pkgs.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages: ${pkgs.join(' ')}; run as root, or: apt-get install -y --no-install-recommends ${pkgs.join(' ')}`,
    );
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  note('apt-get update');
  await run('apt-get', ['update', '-qq'], { timeoutMs: 600_000, env });
  note(`apt-get install ${pkgs.join(' ')}`);
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    timeoutMs: 1_800_000,
    env,
  });
}
