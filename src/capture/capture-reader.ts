// Readers for libpcap (.pcap) and pcapng capture files, pure: bytes in, packets out through a callback.
// Formats: pcap per draft-ietf-opsawg-pcap, pcapng per draft-ietf-opsawg-pcapng. Both byte orders,
// microsecond and nanosecond pcap, pcapng if_tsresol. A damaged or cut file stops the walk with an error
// value; the packets before it have been delivered.

export interface CapturedPacket {
  /** Milliseconds since the Unix epoch (fractional). */
  timeMs: number;
  /** LINKTYPE_* of the interface the packet was captured on. */
  linkType: number;
  /** Captured bytes (a view into the file buffer). */
  data: Buffer;
  originalLength: number;
}

export interface CaptureSummary {
  format: 'pcap' | 'pcapng' | 'unknown';
  packets: number;
  /** Why the walk stopped early, if it did. */
  error: string | undefined;
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
/** Largest packet accepted (pcap's own maximum snapshot length). */
const MAX_PACKET = 262_144;

export function readCapture(buf: Buffer, onPacket: (p: CapturedPacket) => void): CaptureSummary {
  if (buf.length < 4) return { format: 'unknown', packets: 0, error: 'file shorter than a capture header' };
  const be = buf.readUInt32BE(0);
  const le = buf.readUInt32LE(0);
  if (be === PCAPNG_SHB) return readPcapng(buf, onPacket);
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS)
    return readPcap(buf, false, be === PCAP_MAGIC_NS, onPacket);
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS)
    return readPcap(buf, true, le === PCAP_MAGIC_NS, onPacket);
  return {
    format: 'unknown',
    packets: 0,
    error: `not a pcap or pcapng file (magic 0x${be.toString(16).padStart(8, '0')})`,
  };
}

function readPcap(
  buf: Buffer,
  little: boolean,
  nanos: boolean,
  onPacket: (p: CapturedPacket) => void,
): CaptureSummary {
  const u32 = little ? (o: number) => buf.readUInt32LE(o) : (o: number) => buf.readUInt32BE(o);
  if (buf.length < 24) return { format: 'pcap', packets: 0, error: 'truncated pcap file header' };
  // FCS bits and the link type share the last header word: link type in the low 16 bits
  const linkType = u32(20) & 0xffff;
  let p = 24;
  let packets = 0;
  while (p < buf.length) {
    if (buf.length - p < 16)
      return { format: 'pcap', packets, error: `truncated record header at offset ${p}` };
    const sec = u32(p);
    const frac = u32(p + 4);
    const caplen = u32(p + 8);
    const origlen = u32(p + 12);
    if (caplen > MAX_PACKET)
      return { format: 'pcap', packets, error: `record at offset ${p} claims ${caplen} bytes` };
    if (buf.length - p - 16 < caplen)
      return { format: 'pcap', packets, error: `truncated record at offset ${p}` };
    const timeMs = sec * 1000 + (nanos ? frac / 1e6 : frac / 1e3);
    onPacket({ timeMs, linkType, data: buf.subarray(p + 16, p + 16 + caplen), originalLength: origlen });
    packets++;
    p += 16 + caplen;
  }
  return { format: 'pcap', packets, error: undefined };
}

interface PcapngInterface {
  linkType: number;
  /** Timestamp units per second. */
  perSecond: number;
}

function readPcapng(buf: Buffer, onPacket: (p: CapturedPacket) => void): CaptureSummary {
  let p = 0;
  let packets = 0;
  let little = false;
  let interfaces: PcapngInterface[] = [];
  const u32 = (o: number) => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u16 = (o: number) => (little ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const fail = (error: string): CaptureSummary => ({ format: 'pcapng', packets, error });
  while (p < buf.length) {
    if (buf.length - p < 12) return fail(`truncated block header at offset ${p}`);
    const type = buf.readUInt32BE(p) === PCAPNG_SHB ? PCAPNG_SHB : u32(p);
    if (type === PCAPNG_SHB) {
      // section header: the byte-order magic decides the byte order of this whole section
      const magic = buf.readUInt32BE(p + 8);
      if (magic === PCAPNG_BYTE_ORDER) little = false;
      else if (buf.readUInt32LE(p + 8) === PCAPNG_BYTE_ORDER) little = true;
      else return fail(`bad byte-order magic at offset ${p + 8}`);
      interfaces = [];
    }
    const length = u32(p + 4);
    if (length < 12 || length % 4 !== 0 || length > buf.length - p)
      return fail(`bad block length ${length} at offset ${p}`);
    if (u32(p + length - 4) !== length) return fail(`block at offset ${p}: trailing length differs`);
    const body = p + 8;
    const bodyEnd = p + length - 4;
    if (type === 1) {
      if (bodyEnd - body < 8) return fail(`short interface block at offset ${p}`);
      interfaces.push({ linkType: u16(body), perSecond: tsresol(buf, body + 8, bodyEnd, u16) });
    } else if (type === 6 || type === 2) {
      if (bodyEnd - body < 20) return fail(`short packet block at offset ${p}`);
      const id = type === 6 ? u32(body) : u16(body);
      const iface = interfaces[id];
      if (!iface) return fail(`packet block at offset ${p} names interface ${id}, which was not described`);
      const ts = u32(body + 4) * 0x1_0000_0000 + u32(body + 8);
      const caplen = u32(body + 12);
      const origlen = u32(body + 16);
      if (caplen > bodyEnd - body - 20)
        return fail(`packet block at offset ${p} claims ${caplen} captured bytes`);
      onPacket({
        timeMs: (ts * 1000) / iface.perSecond,
        linkType: iface.linkType,
        data: buf.subarray(body + 20, body + 20 + caplen),
        originalLength: origlen,
      });
      packets++;
    } else if (type === 3) {
      const iface = interfaces[0];
      if (!iface) return fail(`simple packet block at offset ${p} before any interface block`);
      const origlen = u32(body);
      const caplen = Math.min(origlen, bodyEnd - body - 4);
      onPacket({
        timeMs: 0,
        linkType: iface.linkType,
        data: buf.subarray(body + 4, body + 4 + caplen),
        originalLength: origlen,
      });
      packets++;
    }
    // other blocks (name resolution, statistics, custom) carry no packets
    p += length;
  }
  return { format: 'pcapng', packets, error: undefined };
}

/** if_tsresol (option 9): bit 7 clear = units of 10^-n s, set = 2^-n s; default microseconds. Returns units per second. */
function tsresol(buf: Buffer, p: number, end: number, u16: (o: number) => number): number {
  while (end - p >= 4) {
    const code = u16(p);
    const len = u16(p + 2);
    if (code === 0) break;
    if (code === 9 && len >= 1 && p + 4 < end) {
      const v = buf[p + 4]!;
      return v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
    }
    p += 4 + ((len + 3) & ~3);
  }
  return 1e6;
}
