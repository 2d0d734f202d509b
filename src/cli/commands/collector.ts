// `vigil collector`: the sFlow v5 collector on its own. Listens for datagrams, keeps per-port, per-MAC and
// per-flow traffic rates, and reports them every interval (log lines, or JSON on standard output). Its
// enricher writes the traffic to the store, joined to VMs through the inventory the monitors keep there,
// for the API and the monitors in other processes sharing the store.

import { createWriteStream } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { LinkType, PcapWriter, pcapRecord, udpFrame } from '../../capture/pcap-writer.js';
import { toJson } from '../../sflow/capture-decode.js';
import { SflowCollector } from '../../sflow/collector.js';
import { VmTrafficEnricher } from '../../sflow/vm-traffic-enricher.js';
import { openStore } from '../../store/open-store.js';
import { parseEndpoint } from '../../config/endpoint.js';
import { action, commandConfig, commandLogger, UsageError, untilStopSignal } from '../context.js';

interface CollectorFlags {
  listen?: string;
  agents?: string[];
  window?: string;
  report?: string;
  top?: string;
  json?: boolean;
  pcap?: string;
}

export function register(program: Command): void {
  program
    .command('collector')
    .description(
      'receive sFlow v5 from switches (Open vSwitch, Host sFlow) and measure traffic per switch port, ' +
        'MAC and flow; reports every interval',
    )
    .option('--listen <host:port>', 'UDP address to receive on (default 0.0.0.0:6343; IPv6 as [::]:6343)')
    .option('--agents <address...>', 'only accept datagrams from these agent addresses')
    .option('--window <seconds>', 'sliding window of the traffic rates (default 10)')
    .option('--report <seconds>', 'seconds between reports (default 10)', '10')
    .option('--top <n>', 'flows in each report (default 10)', '10')
    .option('--json', 'reports as JSON lines on standard output instead of log lines')
    .option(
      '--pcap <file>',
      'also write every datagram received to this pcap file (for tshark, `vigil sflow decode`)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  vigil collector --listen 0.0.0.0:6343\n  vigil collector --listen [::]:6343 --agents 10.0.0.1 10.0.0.2 --json\n' +
        '  ovs-vsctl -- --id=@s create sFlow agent=br0 target="\\"COLLECTOR:6343\\"" sampling=64 polling=10 -- set bridge br0 sflow=@s',
    )
    .action(action((flags: CollectorFlags, cmd: Command) => runCollector(flags, cmd)));
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${name}: expected a positive number, got ${JSON.stringify(text)}`);
  return n;
}

async function runCollector(flags: CollectorFlags, cmd: Command): Promise<void> {
  const loaded = commandConfig(cmd, {
    listen: 'collector.listen',
    agents: 'collector.agents',
    window: 'collector.windowSeconds',
  });
  const cfg = loaded.config.collector;
  const log = commandLogger(loaded);
  const { host, port } = parseEndpoint(cfg.listen);
  const reportMs = positive('--report', flags.report ?? '10') * 1000;
  const top = Math.floor(positive('--top', flags.top ?? '10'));

  let pcapOut: ReturnType<typeof createWriteStream> | undefined;
  if (flags.pcap) {
    pcapOut = createWriteStream(flags.pcap);
    // the file header, then one record per datagram, written as they arrive
    pcapOut.write(new PcapWriter(LinkType.ethernet).toBuffer());
  }
  const collector = new SflowCollector({
    host,
    port,
    allowAgents: cfg.agents,
    windowMs: Math.round(cfg.windowSeconds * 1000),
    maxDatagramBytes: cfg.maxDatagramBytes,
    logger: log,
    ...(pcapOut
      ? {
          onDatagram: (buf: Buffer, from: { address: string; port: number }, now: number) => {
            pcapOut!.write(
              pcapRecord(now, udpFrame({ ip: from.address, port: from.port }, { ip: host, port }, buf)),
            );
          },
        }
      : {}),
  });
  const bound = await collector.start();
  const store = await openStore(loaded.config.store, log);
  const enricher = new VmTrafficEnricher({
    ingest: collector.ingest,
    store,
    collector: `${hostname()}:${bound.port}`,
    log,
  });
  enricher.start();

  const report = () => {
    const now = Date.now();
    const ingest = collector.ingest;
    const ports = ingest.accounting
      .portTraffic(now)
      .filter((p) => p.in.bytesPerSecond > 0 || p.out.bytesPerSecond > 0);
    const flows = ingest.accounting.topFlows(now, top);
    const body = {
      time: new Date(now).toISOString(),
      counters: { ...ingest.counters, lostDatagrams: ingest.lostDatagrams(), tooLarge: collector.tooLarge },
      agents: ingest.sequences.stats(),
      ports,
      topFlows: flows,
    };
    if (flags.json) process.stdout.write(`${toJson(body)}\n`);
    else {
      log.info({ counters: body.counters }, 'sflow collector counters');
      for (const p of ports) {
        log.info(
          {
            agent: p.agent,
            ifIndex: p.ifIndex,
            port: p.name,
            inBps: Math.round(p.in.bytesPerSecond * 8),
            outBps: Math.round(p.out.bytesPerSecond * 8),
          },
          'port traffic',
        );
      }
      for (const f of flows) {
        log.info(
          {
            flow: `${f.protocol} ${f.src}:${f.srcPort} > ${f.dst}:${f.dstPort}`,
            bps: Math.round(f.bytesPerSecond * 8),
            pps: Math.round(f.packetsPerSecond),
          },
          'top flow',
        );
      }
    }
  };
  const timer = setInterval(report, reportMs);
  await untilStopSignal();
  clearInterval(timer);
  await enricher.stop();
  await collector.stop();
  await store.close();
  if (pcapOut) await new Promise<void>((r) => pcapOut!.end(r));
  log.info({}, 'sflow collector stopped');
}
