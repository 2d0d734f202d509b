import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCapture, type CapturedPacket } from '../../src/capture/capture-reader.js';
import { LinkType, PcapWriter, udpFrame } from '../../src/capture/pcap-writer.js';
import { udpDatagramOf } from '../../src/capture/udp-datagrams.js';

function collect(buf: Buffer): { packets: CapturedPacket[]; summary: ReturnType<typeof readCapture> } {
  const packets: CapturedPacket[] = [];
  const summary = readCapture(buf, (p) => packets.push({ ...p, data: Buffer.from(p.data) }));
  return { packets, summary };
}

/** A little-endian pcapng file: SHB, one IDB (Ethernet, nanosecond tsresol), one EPB per frame. */
function pcapng(frames: Buffer[], tsNs: bigint[]): Buffer {
  const block = (type: number, body: Buffer) => {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const b = Buffer.alloc(12 + padded.length);
    b.writeUInt32LE(type, 0);
    b.writeUInt32LE(b.length, 4);
    padded.copy(b, 8);
    b.writeUInt32LE(b.length, b.length - 4);
    return b;
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const shbBlock = block(0x0a0d0d0a, shb);
  const idb = Buffer.alloc(8 + 8 + 4);
  idb.writeUInt16LE(1, 0);
  idb.writeUInt32LE(65535, 4);
  idb.writeUInt16LE(9, 8); // if_tsresol
  idb.writeUInt16LE(1, 10);
  idb[12] = 9; // 10^-9
  // opt_endofopt at 16
  const blocks = [shbBlock, block(1, idb)];
  frames.forEach((f, i) => {
    const h = Buffer.alloc(20);
    const ts = tsNs[i]!;
    h.writeUInt32LE(0, 0);
    h.writeUInt32LE(Number(ts >> 32n), 4);
    h.writeUInt32LE(Number(ts & 0xffffffffn), 8);
    h.writeUInt32LE(f.length, 12);
    h.writeUInt32LE(f.length, 16);
    blocks.push(block(6, Buffer.concat([h, f])));
  });
  return Buffer.concat(blocks);
}

describe('capture files', () => {
  const payloads = [Buffer.from('first'), Buffer.from('second datagram'), Buffer.alloc(300, 7)];
  const frames = payloads.map((p, i) =>
    udpFrame({ ip: '10.213.2.1', port: 40000 + i }, { ip: '10.213.2.9', port: 6343 }, p),
  );

  it('pcap writer -> reader round trip, with UDP payloads recovered', () => {
    const w = new PcapWriter();
    frames.forEach((f, i) => w.add(1_700_000_000_000 + i * 1.5, f));
    const { packets, summary } = collect(w.toBuffer());
    expect(summary).toEqual({ format: 'pcap', packets: 3, error: undefined });
    expect(packets.map((p) => p.timeMs)).toEqual([1_700_000_000_000, 1_700_000_000_001.5, 1_700_000_000_003]);
    const udp = packets.map(udpDatagramOf);
    expect(udp.map((u) => u?.payload.toString('hex'))).toEqual(payloads.map((p) => p.toString('hex')));
    expect(udp[1]).toMatchObject({ srcIp: '10.213.2.1', srcPort: 40001, dstIp: '10.213.2.9', dstPort: 6343 });
  });

  it('pcapng little-endian with nanosecond timestamps', () => {
    const { packets, summary } = collect(pcapng(frames, [1n, 1_000_000n, 2_500_000_000n]));
    expect(summary).toEqual({ format: 'pcapng', packets: 3, error: undefined });
    expect(packets.map((p) => p.timeMs)).toEqual([0.000001, 1, 2500]);
    expect(packets.map((p) => udpDatagramOf(p)?.payload.toString())).toEqual(
      payloads.map((p) => p.toString()),
    );
  });

  it('a cut file delivers the packets before the cut and reports the cut', () => {
    const whole = new PcapWriter().add(0, frames[0]!).add(0, frames[1]!).toBuffer();
    const { packets, summary } = collect(whole.subarray(0, whole.length - 3));
    expect(packets).toHaveLength(1);
    expect(summary.error).toMatch(/truncated record/);
  });

  it('raw IP and Linux cooked (SLL2) link types', () => {
    const ipPacket = frames[1]!.subarray(14);
    expect(
      udpDatagramOf({
        timeMs: 0,
        linkType: LinkType.raw,
        data: ipPacket,
        originalLength: ipPacket.length,
      })?.payload.toString(),
    ).toBe('second datagram');
    const sll2 = Buffer.concat([Buffer.from('0800000000000001000104060000000000000000', 'hex'), ipPacket]);
    expect(
      udpDatagramOf({ timeMs: 0, linkType: LinkType.linuxSll2, data: sll2, originalLength: sll2.length })
        ?.dstPort,
    ).toBe(6343);
  });

  it('rejects files that are neither pcap nor pcapng', () => {
    expect(collect(Buffer.from('hello world')).summary.error).toMatch(/not a pcap/);
  });

  it('fuzz: random and mutated capture bytes never throw', () => {
    const good = pcapng(frames, [1n, 2n, 3n]);
    const goodPcap = new PcapWriter().add(0, frames[0]!).toBuffer();
    fc.assert(
      fc.property(
        fc.constantFrom(good, goodPcap),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        (base, edits, cut) => {
          const b = Buffer.from(base);
          for (const [at, v] of edits) b[at % b.length] = v;
          const summary = readCapture(b.subarray(0, b.length - (cut % 8)), (p) => void udpDatagramOf(p));
          expect(summary.packets).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        (bytes) => void readCapture(Buffer.from(bytes), () => {}),
      ),
      { numRuns: 2000 },
    );
  });

  it('tshark reads the pcap this writer produces (an independent reader)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-pcap-'));
    try {
      const file = join(dir, 'w.pcap');
      const w = new PcapWriter();
      frames.forEach((f) => w.add(1_700_000_000_000, f));
      writeFileSync(file, w.toBuffer());
      let out: string;
      try {
        out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'udp.dstport', '-e', 'udp.length'], {
          encoding: 'utf8',
        });
      } catch (err) {
        throw new Error(
          `tshark is needed for this test: apt-get install -y --no-install-recommends tshark (${String(err)})`,
        );
      }
      expect(out.trim().split('\n')).toEqual(payloads.map((p) => `6343\t${p.length + 8}`));
      // and the pcapng that tshark writes (an independent pcapng writer) reads back to the same payloads
      const ng = join(dir, 'w.pcapng');
      execFileSync('tshark', ['-r', file, '-F', 'pcapng', '-w', ng], { stdio: 'ignore' });
      const { packets, summary } = collect(readFileSync(ng));
      expect(summary).toMatchObject({ format: 'pcapng', packets: 3, error: undefined });
      expect(packets.map((p) => udpDatagramOf(p)?.payload.toString('hex'))).toEqual(
        payloads.map((p) => p.toString('hex')),
      );
      expect(packets[0]!.timeMs).toBe(1_700_000_000_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
