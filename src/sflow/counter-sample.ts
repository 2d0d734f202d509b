// sflow_version_5.txt counters_sample (format 2) and counters_sample_expanded (format 4).

import type { XdrReader } from '../xdr/reader.js';
import { decodeCounterRecord } from './counter-records.js';
import { readRecordList, type RecordTally } from './record-list.js';
import type { CounterRecord, CounterSample } from './types.js';

export function readCounterSampleBody(r: XdrReader, expanded: boolean, tally: RecordTally): CounterSample {
  const sequence = r.uint32();
  let sourceIdType: number;
  let sourceIdIndex: number;
  if (expanded) {
    sourceIdType = r.uint32();
    sourceIdIndex = r.uint32();
  } else {
    // source_id: data source type in the top 8 bits, index in the low 24
    const sourceId = r.uint32();
    sourceIdType = sourceId >>> 24;
    sourceIdIndex = sourceId & 0x00ffffff;
  }
  const records: CounterRecord[] = [];
  readRecordList(r, tally, decodeCounterRecord, records);
  return { kind: 'counters', expanded, sequence, sourceIdType, sourceIdIndex, records };
}
