// Boots one lab VM through libvirt and waits until its httpd serves. Under a busy host, QEMU without KVM
// can be too slow for the guest kernel's IO-APIC timer check, which then panics ("IO-APIC + timer doesn't
// work!"); `no_timer_check` skips that check (kernel-parameters.txt). A guest that stops before it is
// ready (panic=-1 reboots, on_reboot=destroy stops the domain) is started again, a few times at most.

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GUEST_READY_MARKER } from './guest-image.js';
import { requireProgram, run } from './host/services.js';
import { destroyVm, domainXml, type LabVm, type VmSpec } from './vm.js';

export const LAB_KERNEL_ARGS = ['no_timer_check'];
const ATTEMPTS = 3;

/** Adds kernel arguments to a domain XML's <cmdline>. */
export function withKernelArgs(xml: string, args: readonly string[]): string {
  if (args.length === 0) return xml;
  return xml.replace(/<cmdline>/, `<cmdline>${args.join(' ')} `);
}

async function domState(uri: string, name: string): Promise<string> {
  return run('virsh', ['-c', uri, 'domstate', name], { timeoutMs: 15_000 }).then(
    (r) => r.stdout.trim(),
    () => 'unknown',
  );
}

async function consoleText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Defines and starts the VM, waits for its ready line; restarts it when it stopped before that.
 * `onRetry` hears why.
 */
export async function bootLabVm(
  spec: Omit<VmSpec, 'uuid'>,
  opts: { uri: string; readyTimeoutMs: number; onRetry?: (why: string) => void },
): Promise<LabVm> {
  await requireProgram('virsh', 'libvirt-clients');
  await requireProgram('qemu-system-x86_64', 'qemu-system-x86');
  const uuid = randomUUID();
  await destroyVm(spec.name, { uri: opts.uri });
  await mkdir(dirname(spec.consoleLog), { recursive: true });
  const xmlFile = `${spec.consoleLog}.domain.xml`;
  await writeFile(xmlFile, withKernelArgs(domainXml({ ...spec, uuid }), LAB_KERNEL_ARGS));
  await run('virsh', ['-c', opts.uri, 'define', xmlFile]);
  const deadline = Date.now() + opts.readyTimeoutMs;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    await rm(spec.consoleLog, { force: true });
    await run('virsh', ['-c', opts.uri, 'start', spec.name], { timeoutMs: 60_000 });
    let lastStateCheck = 0;
    while (Date.now() < deadline) {
      const text = await consoleText(spec.consoleLog);
      if (text.includes(GUEST_READY_MARKER))
        return { name: spec.name, uuid, mac: spec.mac, ip: spec.ip, consoleLog: spec.consoleLog };
      if (Date.now() - lastStateCheck > 2000) {
        lastStateCheck = Date.now();
        const state = await domState(opts.uri, spec.name);
        if (state === 'shut off' || state === 'crashed') {
          const panic = /Kernel panic[^\n]*/.exec(text)?.[0] ?? `domain ${state}`;
          if (attempt === ATTEMPTS)
            throw new Error(`VM ${spec.name} stopped before it was ready (${attempt} attempts): ${panic}`);
          opts.onRetry?.(`${spec.name} stopped before it was ready (${panic}); starting it again`);
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (Date.now() >= deadline) {
      const tail = (await consoleText(spec.consoleLog)).slice(-1500) || '(no console output)';
      throw new Error(
        `VM ${spec.name} did not print ${GUEST_READY_MARKER} within ${opts.readyTimeoutMs / 1000} s; console:\n${tail}`,
      );
    }
  }
  throw new Error(`VM ${spec.name} did not come up`);
}
