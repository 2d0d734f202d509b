// remote_nonnull_domain: { remote_nonnull_string name; remote_uuid uuid (16 bytes); int id }.
// `id` is -1 for a domain that is not running.

import { XdrError, type XdrReader } from '../xdr/reader.js';
import type { XdrWriter } from '../xdr/writer.js';
import { REMOTE_STRING_MAX, UUID_BYTES } from './constants.js';

export interface DomainRef {
  name: string;
  /** Lower-case 8-4-4-4-12 form, as libvirt prints it. */
  uuid: string;
  id: number;
}

/** A domain's name is a remote_nonnull_string; libvirt itself never makes one this long. */
const DOMAIN_NAME_MAX = REMOTE_STRING_MAX;

export function formatUuid(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Parses a UUID in libvirt's forms (with or without dashes); null when it is not one. */
export function parseUuid(uuid: string): Buffer | null {
  if (!UUID_RE.test(uuid)) return null;
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

export function readDomain(r: XdrReader): DomainRef {
  const name = r.string(DOMAIN_NAME_MAX);
  if (name.length === 0) throw new XdrError('domain with an empty name', r.offset);
  const uuid = formatUuid(r.fixedOpaque(UUID_BYTES));
  const id = r.int32();
  return { name, uuid, id };
}

export function writeDomain(w: XdrWriter, d: DomainRef): void {
  const uuid = parseUuid(d.uuid);
  if (!uuid) throw new TypeError(`not a UUID: ${d.uuid}`);
  w.string(d.name).fixedOpaque(uuid).int32(d.id);
}

/** `remote_domain` (a pointer: a boolean, then the domain when present). */
export function readOptionalDomain(r: XdrReader): DomainRef | null {
  return r.bool() ? readDomain(r) : null;
}
