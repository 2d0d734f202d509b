// Polls a libvirtd test-driver host of 1,000 domains and times one full poll (CONNECT_GET_ALL_DOMAIN_STATS
// call + decode + turning each record into a field map), with the event-loop delay while polling,
// and times `virsh domstats` on the same host in the same run as the reference.
//
//   npx tsx bench/libvirt/poll.ts [--domains 1000] [--polls 300]
//
// A second part does the same with a reply shaped like real QEMU domains' stats (every group, taken from
// a recorded reply), since the test driver reports only the state group.

import { readFileSync, unlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { ensureLibvirtd, run } from '../../src/lab/host/services.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { MessageStatus, MessageType, Procedure, REMOTE_PROGRAM } from '../../src/libvirt/constants.js';
import { decodeMessage, encodeMessage } from '../../src/libvirt/message.js';
import {
  decodeGetAllDomainStats,
  writeGetAllDomainStatsRet,
  type DomainStatsRecord,
} from '../../src/libvirt/procedures.js';
import { typedParamsToObject } from '../../src/libvirt/typed-param.js';
import { XdrWriter } from '../../src/xdr/writer.js';
import { FakeDaemon, withHandshake } from '../../src/lab/host/fake-libvirtd.js';
import { writeManyDomainsFile } from '../../src/lab/host/test-driver-domains.js';
import { numberArg, summary } from './poll-timing.js';

const DOMAINS = numberArg('domains', 1000);
const POLLS = numberArg('polls', 300);
const VIRSH_RUNS = numberArg('virsh-runs', 20);

/**
 * The histogram holds each sampling interval as measured, resolution included (an idle loop sampled
 * every 20 ms shows 20 ms): the delay is what exceeds the resolution.
 */
function delays(h: IntervalHistogram, resolutionMs: number): string {
  const ms = (ns: number): string => Math.max(0, ns / 1e6 - resolutionMs).toFixed(2);
  return `p50 ${ms(h.percentile(50))} ms, p99 ${ms(h.percentile(99))} ms, max ${ms(h.max)} ms`;
}

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

function consume(records: DomainStatsRecord[]): number {
  let n = 0;
  for (const r of records) {
    const m = typedParamsToObject(r.params);
    if (m['state.state'] !== undefined) n++;
  }
  return n;
}

await ensureLibvirtd();
const file = join(tmpdir(), `vmon-bench-${process.pid}.xml`);
await writeManyDomainsFile(file, DOMAINS);
const uri = `test+unix://${file}`;

try {
  const conn = await LibvirtClient.connect(uri);
  for (let i = 0; i < 20; i++) consume(await conn.getAllDomainStats());

  const h = monitorEventLoopDelay({ resolution: 1 });
  const times: number[] = [];
  h.enable();
  const cpu: number[] = [];
  for (let i = 0; i < POLLS; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const records = await conn.getAllDomainStats();
    if (consume(records) !== DOMAINS) throw new Error(`poll ${i}: expected ${DOMAINS} domains`);
    times.push(performance.now() - t0);
    cpu.push(cpuMs(process.cpuUsage(c0)));
  }
  h.disable();
  await conn.close();

  // Reference: libvirt's own client. `virsh -t` prints the time of the command itself (the C call
  // and printing); the process wall time adds virsh's start-up and connection.
  const virshCmd: number[] = [];
  const virshWall: number[] = [];
  for (let i = 0; i < VIRSH_RUNS; i++) {
    const t0 = performance.now();
    const { stdout } = await run('virsh', ['-t', '-c', uri, 'domstats', '--raw', '--nowait'], {
      timeoutMs: 60_000,
    });
    virshWall.push(performance.now() - t0);
    const m = /\(Time: ([\d.]+) ms\)/.exec(stdout);
    if (m) virshCmd.push(Number(m[1]));
  }

  console.log(
    `libvirtd test driver, ${DOMAINS} domains, ${POLLS} polls (node ${process.version}, ${cpus().length} cores, ` +
      `load average ${loadavg()[0]!.toFixed(1)})`,
  );
  console.log(`  vigil poll (call + decode + field maps): ${summary(times)}`);
  console.log(`  CPU time of this process per poll:      ${summary(cpu)}`);
  console.log(`  event-loop delay while polling:         ${delays(h, 1)}`);
  if (virshCmd.length) console.log(`  virsh -t domstats (command time):       ${summary(virshCmd)}`);
  console.log(`  virsh domstats (process wall time):     ${summary(virshWall)}`);
} finally {
  unlinkSync(file);
}

// A reply of DOMAINS records shaped like a real QEMU domain's (every stats group, from a recorded reply):
// decode alone, then whole polls through a local stand-in daemon that serves it over a unix socket.
{
  const recorded = readFileSync(
    join(import.meta.dirname, '../../test/libvirt/fixtures/all-domain-stats-qemu.bin'),
  );
  const msg = decodeMessage(recorded.subarray(4));
  if (!msg.ok) throw msg.error;
  const one = decodeGetAllDomainStats(msg.value.body);
  if (!one.ok || one.value.length === 0) throw new Error('recorded QEMU reply has no record');
  const template = one.value[0]!;
  const records: DomainStatsRecord[] = Array.from({ length: DOMAINS }, (_, i) => ({
    domain: {
      name: `vmon-${i}`,
      uuid: `7a6d6f6e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      id: i + 1,
    },
    params: template.params,
  }));
  const w = new XdrWriter(1 << 20);
  writeGetAllDomainStatsRet(w, records);
  const body = w.toBuffer();
  const times: number[] = [];
  for (let i = 0; i < 50 + POLLS; i++) {
    const t0 = performance.now();
    const d = decodeGetAllDomainStats(body);
    if (!d.ok) throw d.error;
    consume(d.value);
    if (i >= 50) times.push(performance.now() - t0);
  }
  console.log(
    `QEMU-shaped reply, ${DOMAINS} records x ${template.params.length} parameters (${(body.length / 1024).toFixed(0)} KiB)`,
  );
  console.log(`  decode + field maps, in one go:         ${summary(times)}`);

  // The reply frame is built once; each answer only patches its serial (one call is in flight at a
  // time), so the stand-in costs this process next to nothing.
  const frame = encodeMessage(
    {
      program: REMOTE_PROGRAM,
      version: 1,
      procedure: Procedure.CONNECT_GET_ALL_DOMAIN_STATS,
      type: MessageType.REPLY,
      serial: 0,
      status: MessageStatus.OK,
    },
    (out) => out.fixedOpaque(body),
  );
  const daemon = await FakeDaemon.start(
    withHandshake((m, conn) => {
      if (m.header.procedure !== Procedure.CONNECT_GET_ALL_DOMAIN_STATS) return;
      frame.writeUInt32BE(m.header.serial, 20);
      conn.raw(frame);
    }),
  );
  try {
    const conn = await LibvirtClient.connect('qemu:///system', { socketPath: daemon.path, keepalive: false });
    for (let i = 0; i < 20; i++) consume(await conn.getAllDomainStats());
    const polls: number[] = [];
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const cpu: number[] = [];
    for (let i = 0; i < POLLS; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const got = await conn.getAllDomainStats();
      if (consume(got) !== DOMAINS) throw new Error('short reply');
      polls.push(performance.now() - t0);
      cpu.push(cpuMs(process.cpuUsage(c0)));
    }
    h.disable();
    await conn.close();
    console.log(`  poll through a unix socket (sliced):   ${summary(polls)}`);
    console.log(`  CPU time per poll (client and stand-in): ${summary(cpu)}`);
    console.log(`  event-loop delay while polling:         ${delays(h, 1)}`);
  } finally {
    await daemon.stop();
  }
}
