// sflow_version_5.txt flow_sample (format 1) and flow_sample_expanded (format 3), full-object form.

import type { XdrReader } from '../xdr/reader.js';
import { decodeFlowRecord } from './flow-records.js';
import { readRecordList, type RecordTally } from './record-list.js';
import type { FlowRecord, FlowSample, SflowInterface } from './types.js';

export function readFlowSampleBody(r: XdrReader, expanded: boolean, tally: RecordTally): FlowSample {
  const sequence = r.uint32();
  let sourceIdType: number;
  let sourceIdIndex: number;
  if (expanded) {
    sourceIdType = r.uint32();
    sourceIdIndex = r.uint32();
  } else {
    const sourceId = r.uint32();
    sourceIdType = sourceId >>> 24;
    sourceIdIndex = sourceId & 0x00ffffff;
  }
  const samplingRate = r.uint32();
  const samplePool = r.uint32();
  const drops = r.uint32();
  let input: SflowInterface;
  let output: SflowInterface;
  if (expanded) {
    input = { format: r.uint32(), value: r.uint32() };
    output = { format: r.uint32(), value: r.uint32() };
  } else {
    // compact interface: format in the top 2 bits, value in the low 30
    const i = r.uint32();
    const o = r.uint32();
    input = { format: i >>> 30, value: i & 0x3fffffff };
    output = { format: o >>> 30, value: o & 0x3fffffff };
  }
  const records: FlowRecord[] = [];
  readRecordList(r, tally, decodeFlowRecord, records);
  return {
    kind: 'flow',
    expanded,
    sequence,
    sourceIdType,
    sourceIdIndex,
    samplingRate,
    samplePool,
    drops,
    input,
    output,
    records,
  };
}
