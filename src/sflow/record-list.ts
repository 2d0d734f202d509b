// The record list inside a flow or counter sample: `flow_record<>` / `counter_record<>`, each record a
// format tag and an opaque body. Unknown formats (and other enterprises) are skipped by their length.

import { pad4, type XdrReader } from '../xdr/reader.js';
import { SflowFormatError } from './decode-error.js';
import { MAX_RECORDS } from './limits.js';
import type { UnknownRecord } from './types.js';

export interface RecordTally {
  unknownRecords: number;
}

export function readRecordList<T>(
  r: XdrReader,
  tally: RecordTally,
  decode: (r: XdrReader, format: number) => T | undefined,
  out: (T | UnknownRecord)[],
): void {
  const n = r.arrayLength(MAX_RECORDS, 8);
  for (let i = 0; i < n; i++) {
    const tag = r.uint32();
    const length = r.uint32();
    // record data is opaque<>: its length counts the bytes, padding to 4 follows
    r.need(pad4(length), 'record');
    const recordEnd = r.offset + length;
    const enterprise = tag >>> 12;
    const format = tag & 0xfff;
    const outerEnd = r.end;
    r.end = recordEnd;
    const record = enterprise === 0 ? decode(r, format) : undefined;
    if (record === undefined) {
      tally.unknownRecords++;
      out.push({ type: 'unknown', enterprise, format, length });
    } else {
      if (r.offset !== recordEnd) {
        throw new SflowFormatError(
          'inconsistent',
          `record format ${format} declares ${length} bytes, its fields use ${length - (recordEnd - r.offset)}`,
          r.offset,
        );
      }
      out.push(record);
    }
    r.end = outerEnd;
    r.offset = recordEnd + pad4(length) - length;
  }
}
