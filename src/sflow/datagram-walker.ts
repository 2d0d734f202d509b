// sFlow v5 datagram walker, the collector's hot path. It makes the same accept/reject decision as
// decodeDatagram, but reads flow samples into reused flat views instead of objects: one pass checks every
// length and count and fills the views, and only an accepted datagram is handed to the sink, sample by
// sample in datagram order. Counter samples (one per port per polling interval) are decoded into objects.

import { pad4, XdrReader } from '../xdr/reader.js';
import { HeaderSummary } from '../net/header-summary.js';
import { formatIpv4 } from '../net/ipv4-address.js';
import { formatIpv6 } from '../net/ipv6-address.js';
import { readMac } from '../net/mac-address.js';
import { readCounterSampleBody } from './counter-sample.js';
import { SflowFormatError, toDecodeError, type SflowDecodeError } from './decode-error.js';
import { FlowRecordFormat, SampleFormat, SFLOW_VERSION } from './formats.js';
import { MAX_HEADER_BYTES, MAX_RECORDS, MAX_SAMPLES } from './limits.js';
import { summarizeHeader } from './packet-header.js';
import type { CounterSample } from './types.js';

export class DatagramView {
  agent = '';
  agentAddressType: 'ipv4' | 'ipv6' | 'unknown' = 'unknown';
  subAgentId = 0;
  sequence = 0;
  uptimeMs = 0;
  sampleCount = 0;
  unknownSamples = 0;
  unknownRecords = 0;
}

/** One flow sample, flattened. Views are reused: copy what must outlive the sink call. */
export class FlowSampleView {
  expanded = false;
  sequence = 0;
  sourceIdType = 0;
  sourceIdIndex = 0;
  samplingRate = 0;
  samplePool = 0;
  drops = 0;
  inputFormat = 0;
  input = 0;
  outputFormat = 0;
  output = 0;
  /** Frame length from the raw packet header record (or the Ethernet/IP data record); 0 when none. */
  frameLength = 0;
  stripped = 0;
  hasHeader = false;
  headerProtocol = 0;
  headerLength = 0;
  /** The datagram buffer: header.start/end and the IPv6 address offsets index into it. */
  buf: Buffer = EMPTY;
  readonly header = new HeaderSummary();
}

export interface SampleSink {
  datagram(d: DatagramView): void;
  flowSample(d: DatagramView, s: FlowSampleView): void;
  counterSample(d: DatagramView, s: CounterSample): void;
}

const EMPTY = Buffer.alloc(0);
const KIND_UNKNOWN = 0;
const KIND_FLOW = 1;
const KIND_COUNTERS = 2;

function u32(b: Buffer, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

function truncated(what: string, p: number, need: number, left: number): SflowFormatError {
  return new SflowFormatError('truncated', `truncated ${what}: need ${need} bytes, ${left} left`, p);
}

export class DatagramWalker {
  private readonly r = new XdrReader(EMPTY);
  private readonly view = new DatagramView();
  private readonly flows: FlowSampleView[] = [];
  private sampleKinds = new Uint8Array(64);
  private readonly counterSamples: CounterSample[] = [];
  private readonly agentNames = new Map<number, string>();

  /** Walk one datagram into the sink. Returns undefined when accepted, else the reason it was rejected. */
  walk(b: Buffer, sink: SampleSink): SflowDecodeError | undefined {
    const d = this.view;
    const end = b.length;
    let p = 0;
    let agent: string | undefined;
    let sequence: number | undefined;
    let n = 0;
    let flowCount = 0;
    let counterCount = 0;
    try {
      if (end < 8) throw truncated('datagram header', 0, 8, end);
      const version = u32(b, 0);
      if (version !== SFLOW_VERSION)
        throw new SflowFormatError('bad-version', `datagram version ${version} is not 5`, 0);
      const addressType = u32(b, 4);
      p = 8;
      if (addressType === 1) {
        if (end < 12) throw truncated('agent address', p, 4, end - p);
        const a = u32(b, 8);
        let name = this.agentNames.get(a);
        if (name === undefined) {
          name = formatIpv4(a);
          if (this.agentNames.size < 65_536) this.agentNames.set(a, name);
        }
        d.agent = name;
        d.agentAddressType = 'ipv4';
        p = 12;
      } else if (addressType === 2) {
        if (end < 24) throw truncated('agent address', p, 16, end - p);
        d.agent = formatIpv6(b, 8);
        d.agentAddressType = 'ipv6';
        p = 24;
      } else if (addressType === 0) {
        d.agent = '';
        d.agentAddressType = 'unknown';
      } else {
        throw new SflowFormatError('bad-address-type', `address type ${addressType} is not 0, 1 or 2`, 4);
      }
      agent = d.agent;
      if (end - p < 16) throw truncated('datagram header', p, 16, end - p);
      d.subAgentId = u32(b, p);
      d.sequence = sequence = u32(b, p + 4);
      d.uptimeMs = u32(b, p + 8);
      n = u32(b, p + 12);
      p += 16;
      if (n > MAX_SAMPLES)
        throw new SflowFormatError('limit', `array length ${n} exceeds limit ${MAX_SAMPLES}`, p - 4);
      if (n * 8 > end - p) throw truncated('sample array', p - 4, n * 8, end - p);
      d.sampleCount = n;
      d.unknownSamples = 0;
      d.unknownRecords = 0;
      if (this.sampleKinds.length < n) this.sampleKinds = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        if (end - p < 8) throw truncated('sample header', p, 8, end - p);
        const tag = u32(b, p);
        const length = u32(b, p + 4);
        const start = p + 8;
        // sample_data is opaque<>: its length counts the bytes, padding to 4 follows
        if (pad4(length) > end - start) throw truncated('sample', start, pad4(length), end - start);
        const sampleEnd = start + length;
        if (tag === SampleFormat.flow || tag === SampleFormat.flowExpanded) {
          if (flowCount === this.flows.length) this.flows.push(new FlowSampleView());
          d.unknownRecords += this.readFlowSample(
            b,
            start,
            sampleEnd,
            tag === SampleFormat.flowExpanded,
            this.flows[flowCount++]!,
          );
          this.sampleKinds[i] = KIND_FLOW;
        } else if (tag === SampleFormat.counters || tag === SampleFormat.countersExpanded) {
          const r = this.r.reset(b, start, sampleEnd);
          const tally = { unknownRecords: 0 };
          const sample = readCounterSampleBody(r, tag === SampleFormat.countersExpanded, tally);
          if (r.offset !== sampleEnd)
            throw new SflowFormatError(
              'inconsistent',
              `sample ${i} declares ${length} bytes, its records use ${length - (sampleEnd - r.offset)}`,
              r.offset,
            );
          this.counterSamples[counterCount++] = sample;
          d.unknownRecords += tally.unknownRecords;
          this.sampleKinds[i] = KIND_COUNTERS;
        } else {
          d.unknownSamples++;
          this.sampleKinds[i] = KIND_UNKNOWN;
        }
        p = start + pad4(length);
      }
      if (p !== end) throw new SflowFormatError('inconsistent', `${end - p} bytes follow the last sample`, p);
    } catch (err) {
      this.counterSamples.length = 0;
      return toDecodeError(err, p, agent, sequence);
    }
    sink.datagram(d);
    let f = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const kind = this.sampleKinds[i];
      if (kind === KIND_FLOW) sink.flowSample(d, this.flows[f++]!);
      else if (kind === KIND_COUNTERS) sink.counterSample(d, this.counterSamples[c++]!);
    }
    this.counterSamples.length = 0;
    return undefined;
  }

  /** One flow sample body b[start, end) into `v`, every length checked. Returns the unknown records skipped. */
  private readFlowSample(b: Buffer, p: number, end: number, expanded: boolean, v: FlowSampleView): number {
    const fixed = expanded ? 44 : 32;
    if (end - p < fixed) throw truncated('flow sample', p, fixed, end - p);
    v.buf = b;
    v.expanded = expanded;
    v.sequence = u32(b, p);
    if (expanded) {
      v.sourceIdType = u32(b, p + 4);
      v.sourceIdIndex = u32(b, p + 8);
      p += 12;
    } else {
      // source_id: data source type in the top 8 bits, index in the low 24
      const id = u32(b, p + 4);
      v.sourceIdType = id >>> 24;
      v.sourceIdIndex = id & 0x00ffffff;
      p += 8;
    }
    v.samplingRate = u32(b, p);
    v.samplePool = u32(b, p + 4);
    v.drops = u32(b, p + 8);
    if (expanded) {
      v.inputFormat = u32(b, p + 12);
      v.input = u32(b, p + 16);
      v.outputFormat = u32(b, p + 20);
      v.output = u32(b, p + 24);
      p += 28;
    } else {
      // compact interface: format in the top 2 bits, value in the low 30
      const i = u32(b, p + 12);
      const o = u32(b, p + 16);
      v.inputFormat = i >>> 30;
      v.input = i & 0x3fffffff;
      v.outputFormat = o >>> 30;
      v.output = o & 0x3fffffff;
      p += 20;
    }
    const count = u32(b, p);
    p += 4;
    if (count > MAX_RECORDS)
      throw new SflowFormatError('limit', `array length ${count} exceeds limit ${MAX_RECORDS}`, p - 4);
    if (count * 8 > end - p) throw truncated('record array', p - 4, count * 8, end - p);
    v.hasHeader = false;
    v.frameLength = v.stripped = v.headerProtocol = v.headerLength = 0;
    const h = v.header;
    h.reset();
    let haveLayer2 = false;
    let haveLayer3 = false;
    let unknown = 0;
    for (let j = 0; j < count; j++) {
      if (end - p < 8) throw truncated('record header', p, 8, end - p);
      const tag = u32(b, p);
      const length = u32(b, p + 4);
      const body = p + 8;
      if (pad4(length) > end - body) throw truncated('record', body, pad4(length), end - body);
      switch (tag) {
        case FlowRecordFormat.rawPacketHeader: {
          if (length < 16) throw truncated('raw packet header', body, 16, length);
          const headerLength = u32(b, body + 12);
          if (headerLength > MAX_HEADER_BYTES)
            throw new SflowFormatError(
              'limit',
              `opaque length ${headerLength} exceeds limit ${MAX_HEADER_BYTES}`,
              body + 12,
            );
          if (16 + pad4(headerLength) > length)
            throw truncated('opaque', body + 16, pad4(headerLength), length - 16);
          if (16 + pad4(headerLength) !== length)
            throw inconsistent(tag, length, 16 + pad4(headerLength), body);
          if (!v.hasHeader) {
            v.hasHeader = true;
            v.headerProtocol = u32(b, body);
            v.frameLength = u32(b, body + 4);
            v.stripped = u32(b, body + 8);
            v.headerLength = headerLength;
            summarizeHeader(b, body + 16, body + 16 + headerLength, v.headerProtocol, h);
            haveLayer2 = h.hasEthernet;
            haveLayer3 = h.network !== 0;
          }
          break;
        }
        case FlowRecordFormat.ethernetFrame:
          if (length !== 24) throw inconsistent(tag, length, 24, body);
          if (!haveLayer2) {
            haveLayer2 = true;
            if (v.frameLength === 0) v.frameLength = u32(b, body);
            h.hasEthernet = true;
            h.srcMac = readMac(b, body + 4);
            h.dstMac = readMac(b, body + 12);
            h.etherType = u32(b, body + 20);
          }
          break;
        case FlowRecordFormat.ipv4:
        case FlowRecordFormat.ipv6: {
          const v4 = tag === FlowRecordFormat.ipv4;
          if (length !== (v4 ? 32 : 56)) throw inconsistent(tag, length, v4 ? 32 : 56, body);
          if (!haveLayer3) {
            haveLayer3 = true;
            if (v.frameLength === 0) v.frameLength = u32(b, body);
            const proto = u32(b, body + 4);
            h.protocol = proto;
            let q = body + 8;
            if (v4) {
              h.network = 4;
              h.ipv4Src = u32(b, q);
              h.ipv4Dst = u32(b, q + 4);
              q += 8;
            } else {
              h.network = 6;
              h.ipv6SrcOffset = q;
              h.ipv6DstOffset = q + 16;
              q += 32;
            }
            if (proto === 6 || proto === 17) {
              h.transport = proto;
              h.srcPort = u32(b, q) & 0xffff;
              h.dstPort = u32(b, q + 4) & 0xffff;
              h.tcpFlags = u32(b, q + 8) & 0x1ff;
            }
          }
          break;
        }
        case FlowRecordFormat.extendedSwitch:
          if (length !== 16) throw inconsistent(tag, length, 16, body);
          break;
        case FlowRecordFormat.extendedRouter: {
          if (length < 4) throw truncated('extended router', body, 4, length);
          const type = u32(b, body);
          const expected = type === 1 ? 16 : type === 2 ? 28 : type === 0 ? 12 : -1;
          if (expected < 0)
            throw new SflowFormatError('bad-address-type', `address type ${type} is not 0, 1 or 2`, body);
          if (length !== expected) throw inconsistent(tag, length, expected, body);
          break;
        }
        default:
          unknown++;
      }
      p = body + pad4(length);
    }
    if (p !== end)
      throw new SflowFormatError('inconsistent', `flow sample ends at ${end}, its records at ${p}`, p);
    return unknown;
  }
}

function inconsistent(tag: number, length: number, expected: number, at: number): SflowFormatError {
  return new SflowFormatError(
    'inconsistent',
    `record format ${tag} declares ${length} bytes, its fields use ${expected}`,
    at,
  );
}
