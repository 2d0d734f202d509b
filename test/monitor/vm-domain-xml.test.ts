import { describe, expect, it } from 'vitest';
import { domainXml } from '../../src/lab/vm.js';
import { parseDomainInventory } from '../../src/monitor/domain-inventory.js';

const spec = {
  name: 'vmon-a',
  uuid: '0c6a0a6e-5d2e-4c55-9a0f-2f8a8f0e7d11',
  kernel: '/var/cache/vigil/guest/vmlinuz',
  initrd: '/var/cache/vigil/guest/initrd.img',
  ip: '10.213.3.10/24',
  bridge: 'vmon0',
  mac: '52:54:00:d3:03:0a',
  portName: 'vmon-a0',
  consoleLog: '/var/log/vigil/vmon-a.log',
};

describe('lab domain XML', () => {
  it('is a QEMU (no KVM) domain that our own inventory parser reads back', () => {
    const xml = domainXml({ ...spec, diskImage: '/var/lib/vigil/vmon-a.img' });
    expect(xml).toMatch(/<domain type='qemu'>/);
    const r = parseDomainInventory(xml);
    if (!r.ok) throw new Error(r.error);
    expect(r.inventory).toMatchObject({
      name: 'vmon-a',
      uuid: spec.uuid,
      type: 'qemu',
      memoryKiB: 96 * 1024,
      vcpus: 1,
    });
    expect(r.inventory.vnics).toEqual([
      {
        mac: spec.mac,
        type: 'bridge',
        bridge: 'vmon0',
        portName: 'vmon-a0',
        openvswitch: true,
        model: 'virtio',
      },
    ]);
    expect(r.inventory.disks).toEqual([
      { target: 'vda', device: 'disk', source: '/var/lib/vigil/vmon-a.img' },
    ]);
  });

  it('turns the vNIC offloads off on both sides (TCP through the userspace datapath needs it)', () => {
    const xml = domainXml(spec);
    expect(xml).toContain("<host csum='off' gso='off' tso4='off' tso6='off' ecn='off' ufo='off'/>");
    expect(xml).toContain("<guest csum='off' tso4='off' tso6='off' ecn='off' ufo='off'/>");
    expect(xml).toContain("<virtualport type='openvswitch'/>");
  });

  it('boots the cached kernel with the guest arguments and writes the console to a file', () => {
    const xml = domainXml({ ...spec, gateway: '10.213.3.1', hogSeconds: 30, memoryMiB: 128, vcpus: 2 });
    expect(xml).toContain(
      '<cmdline>console=ttyS0 quiet panic=-1 no_timer_check vigil.ip=10.213.3.10/24 vigil.gw=10.213.3.1 vigil.hog=30</cmdline>',
    );
    expect(xml).toContain(`<serial type='file'>\n      <source path='${spec.consoleLog}'/>`);
    expect(xml).toContain("<memory unit='KiB'>131072</memory>");
    expect(xml).toContain("<vcpu placement='static'>2</vcpu>");
    expect(xml).toContain("<stats period='2'/>");
    expect(domainXml({ ...spec, balloonStatsPeriod: 0 })).not.toContain('<stats');
  });

  it('escapes what it embeds', () => {
    const xml = domainXml({ ...spec, name: "a<b>&'c" });
    expect(xml).toContain('<name>a&lt;b&gt;&amp;&apos;c</name>');
    const r = parseDomainInventory(xml);
    expect(r.ok && r.inventory.name).toBe("a<b>&'c");
  });
});
