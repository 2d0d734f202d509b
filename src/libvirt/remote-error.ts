// struct remote_error (remote_protocol.x), the body of every reply with status VIR_NET_ERROR:
// int code; int domain; remote_string message; int level; remote_domain dom; remote_string str1, str2,
// str3; int int1; int int2; remote_network net. `dom` and `net` are unused but still on the wire.

import type { XdrReader } from '../xdr/reader.js';
import type { XdrWriter } from '../xdr/writer.js';
import { REMOTE_STRING_MAX, UUID_BYTES } from './constants.js';
import { readOptionalDomain, writeDomain, type DomainRef } from './domain.js';
import { LibvirtError, type Decoded } from './errors.js';
import { decodeBody } from './decode-body.js';

function readOptionalString(r: XdrReader): string | null {
  return r.bool() ? r.string(REMOTE_STRING_MAX) : null;
}

export function decodeRemoteError(body: Buffer): Decoded<LibvirtError> {
  return decodeBody(body, 'remote_error', (r) => {
    const code = r.int32();
    const domain = r.int32();
    const message = readOptionalString(r);
    const level = r.int32();
    readOptionalDomain(r);
    const str1 = readOptionalString(r);
    const str2 = readOptionalString(r);
    const str3 = readOptionalString(r);
    const int1 = r.int32();
    const int2 = r.int32();
    if (r.bool()) {
      r.string(REMOTE_STRING_MAX);
      r.fixedOpaque(UUID_BYTES);
    }
    return new LibvirtError({ code, domain, message, level, str1, str2, str3, int1, int2 });
  });
}

function writeOptionalString(w: XdrWriter, s: string | null | undefined): void {
  if (s === null || s === undefined) w.bool(false);
  else w.bool(true).string(s);
}

/** Encodes a remote_error (for test servers and fixtures). */
export function writeRemoteError(
  w: XdrWriter,
  e: {
    code: number;
    domain: number;
    message: string | null;
    level: number;
    dom?: DomainRef | null;
    str1?: string | null;
    str2?: string | null;
    str3?: string | null;
    int1?: number;
    int2?: number;
  },
): void {
  w.int32(e.code).int32(e.domain);
  writeOptionalString(w, e.message);
  w.int32(e.level);
  if (e.dom) {
    w.bool(true);
    writeDomain(w, e.dom);
  } else {
    w.bool(false);
  }
  writeOptionalString(w, e.str1);
  writeOptionalString(w, e.str2);
  writeOptionalString(w, e.str3);
  w.int32(e.int1 ?? 0).int32(e.int2 ?? 0);
  w.bool(false);
}
