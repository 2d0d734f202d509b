import { describe, expect, it } from 'vitest';
import { LAB_PACKAGES, missingFrom, missingPackages } from '../../src/lab/debian-packages.js';

describe('missingFrom', () => {
  it('lists the packages dpkg does not report as installed', () => {
    const out = [
      'openvswitch-switch\tinstall ok installed',
      'qemu-system-x86\tdeinstall ok config-files',
      'cpio:amd64\tinstall ok installed',
      'garbage line',
    ].join('\n');
    expect(missingFrom(['openvswitch-switch', 'qemu-system-x86', 'cpio', 'ethtool'], out)).toEqual([
      'qemu-system-x86',
      'ethtool',
    ]);
  });

  it('finds an unknown package missing on this machine, and dpkg itself present', async () => {
    expect(await missingPackages(['dpkg', 'vigil-no-such-package'])).toEqual(['vigil-no-such-package']);
    expect(LAB_PACKAGES).toContain('openvswitch-switch');
  });
});
