// A libvirt test-driver file with many domains: `test:///abs/path.xml` loads one <node> holding them.

import { writeFile } from 'node:fs/promises';

export function manyDomainsXml(count: number, prefix = 'vmon'): string {
  const domains: string[] = [];
  for (let i = 0; i < count; i++) {
    const hex = i.toString(16).padStart(12, '0');
    domains.push(
      `  <domain type='test'>\n` +
        `    <name>${prefix}-${i}</name>\n` +
        `    <uuid>7a6d6f6e-0000-4000-8000-${hex}</uuid>\n` +
        `    <memory>${65536 + i}</memory>\n` +
        `    <currentMemory>${65536 + i}</currentMemory>\n` +
        `    <vcpu>${1 + (i % 4)}</vcpu>\n` +
        `    <os><type>hvm</type></os>\n` +
        `    <devices>\n` +
        `      <interface type='network'><mac address='52:54:00:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}'/><source network='default'/></interface>\n` +
        `    </devices>\n` +
        `  </domain>`,
    );
  }
  return (
    `<node>\n  <cpu><mhz>2000</mhz><model>vmon-cpu</model><nodes>1</nodes><sockets>1</sockets>` +
    `<cores>2</cores><threads>1</threads><active>2</active></cpu>\n  <memory>8388608</memory>\n` +
    `${domains.join('\n')}\n</node>\n`
  );
}

export async function writeManyDomainsFile(path: string, count: number): Promise<void> {
  await writeFile(path, manyDomainsXml(count));
}
