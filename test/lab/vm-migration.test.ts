import { describe, expect, it } from 'vitest';
import { retargetDomainXml } from '../../src/lab/vm-migration.js';

/** The devices of a lab VM as `virsh dumpxml --migratable` prints them (libvirt 9.0), with a disk. */
const MIGRATABLE = `<domain type='qemu'>
  <name>vmg-guest</name>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/tmp/disk.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='bridge'>
      <mac address='52:54:00:d3:07:0a'/>
      <source bridge='vmg0'/>
      <virtualport type='openvswitch'>
        <parameters interfaceid='561d5d8e-e2b3-4232-a2b5-cd60e4e8306f'/>
      </virtualport>
      <target dev='vmg-ga'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </interface>
    <serial type='file'>
      <source path='/var/tmp/guest-a.console.log'/>
      <target type='isa-serial' port='0'>
        <model name='isa-serial'/>
      </target>
    </serial>
    <console type='file'>
      <source path='/var/tmp/guest-a.console.log'/>
      <target type='serial' port='0'/>
    </console>
  </devices>
</domain>
`;

const TO = { bridge: 'vmg1', portName: 'vmg-gb', consoleLog: '/var/tmp/guest-b.console.log' };

describe('the domain XML a migration target starts from', () => {
  it('moves the vNIC to the target bridge under its own port name and the console to its own file', () => {
    const out = retargetDomainXml(MIGRATABLE, TO);
    expect(out).toContain("<source bridge='vmg1'/>");
    expect(out).toContain("<target dev='vmg-gb'/>");
    expect(out.match(/<source path='\/var\/tmp\/guest-b\.console\.log'\/>/g)).toHaveLength(2);
    // Nothing else changes: the disk keeps its target, the vNIC its MAC, PCI address and interface id.
    const back = retargetDomainXml(out, {
      bridge: 'vmg0',
      portName: 'vmg-ga',
      consoleLog: '/var/tmp/guest-a.console.log',
    });
    expect(back).toBe(MIGRATABLE);
  });

  it('leaves a console that writes to no file as it is', () => {
    const pty = MIGRATABLE.replace(
      /<serial type='file'>[\s\S]*?<\/console>/,
      "<serial type='pty'>\n      <target port='0'/>\n    </serial>",
    );
    expect(pty).not.toContain('console.log');
    expect(retargetDomainXml(pty, TO)).toBe(pty.replace("'vmg0'", "'vmg1'").replace("'vmg-ga'", "'vmg-gb'"));
  });

  it('escapes what it writes', () => {
    const out = retargetDomainXml(MIGRATABLE, { ...TO, consoleLog: "/var/tmp/a'b&c.log" });
    expect(out).toContain("<source path='/var/tmp/a&apos;b&amp;c.log'/>");
  });

  it('refuses a domain without exactly one vNIC, or a vNIC without a bridge or a device name', () => {
    const iface = /<interface[\s\S]*?<\/interface>\n/.exec(MIGRATABLE)![0];
    expect(() => retargetDomainXml(MIGRATABLE.replace(iface, ''), TO)).toThrow(/0 vNICs/);
    expect(() => retargetDomainXml(MIGRATABLE.replace(iface, iface + iface), TO)).toThrow(/2 vNICs/);
    expect(() => retargetDomainXml(MIGRATABLE.replace("<target dev='vmg-ga'/>", ''), TO)).toThrow(
      /no <target dev=/,
    );
    expect(() => retargetDomainXml(MIGRATABLE.replace("bridge='vmg0'", "network='default'"), TO)).toThrow(
      /no <source bridge=/,
    );
  });
});
