import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSocket } from 'node:dgram';
import { PcapWriter, udpFrame } from '../../src/capture/pcap-writer.js';
import { decodeCapture } from '../../src/sflow/capture-decode.js';
import { register as registerCollector } from '../../src/cli/commands/collector.js';
import { register as registerSflow } from '../../src/cli/commands/sflow.js';

const fixtures = new URL('./fixtures/ovs/', import.meta.url);

async function runCli(args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  const program = new Command('vigil').exitOverride();
  registerSflow(program);
  registerCollector(program);
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'vigil', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = before;
  return { out, err, code };
}

describe('vigil sflow decode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  afterEach(() => undefined);

  it('prints one JSON object per datagram of a capture, and a summary on stderr', async () => {
    const files = readdirSync(fixtures)
      .filter((f) => f.endsWith('.bin'))
      .sort();
    const w = new PcapWriter();
    for (const f of files)
      w.add(
        1_764_000_000_000,
        udpFrame(
          { ip: '127.0.0.1', port: 41000 },
          { ip: '127.0.0.1', port: 6343 },
          readFileSync(new URL(f, fixtures)),
        ),
      );
    // a non-sFlow datagram to another port: decoded (rejected) without --port, skipped with it
    w.add(
      1_764_000_000_000,
      udpFrame({ ip: '10.213.2.1', port: 5353 }, { ip: '10.213.2.2', port: 53 }, Buffer.from('not sflow')),
    );
    const file = join(dir, 'ovs.pcap');
    writeFileSync(file, w.toBuffer());

    const all = await runCli(['sflow', 'decode', file]);
    const lines = all.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(files.length + 1);
    expect(lines[0]).toMatchObject({
      index: 1,
      src: '127.0.0.1:41000',
      dst: '127.0.0.1:6343',
      datagram: { agent: '127.0.0.1', sequence: 1 },
    });
    const first = lines[0] as {
      datagram: { samples: Array<{ records: Array<{ type: string; header?: string; decoded?: unknown }> }> };
    };
    const raw = first.datagram.samples[0]!.records.find((r) => r.type === 'raw-packet-header')!;
    expect(raw.header).toMatch(/^[0-9a-f]+$/);
    expect(raw.decoded).toMatchObject({ ipv4: { src: '10.213.2.2', dst: '10.213.2.1' } });
    expect(lines.at(-1)).toMatchObject({ error: { code: 'bad-version' } });
    expect(all.err).toMatch(/pcap, 9 packets, 9 UDP datagrams, 8 sFlow, 1 rejected/);
    expect(all.code).toBeUndefined();

    const onlySflow = await runCli(['sflow', 'decode', file, '--port', '6343']);
    expect(onlySflow.out.trimEnd().split('\n')).toHaveLength(files.length);
  });

  it('fails clearly on a file that is not a capture, and on a bad port', async () => {
    const file = join(dir, 'text.txt');
    writeFileSync(file, 'hello');
    const r = await runCli(['sflow', 'decode', file]);
    expect(r.err).toMatch(/not a pcap or pcapng file/);
    expect(r.code).toBe(1);
    const p = await runCli(['sflow', 'decode', file, '--port', '70000']);
    expect(p.err).toMatch(/--port: not a UDP port/);
    expect(p.code).toBe(2);
    rmSync(dir, { recursive: true, force: true });
  });
});

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('vigil collector --listen', () => {
  it('receives, reports JSON lines, writes the pcap, and stops on SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    const pcap = join(dir, 'rx.pcap');
    const port = await freeUdpPort();
    const run = runCli([
      'collector',
      '--listen',
      `127.0.0.1:${port}`,
      '--report',
      '0.3',
      '--json',
      '--pcap',
      pcap,
    ]);
    const files = readdirSync(fixtures)
      .filter((f) => f.endsWith('.bin'))
      .sort();
    const s = createSocket('udp4');
    await new Promise((r) => setTimeout(r, 300));
    for (const f of files) {
      await new Promise<void>((r, j) =>
        s.send(readFileSync(new URL(f, fixtures)), port, '127.0.0.1', (e) => (e ? j(e) : r())),
      );
    }
    s.close();
    await new Promise((r) => setTimeout(r, 800));
    process.emit('SIGINT');
    const { out } = await run;
    const reports = out
      .trimEnd()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            counters: { accepted: number; flowSamples: number };
            ports: Array<{ name?: string }>;
          },
      );
    const last = reports.at(-1)!;
    expect(last.counters.accepted).toBe(files.length);
    expect(last.counters.flowSamples).toBeGreaterThan(0);
    expect(last.ports.map((p) => p.name)).toContain('vsf-a');
    const decoded: number[] = [];
    const summary = decodeCapture(readFileSync(pcap), {}, (d) => decoded.push(d.datagram?.sequence ?? -1));
    expect(summary).toMatchObject({ format: 'pcap', error: undefined, rejected: 0 });
    expect(decoded).toEqual(decoded.map((_, i) => decoded[0]! + i));
    expect(decoded).toHaveLength(files.length);
    rmSync(dir, { recursive: true, force: true });
  });
});
