// Live migration of a lab VM from one libvirt host to another through virsh, onto the target host's own
// bridge: the domain XML the target starts from is the source's migratable XML with the vNIC moved to
// that bridge under a port name of its own (both QEMUs run at once during the migration, and on one
// machine their TAP devices share one namespace), and the serial console written to a file of its own.

import { writeFile } from 'node:fs/promises';
import { requireProgram, run } from './host/services.js';
import { esc } from './vm.js';

export interface MigrationTarget {
  /** OVS bridge the vNIC joins on the target host. */
  bridge: string;
  /** vNIC device name (OVS port name) on the target host. */
  portName: string;
  /** File the serial console is written to on the target host. */
  consoleLog: string;
}

const attr = (name: string, value: string) => `${name}='${esc(value)}'`;

/** Rewrites `<element ... name='...'` inside every `<block>...</block>` of the XML; counts the blocks. */
function inBlocks(
  xml: string,
  block: string,
  edit: (body: string) => string,
): { xml: string; blocks: number } {
  let blocks = 0;
  const re = new RegExp(`<${block}\\b[^>]*>[\\s\\S]*?</${block}>`, 'g');
  return {
    xml: xml.replace(re, (body) => {
      blocks++;
      return edit(body);
    }),
    blocks,
  };
}

/** Sets the attribute of the block's first such element; throws when there is none and it is `required`. */
function setAttr(body: string, element: string, name: string, value: string, required = true): string {
  const re = new RegExp(`(<${element}\\b[^>]*?\\s)${name}=(?:'[^']*'|"[^"]*")`);
  if (!re.test(body)) {
    if (!required) return body;
    throw new Error(`domain XML: no <${element} ${name}=...> in <${body.slice(1, 20)}...`);
  }
  return body.replace(re, (_, head: string) => `${head}${attr(name, value)}`);
}

/**
 * The domain XML for the target host: the one vNIC on `to.bridge` as `to.portName`, a serial console
 * written to a file (and the console that mirrors it) in `to.consoleLog`. Throws when the XML has not
 * exactly one vNIC, or it has no bridge or device name.
 */
export function retargetDomainXml(xml: string, to: MigrationTarget): string {
  const nic = inBlocks(xml, 'interface', (b) =>
    setAttr(setAttr(b, 'source', 'bridge', to.bridge), 'target', 'dev', to.portName),
  );
  if (nic.blocks !== 1) throw new Error(`domain XML has ${nic.blocks} vNICs; one is expected`);
  let out = nic.xml;
  for (const block of ['serial', 'console'])
    out = inBlocks(out, block, (b) => setAttr(b, 'source', 'path', to.consoleLog, false)).xml;
  return out;
}

export interface LiveMigration {
  /** libvirt URIs (read-write) of the source and the target host. */
  from: string;
  to: string;
  /** Where the target's QEMU listens for the migration stream (loopback on one machine). */
  address: string;
  port: number;
  target: MigrationTarget;
  /** Where the target's domain XML is written. */
  xmlFile: string;
  timeoutMs?: number;
}

/**
 * Live-migrates the running domain `name` (the source's definition is removed, the target's domain is
 * transient) and resolves when virsh reports it done.
 */
export async function liveMigrateVm(name: string, m: LiveMigration): Promise<void> {
  await requireProgram('virsh', 'libvirt-clients');
  const xml = (await run('virsh', ['-c', m.from, 'dumpxml', '--migratable', name])).stdout;
  await writeFile(m.xmlFile, retargetDomainXml(xml, m.target));
  await run(
    'virsh',
    [
      '-c',
      m.from,
      'migrate',
      '--live',
      '--undefinesource',
      '--xml',
      m.xmlFile,
      '--listen-address',
      m.address,
      name,
      m.to,
      `tcp://${m.address}:${m.port}`,
    ],
    { timeoutMs: m.timeoutMs ?? 120_000 },
  );
}
