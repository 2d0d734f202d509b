// The monitor's full poll of 1,000 domains: one CONNECT_GET_ALL_DOMAIN_STATS call, decode, typed stats,
// rates against the previous poll and one VmSample per domain, timed per poll, with the event-loop delay
// while polling.
//
//   npx tsx bench/monitor/full-poll.ts [--domains 1000] [--polls 100] [--virsh-runs 10]
//
// 1. libvirtd's test driver with a file of N domains (the real daemon and socket; the test driver
//    reports only the state group), with `virsh domstats` on the same host in the same run as reference.
// 2. A scripted daemon on a unix socket answering with N records shaped like a real QEMU domain's
//    (every group: CPU, balloon, vCPU, vNIC, disk; from a recorded `virsh domstats --raw`), since the
//    test driver's records are far smaller than real ones.

import { readFileSync, unlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ensureLibvirtd, run } from '../../src/lab/host/services.js';
import {
  MessageStatus,
  MessageType,
  Procedure,
  REMOTE_PROGRAM,
  TypedParamType,
} from '../../src/libvirt/constants.js';
import { encodeMessage } from '../../src/libvirt/message.js';
import {
  writeGetAllDomainStatsRet,
  writeListAllDomainsRet,
  type DomainStatsRecord,
} from '../../src/libvirt/procedures.js';
import type { TypedParam } from '../../src/libvirt/typed-param.js';
import { HostMonitor } from '../../src/monitor/host-monitor.js';
import { FakeDaemon, withHandshake } from '../../src/lab/host/fake-libvirtd.js';
import { writeManyDomainsFile } from '../../src/lab/host/test-driver-domains.js';
import { parseVirshDomstats } from '../../src/lab/host/virsh-domstats.js';
import { numberArg, summary } from '../libvirt/poll-timing.js';

const DOMAINS = numberArg('domains', 1000);
const POLLS = numberArg('polls', 100);
const VIRSH_RUNS = numberArg('virsh-runs', 10);

async function timePolls(m: HostMonitor, label: string): Promise<void> {
  for (let i = 0; i < 10; i++) await m.poll();
  const h = monitorEventLoopDelay({ resolution: 1 });
  const times: number[] = [];
  let samples = 0;
  const cpu0 = process.cpuUsage();
  h.enable();
  for (let i = 0; i < POLLS; i++) {
    const t0 = performance.now();
    const out = await m.poll();
    times.push(performance.now() - t0);
    samples += out.length;
    // Let timers run between polls, as the interval timer does.
    await new Promise((r) => setImmediate(r));
  }
  h.disable();
  const cpu = process.cpuUsage(cpu0);
  if (samples !== DOMAINS * POLLS)
    throw new Error(`${label}: ${samples} samples, expected ${DOMAINS * POLLS}`);
  console.log(`  full poll (call + decode + rates + samples): ${summary(times)}`);
  console.log(
    `  CPU time of this process per poll: ${((cpu.user + cpu.system) / 1000 / POLLS).toFixed(2)} ms`,
  );
  console.log(
    `  event-loop delay while polling: p50 ${(h.percentile(50) / 1e6).toFixed(2)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(2)} ms, max ${(h.max / 1e6).toFixed(2)} ms`,
  );
}

console.log(
  `node ${process.version}, ${DOMAINS} domains, ${POLLS} polls, ${cpus().length} CPUs, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);

// --- 1. libvirtd test driver
await ensureLibvirtd();
const file = join(tmpdir(), `vmon-monitor-bench-${process.pid}.xml`);
await writeManyDomainsFile(file, DOMAINS);
const uri = `test+unix://${file}`;
try {
  const m = new HostMonitor({ uri, onSample: () => {} });
  const t0 = performance.now();
  await m.connect();
  console.log(`1. libvirtd test driver (${uri.replace(file, '<file>')})`);
  console.log(
    `  connect + inventory of ${m.inventory().length} domain XMLs: ${(performance.now() - t0).toFixed(0)} ms`,
  );
  await timePolls(m, 'test driver');
  await m.stop();

  const virshCmd: number[] = [];
  const virshWall: number[] = [];
  for (let i = 0; i < VIRSH_RUNS; i++) {
    const s = performance.now();
    const { stdout } = await run('virsh', ['-t', '-c', uri, 'domstats', '--raw', '--nowait'], {
      timeoutMs: 60_000,
    });
    virshWall.push(performance.now() - s);
    const t = /\(Time: ([\d.]+) ms\)/.exec(stdout);
    if (t) virshCmd.push(Number(t[1]));
  }
  if (virshCmd.length) console.log(`  reference virsh -t domstats (command time): ${summary(virshCmd)}`);
  console.log(`  reference virsh domstats (process wall time): ${summary(virshWall)}`);
} finally {
  unlinkSync(file);
}

// --- 2. QEMU-shaped records from a scripted daemon
const recorded = parseVirshDomstats(
  readFileSync(new URL('../../test/monitor/fixtures/qemu-domstats.txt', import.meta.url), 'utf8'),
)[0]!;
const params: TypedParam[] = [...recorded.params].map(([field, value]) =>
  typeof value === 'string'
    ? { field, type: TypedParamType.STRING, value }
    : { field, type: TypedParamType.ULLONG, value: Number(value) },
);
const records: DomainStatsRecord[] = Array.from({ length: DOMAINS }, (_, i) => ({
  domain: {
    name: `vmon-${i}`,
    uuid: `7a6d6f6e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    id: i + 1,
  },
  params,
}));
// The reply is encoded once; each call gets a copy with its serial (header word 5).
const replyTemplate = encodeMessage(
  {
    program: REMOTE_PROGRAM,
    version: 1,
    procedure: Procedure.CONNECT_GET_ALL_DOMAIN_STATS,
    type: MessageType.REPLY,
    serial: 0,
    status: MessageStatus.OK,
  },
  (w) => writeGetAllDomainStatsRet(w, records),
);
const daemon = await FakeDaemon.start(
  withHandshake((msg, conn) => {
    const h = msg.header;
    switch (h.procedure) {
      case Procedure.CONNECT_GET_ALL_DOMAIN_STATS: {
        const frame = Buffer.from(replyTemplate);
        frame.writeUInt32BE(h.serial, 20);
        return conn.raw(frame);
      }
      case Procedure.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY:
        return conn.reply(h, (w) => w.int32(1));
      case Procedure.CONNECT_GET_HOSTNAME:
        return conn.reply(h, (w) => w.string('bench'));
      case Procedure.CONNECT_LIST_ALL_DOMAINS:
        return conn.reply(h, (w) => writeListAllDomainsRet(w, []));
      default:
        return conn.replyError(h, 3, 'unsupported');
    }
  }),
);
try {
  const m = new HostMonitor({
    uri: `qemu+unix:///system?socket=${daemon.path}`,
    onSample: () => {},
    client: { keepalive: false },
  });
  await m.connect();
  console.log(
    `2. scripted daemon, QEMU-shaped records: ${params.length} parameters each, reply ${(replyTemplate.length / 1024).toFixed(0)} KiB`,
  );
  await timePolls(m, 'qemu-shaped');
  await m.stop();
} finally {
  await daemon.stop();
}
