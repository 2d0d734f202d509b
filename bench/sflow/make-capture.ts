// Writes a pcap of synthetic sFlow datagrams (UDP 10.213.2.254:50000 -> 10.213.2.1:6343).
// Usage: npx tsx bench/sflow/make-capture.ts OUT.pcap [DATAGRAMS]

import { writeFileSync } from 'node:fs';
import { PcapWriter, udpFrame } from '../../src/capture/pcap-writer.js';
import { syntheticDatagrams } from './synthetic-traffic.js';

const [out, count = '20000'] = process.argv.slice(2);
if (!out) {
  console.error('usage: make-capture OUT.pcap [DATAGRAMS]');
  process.exit(2);
}
const datagrams = syntheticDatagrams({ datagrams: Number(count) });
const w = new PcapWriter();
const t0 = Date.UTC(2026, 0, 1);
datagrams.forEach((d, i) =>
  w.add(t0 + i * 0.05, udpFrame({ ip: '10.213.2.254', port: 50000 }, { ip: '10.213.2.1', port: 6343 }, d)),
);
const bytes = w.toBuffer();
writeFileSync(out, bytes);
const samples = datagrams.length * 7;
console.log(
  `${out}: ${datagrams.length} datagrams, ~${samples} flow samples, ${(bytes.length / 1e6).toFixed(1)} MB`,
);
