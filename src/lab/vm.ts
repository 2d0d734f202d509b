// Tiny lab VMs: the libvirt domain XML for the busybox guest, and define/start/destroy through virsh.
// Lab and test code only; the monitor itself never runs virsh.

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, succeeds, requireProgram } from './host/services.js';
import { GUEST_READY_MARKER, type GuestImage } from './guest-image.js';

export interface VmSpec {
  name: string;
  /** Default: a random UUID. */
  uuid?: string;
  memoryMiB?: number;
  vcpus?: number;
  kernel: string;
  initrd: string;
  /** CIDR address of the guest's eth0, e.g. 10.213.3.10/24. */
  ip: string;
  gateway?: string;
  /** Seconds of CPU burn right after boot. */
  hogSeconds?: number;
  /** OVS bridge the vNIC joins. */
  bridge: string;
  mac: string;
  /** vNIC device name on the host (OVS port name); libvirt picks vnetN when absent. Max 15 chars. */
  portName?: string;
  /** File the serial console is written to. */
  consoleLog: string;
  /** Raw disk image attached as virtio vda. */
  diskImage?: string;
  /** Balloon statistics period in seconds (0 disables; default 2). */
  balloonStatsPeriod?: number;
  /** Extra XML placed inside <metadata> (e.g. OpenStack Nova's instance element). */
  metadataXml?: string;
}

/** Text escaped for an XML attribute or element. */
export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}

/** The domain XML: type qemu (no KVM), direct kernel boot, serial console to a file, vNIC on OVS. */
export function domainXml(spec: VmSpec): string {
  const memKiB = (spec.memoryMiB ?? 96) * 1024;
  // no_timer_check: under a busy host, QEMU without KVM can be too slow for the kernel's IO-APIC timer
  // check, which then panics ("IO-APIC + timer doesn't work!"); kernel-parameters.txt.
  const args = ['console=ttyS0', 'quiet', 'panic=-1', 'no_timer_check', `vigil.ip=${spec.ip}`];
  if (spec.gateway) args.push(`vigil.gw=${spec.gateway}`);
  if (spec.hogSeconds) args.push(`vigil.hog=${Math.floor(spec.hogSeconds)}`);
  const period = spec.balloonStatsPeriod ?? 2;
  const disk = spec.diskImage
    ? `
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='${esc(spec.diskImage)}'/>
      <target dev='vda' bus='virtio'/>
    </disk>`
    : '';
  const target = spec.portName ? `\n      <target dev='${esc(spec.portName)}'/>` : '';
  const metadata = spec.metadataXml ? `\n  <metadata>\n    ${spec.metadataXml}\n  </metadata>` : '';
  return `<domain type='qemu'>
  <name>${esc(spec.name)}</name>
  <uuid>${esc(spec.uuid ?? randomUUID())}</uuid>${metadata}
  <memory unit='KiB'>${memKiB}</memory>
  <currentMemory unit='KiB'>${memKiB}</currentMemory>
  <vcpu placement='static'>${spec.vcpus ?? 1}</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${esc(spec.kernel)}</kernel>
    <initrd>${esc(spec.initrd)}</initrd>
    <cmdline>${esc(args.join(' '))}</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>${disk}
    <interface type='bridge'>
      <mac address='${esc(spec.mac)}'/>
      <source bridge='${esc(spec.bridge)}'/>
      <virtualport type='openvswitch'/>${target}
      <model type='virtio'/>
      <driver name='qemu'>
        <host csum='off' gso='off' tso4='off' tso6='off' ecn='off' ufo='off'/>
        <guest csum='off' tso4='off' tso6='off' ecn='off' ufo='off'/>
      </driver>
    </interface>
    <serial type='file'>
      <source path='${esc(spec.consoleLog)}'/>
      <target port='0'/>
    </serial>
    <memballoon model='virtio'>${period > 0 ? `\n      <stats period='${period}'/>\n    ` : ''}</memballoon>
  </devices>
</domain>
`;
}

export interface LabVm {
  name: string;
  uuid: string;
  mac: string;
  ip: string;
  consoleLog: string;
}

export interface StartVmOptions {
  /** libvirt URI (default qemu:///system). */
  uri?: string;
  /** Wait for the guest's ready line on the console (default true). */
  waitReady?: boolean;
  readyTimeoutMs?: number;
}

/** Defines and starts a VM from a spec; by default waits until its httpd serves. */
export async function startVm(
  spec: Omit<VmSpec, 'uuid'> & { uuid?: string },
  opts: StartVmOptions = {},
): Promise<LabVm> {
  await requireProgram('virsh', 'libvirt-clients');
  await requireProgram('qemu-system-x86_64', 'qemu-system-x86');
  const uri = opts.uri ?? 'qemu:///system';
  const uuid = spec.uuid ?? randomUUID();
  await destroyVm(spec.name, { uri });
  await mkdir(join(spec.consoleLog, '..'), { recursive: true });
  await rm(spec.consoleLog, { force: true });
  const xml = domainXml({ ...spec, uuid });
  const xmlFile = `${spec.consoleLog}.domain.xml`;
  await writeFile(xmlFile, xml);
  await run('virsh', ['-c', uri, 'define', xmlFile]);
  await run('virsh', ['-c', uri, 'start', spec.name], { timeoutMs: 60_000 });
  const vm: LabVm = { name: spec.name, uuid, mac: spec.mac, ip: spec.ip, consoleLog: spec.consoleLog };
  if (opts.waitReady ?? true) await waitForGuest(vm, opts.readyTimeoutMs ?? 120_000, uri);
  return vm;
}

/**
 * Resolves when the guest printed its ready line on the serial console; with `uri`, fails early when
 * the domain stopped first (a guest panic stops it: panic=-1 reboots and on_reboot is destroy).
 */
export async function waitForGuest(vm: LabVm, timeoutMs = 120_000, uri?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastStateCheck = Date.now();
  let stopped = false;
  while (Date.now() < deadline) {
    if ((await consoleText(vm.consoleLog)).includes(GUEST_READY_MARKER)) return;
    if (uri && Date.now() - lastStateCheck > 2000) {
      lastStateCheck = Date.now();
      const state = await run('virsh', ['-c', uri, 'domstate', vm.name], { timeoutMs: 15_000 }).then(
        (r) => r.stdout.trim(),
        () => 'unknown',
      );
      if (state === 'shut off' || state === 'crashed') {
        stopped = true;
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = (await consoleText(vm.consoleLog)).slice(-2000) || '(no console output)';
  throw new Error(
    stopped
      ? `VM ${vm.name} stopped before printing ${GUEST_READY_MARKER}; console:\n${tail}`
      : `VM ${vm.name} did not print ${GUEST_READY_MARKER} within ${timeoutMs / 1000} s; console:\n${tail}`,
  );
}

async function consoleText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** Destroys (if running) and undefines a VM; absent VMs are fine. */
export async function destroyVm(name: string, opts: { uri?: string } = {}): Promise<void> {
  const uri = opts.uri ?? 'qemu:///system';
  await succeeds('virsh', ['-c', uri, 'destroy', name], { timeoutMs: 30_000 });
  await succeeds('virsh', ['-c', uri, 'undefine', name], { timeoutMs: 30_000 });
}

/** Guest image paths in the shape VmSpec wants. */
export function bootFiles(image: GuestImage): Pick<VmSpec, 'kernel' | 'initrd'> {
  return { kernel: image.kernel, initrd: image.initrd };
}
