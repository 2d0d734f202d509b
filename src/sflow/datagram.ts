// sFlow v5 datagram decoder, full-object mode (sflow_version_5.txt "sample_datagram_v5").
// Bytes in, typed datagram or typed error out: nothing thrown past decodeDatagram. A sample or record
// of an unknown format is skipped by its declared length and counted; any truncation or length
// disagreement rejects the datagram whole.

import { pad4, XdrReader } from '../xdr/reader.js';
import { readAddress } from './agent-address.js';
import { readCounterSampleBody } from './counter-sample.js';
import { SflowFormatError, toDecodeError, type SflowDecodeError } from './decode-error.js';
import { readFlowSampleBody } from './flow-sample.js';
import { SampleFormat, SFLOW_VERSION } from './formats.js';
import { MAX_SAMPLES } from './limits.js';
import type { RecordTally } from './record-list.js';
import type { SflowDatagram, SflowSample } from './types.js';

export type DatagramResult = { ok: true; datagram: SflowDatagram } | { ok: false; error: SflowDecodeError };

export function decodeDatagram(buf: Buffer): DatagramResult {
  const r = new XdrReader(buf);
  let agent: string | undefined;
  let sequence: number | undefined;
  try {
    const version = r.uint32();
    if (version !== SFLOW_VERSION) {
      throw new SflowFormatError('bad-version', `datagram version ${version} is not 5`, 0);
    }
    const address = readAddress(r);
    agent = address.text;
    const subAgentId = r.uint32();
    sequence = r.uint32();
    const uptimeMs = r.uint32();
    const count = r.arrayLength(MAX_SAMPLES, 8);
    const samples: SflowSample[] = [];
    const tally: RecordTally = { unknownRecords: 0 };
    let unknownSamples = 0;
    for (let i = 0; i < count; i++) {
      const tag = r.uint32();
      const length = r.uint32();
      // sample_data is opaque<>: its length counts the bytes, padding to 4 follows
      r.need(pad4(length), 'sample');
      const sampleEnd = r.offset + length;
      const enterprise = tag >>> 12;
      const format = tag & 0xfff;
      const outerEnd = r.end;
      r.end = sampleEnd;
      let sample: SflowSample | undefined;
      if (enterprise === 0) {
        if (format === SampleFormat.flow) sample = readFlowSampleBody(r, false, tally);
        else if (format === SampleFormat.flowExpanded) sample = readFlowSampleBody(r, true, tally);
        else if (format === SampleFormat.counters) sample = readCounterSampleBody(r, false, tally);
        else if (format === SampleFormat.countersExpanded) sample = readCounterSampleBody(r, true, tally);
      }
      if (sample === undefined) {
        unknownSamples++;
        sample = { kind: 'unknown', enterprise, format, length };
        r.offset = sampleEnd;
      } else if (r.offset !== sampleEnd) {
        throw new SflowFormatError(
          'inconsistent',
          `sample ${i} declares ${length} bytes, its records use ${length - (sampleEnd - r.offset)}`,
          r.offset,
        );
      }
      r.end = outerEnd;
      r.offset = sampleEnd + pad4(length) - length;
      samples.push(sample);
    }
    if (r.offset !== r.end) {
      throw new SflowFormatError(
        'inconsistent',
        `${r.end - r.offset} bytes follow the last sample`,
        r.offset,
      );
    }
    return {
      ok: true,
      datagram: {
        version: 5,
        agent: address.text,
        agentAddressType: address.type,
        subAgentId,
        sequence,
        uptimeMs,
        samples,
        unknownRecords: tally.unknownRecords,
        unknownSamples,
      },
    };
  } catch (err) {
    return { ok: false, error: toDecodeError(err, r.offset, agent, sequence) };
  }
}
