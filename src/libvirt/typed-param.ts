// virTypedParameter on the wire (remote_protocol.x): struct remote_typed_param { remote_nonnull_string
// field; union remote_typed_param_value switch (int type) { 1 int i; 2 unsigned int ui; 3 hyper l;
// 4 unsigned hyper ul; 5 double d; 6 int b; 7 remote_nonnull_string s; } }.

import { XdrError, type XdrReader } from '../xdr/reader.js';
import type { XdrWriter } from '../xdr/writer.js';
import { REMOTE_STRING_MAX, TypedParamType } from './constants.js';

/** VIR_TYPED_PARAM_FIELD_LENGTH: a field name and its NUL fit in 80 bytes. */
export const TYPED_PARAM_FIELD_MAX = 79;

const TWO_POW_53 = 2 ** 53;

export type TypedParam =
  | { field: string; type: typeof TypedParamType.INT | typeof TypedParamType.UINT; value: number }
  | {
      field: string;
      type: typeof TypedParamType.LLONG | typeof TypedParamType.ULLONG;
      /** Exact up to 2^53; beyond that the nearest double (see `exact`). */
      value: number;
      /** Set only when the 64-bit value is not exactly representable as a number. */
      exact?: bigint;
    }
  | { field: string; type: typeof TypedParamType.DOUBLE; value: number }
  | { field: string; type: typeof TypedParamType.BOOLEAN; value: boolean }
  | { field: string; type: typeof TypedParamType.STRING; value: string };

export type TypedParamValue = number | boolean | string;

// Field names repeat in every record of a bulk stats reply ("net.0.rx.bytes" once per domain), so
// ASCII names are not decoded again: first the name at the same place in the previous record is tried
// (records of one reply mostly list the same fields in the same order), then a hash of the bytes finds a
// name decoded before. Either is checked byte by byte. The cache is bounded, so a peer inventing names
// cannot grow it without limit.
const FIELD_CACHE_MAX = 8192;
const fieldCache = new Map<number, string>();

/** True when `s` is exactly the ASCII bytes buf[start, start + s.length). */
function sameAscii(s: string, buf: Buffer, start: number): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = buf[start + i]!;
    if (c >= 0x80 || s.charCodeAt(i) !== c) return false;
  }
  return true;
}

function readFieldName(r: XdrReader, hint: string | undefined): string {
  const at = r.offset;
  const n = r.uint32();
  if (n === 0 || n > TYPED_PARAM_FIELD_MAX) {
    throw new XdrError(`typed parameter field name of ${n} bytes (1..${TYPED_PARAM_FIELD_MAX})`, at);
  }
  const padded = (n + 3) & ~3;
  r.need(padded, 'field name');
  const buf = r.buf;
  const start = r.offset;
  const end = start + n;
  r.offset += padded;
  if (hint !== undefined && hint.length === n && sameAscii(hint, buf, start)) return hint;
  // FNV-1a over the bytes, seeded with the length.
  let h = 0x811c9dc5 ^ n;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return buf.toString('utf8', start, end);
    h = Math.imul(h ^ c, 0x01000193);
  }
  const cached = fieldCache.get(h);
  if (cached !== undefined && cached.length === n && sameAscii(cached, buf, start)) return cached;
  const field = buf.toString('latin1', start, end);
  if (cached === undefined && fieldCache.size < FIELD_CACHE_MAX) fieldCache.set(h, field);
  return field;
}

/** Reads one parameter; throws XdrError on malformed input (callers catch at their edge). */
export function readTypedParam(r: XdrReader, fieldHint?: string): TypedParam {
  const field = readFieldName(r, fieldHint);
  const type = r.int32();
  switch (type) {
    case TypedParamType.INT:
      return { field, type, value: r.int32() };
    case TypedParamType.UINT:
      return { field, type, value: r.uint32() };
    case TypedParamType.LLONG: {
      const value = r.int64Number();
      if (value >= TWO_POW_53 || value <= -TWO_POW_53) {
        r.offset -= 8;
        return { field, type, value, exact: r.int64() };
      }
      return { field, type, value };
    }
    case TypedParamType.ULLONG: {
      const value = r.uint64Number();
      if (value >= TWO_POW_53) {
        r.offset -= 8;
        return { field, type, value, exact: r.uint64() };
      }
      return { field, type, value };
    }
    case TypedParamType.DOUBLE:
      return { field, type, value: r.double() };
    case TypedParamType.BOOLEAN:
      return { field, type, value: r.int32() !== 0 };
    case TypedParamType.STRING:
      return { field, type, value: r.string(REMOTE_STRING_MAX) };
    default:
      throw new XdrError(`typed parameter ${field} has unknown type ${type}`, r.offset - 4);
  }
}

/**
 * Reads `remote_typed_param params<max>`. `previous`, the parameters of the record before (in a reply
 * of many), lets repeated field names be recognised instead of decoded again.
 */
export function readTypedParams(r: XdrReader, max: number, previous?: readonly TypedParam[]): TypedParam[] {
  // The smallest parameter: an empty-padded 1-byte name (8 bytes), the type (4) and an int (4).
  const n = r.arrayLength(max, 16);
  const params = new Array<TypedParam>(n);
  for (let i = 0; i < n; i++) params[i] = readTypedParam(r, previous?.[i]?.field);
  return params;
}

export function writeTypedParam(w: XdrWriter, p: TypedParam): void {
  w.string(p.field).int32(p.type);
  switch (p.type) {
    case TypedParamType.INT:
      w.int32(p.value);
      break;
    case TypedParamType.UINT:
      w.uint32(p.value);
      break;
    case TypedParamType.LLONG:
      w.int64(p.exact ?? BigInt(Math.trunc(p.value)));
      break;
    case TypedParamType.ULLONG:
      w.uint64(p.exact ?? BigInt(Math.trunc(p.value)));
      break;
    case TypedParamType.DOUBLE:
      w.double(p.value);
      break;
    case TypedParamType.BOOLEAN:
      w.int32(p.value ? 1 : 0);
      break;
    case TypedParamType.STRING:
      w.string(p.value);
      break;
  }
}

export function writeTypedParams(w: XdrWriter, params: readonly TypedParam[]): void {
  w.uint32(params.length);
  for (const p of params) writeTypedParam(w, p);
}

/** The parameters as a plain object, field -> value (a later duplicate field wins). */
export function typedParamsToObject(params: readonly TypedParam[]): Record<string, TypedParamValue> {
  const out: Record<string, TypedParamValue> = {};
  for (const p of params) out[p.field] = p.value;
  return out;
}
