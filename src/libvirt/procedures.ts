// Arguments and replies of the remote procedures this client speaks (remote_protocol.x). Encoders
// write XDR into a writer; decoders are pure and return a Decoded value.

import { XdrReader } from '../xdr/reader.js';
import type { XdrWriter } from '../xdr/writer.js';
import {
  REMOTE_AUTH_TYPE_LIST_MAX,
  REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX,
  REMOTE_DOMAIN_LIST_MAX,
  REMOTE_STRING_MAX,
} from './constants.js';
import { decodeBody, decodeWith } from './decode-body.js';
import { readDomain, writeDomain, type DomainRef } from './domain.js';
import type { Decoded } from './errors.js';
import { readTypedParams, writeTypedParams, type TypedParam } from './typed-param.js';

// Smallest remote_nonnull_domain: a 1-byte name (8), the uuid (16), the id (4).
const MIN_DOMAIN_BYTES = 28;

// --- CONNECT_OPEN: remote_open_args { remote_string name; unsigned int flags; } -> void

export function writeOpenArgs(w: XdrWriter, name: string | null, flags: number): void {
  if (name === null) w.bool(false);
  else w.bool(true).string(name);
  w.uint32(flags);
}

// --- AUTH_LIST: void -> remote_auth_list_ret { remote_auth_type types<REMOTE_AUTH_TYPE_LIST_MAX>; }

export function decodeAuthList(body: Buffer): Decoded<number[]> {
  return decodeBody(body, 'remote_auth_list_ret', (r) => {
    const n = r.arrayLength(REMOTE_AUTH_TYPE_LIST_MAX);
    const types: number[] = [];
    for (let i = 0; i < n; i++) types.push(r.int32());
    return types;
  });
}

// --- CONNECT_SUPPORTS_FEATURE: { int feature; } -> { int supported; }

export function writeSupportsFeatureArgs(w: XdrWriter, feature: number): void {
  w.int32(feature);
}

export function decodeSupportsFeature(body: Buffer): Decoded<boolean> {
  return decodeBody(body, 'remote_connect_supports_feature_ret', (r) => r.int32() !== 0);
}

// --- CONNECT_GET_LIB_VERSION: void -> { unsigned hyper lib_ver; }

/** libvirt's version as major * 1,000,000 + minor * 1,000 + release. */
export function decodeLibVersion(body: Buffer): Decoded<number> {
  return decodeBody(body, 'remote_connect_get_lib_version_ret', (r) => r.uint64Number());
}

export interface Version {
  major: number;
  minor: number;
  release: number;
}

export function splitVersion(v: number): Version {
  return { major: Math.floor(v / 1_000_000), minor: Math.floor(v / 1000) % 1000, release: v % 1000 };
}

// --- CONNECT_GET_HOSTNAME: void -> { remote_nonnull_string hostname; }

export function decodeHostname(body: Buffer): Decoded<string> {
  return decodeBody(body, 'remote_connect_get_hostname_ret', (r) => r.string(REMOTE_STRING_MAX));
}

// --- NODE_GET_INFO: void -> { char model[32]; unsigned hyper memory; int cpus; int mhz; int nodes;
// int sockets; int cores; int threads; }. rpcgen encodes `char model[32]` as 32 XDR ints, 4 bytes each.

export interface NodeInfo {
  /** CPU model, e.g. "x86_64". */
  model: string;
  /** Memory in KiB. */
  memoryKiB: number;
  cpus: number;
  mhz: number;
  /** NUMA nodes. */
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
}

export function decodeNodeInfo(body: Buffer): Decoded<NodeInfo> {
  return decodeBody(body, 'remote_node_get_info_ret', (r) => {
    const chars: number[] = [];
    let done = false;
    for (let i = 0; i < 32; i++) {
      const c = r.int32() & 0xff;
      if (c === 0) done = true;
      if (!done) chars.push(c);
    }
    return {
      model: Buffer.from(chars).toString('utf8'),
      memoryKiB: r.uint64Number(),
      cpus: r.int32(),
      mhz: r.int32(),
      nodes: r.int32(),
      sockets: r.int32(),
      cores: r.int32(),
      threads: r.int32(),
    };
  });
}

export function writeNodeInfo(w: XdrWriter, info: NodeInfo): void {
  const model = Buffer.from(info.model, 'utf8');
  for (let i = 0; i < 32; i++) w.int32(i < model.length && i < 31 ? (model[i] ?? 0) : 0);
  w.uint64(info.memoryKiB).int32(info.cpus).int32(info.mhz).int32(info.nodes);
  w.int32(info.sockets).int32(info.cores).int32(info.threads);
}

// --- CONNECT_LIST_ALL_DOMAINS: { int need_results; unsigned int flags; } ->
// { remote_nonnull_domain domains<REMOTE_DOMAIN_LIST_MAX>; unsigned int ret; }

export function writeListAllDomainsArgs(w: XdrWriter, flags: number): void {
  w.int32(1).uint32(flags);
}

function readDomains(r: XdrReader): DomainRef[] {
  const n = r.arrayLength(REMOTE_DOMAIN_LIST_MAX, MIN_DOMAIN_BYTES);
  const out = new Array<DomainRef>(n);
  for (let i = 0; i < n; i++) out[i] = readDomain(r);
  return out;
}

export function decodeListAllDomains(body: Buffer): Decoded<DomainRef[]> {
  return decodeBody(body, 'remote_connect_list_all_domains_ret', (r) => {
    const domains = readDomains(r);
    r.uint32();
    return domains;
  });
}

export function writeListAllDomainsRet(w: XdrWriter, domains: readonly DomainRef[]): void {
  w.uint32(domains.length);
  for (const d of domains) writeDomain(w, d);
  w.uint32(domains.length);
}

// --- CONNECT_GET_ALL_DOMAIN_STATS: { remote_nonnull_domain doms<REMOTE_DOMAIN_LIST_MAX>;
// unsigned int stats; unsigned int flags; } -> { remote_domain_stats_record retStats<REMOTE_DOMAIN_LIST_MAX>; }
// where remote_domain_stats_record is { remote_nonnull_domain dom; remote_typed_param params<...>; }.
// An empty `doms` asks for every domain (virConnectGetAllDomainStats); a list, for those only
// (virDomainListGetStats).

export interface DomainStatsRecord {
  domain: DomainRef;
  params: TypedParam[];
}

export function writeGetAllDomainStatsArgs(
  w: XdrWriter,
  domains: readonly DomainRef[],
  stats: number,
  flags: number,
): void {
  w.uint32(domains.length);
  for (const d of domains) writeDomain(w, d);
  w.uint32(stats).uint32(flags);
}

export function decodeGetAllDomainStats(body: Buffer): Decoded<DomainStatsRecord[]> {
  const started = DomainStatsReplyDecoder.start(body);
  if (!started.ok) return started;
  const done = started.value.next(Number.POSITIVE_INFINITY);
  return done.ok ? { ok: true, value: started.value.records } : done;
}

/**
 * Decodes a CONNECT_GET_ALL_DOMAIN_STATS reply a slice of records at a time, so that a reply of
 * thousands of domains can be decoded between other work on the event loop. Owns its reader.
 */
export class DomainStatsReplyDecoder {
  readonly records: DomainStatsRecord[] = [];
  private readonly reader: XdrReader;
  private readonly count: number;
  private failed: Decoded<boolean> | null = null;

  private constructor(reader: XdrReader, count: number) {
    this.reader = reader;
    this.count = count;
  }

  static start(body: Buffer): Decoded<DomainStatsReplyDecoder> {
    const reader = new XdrReader(body);
    return decodeWith(reader, 'remote_connect_get_all_domain_stats_ret', (r) => {
      const n = r.arrayLength(REMOTE_DOMAIN_LIST_MAX, MIN_DOMAIN_BYTES + 4);
      return new DomainStatsReplyDecoder(r, n);
    });
  }

  get done(): boolean {
    return this.records.length === this.count;
  }

  /** Decodes up to `maxRecords` more records; the value says whether the reply is complete. */
  next(maxRecords: number): Decoded<boolean> {
    if (this.failed) return this.failed;
    const result = decodeWith(this.reader, 'remote_connect_get_all_domain_stats_ret', (r) => {
      const stop = Math.min(this.count, this.records.length + maxRecords);
      for (let i = this.records.length; i < stop; i++) {
        const domain = readDomain(r);
        const previous = this.records[i - 1]?.params;
        this.records.push({
          domain,
          params: readTypedParams(r, REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX, previous),
        });
      }
      return this.records.length === this.count;
    });
    // Past a decode error the reader's position means nothing: stay failed.
    if (!result.ok) this.failed = result;
    return result;
  }
}

export function writeGetAllDomainStatsRet(w: XdrWriter, records: readonly DomainStatsRecord[]): void {
  w.uint32(records.length);
  for (const rec of records) {
    writeDomain(w, rec.domain);
    writeTypedParams(w, rec.params);
  }
}

// --- DOMAIN_GET_XML_DESC: { remote_nonnull_domain dom; unsigned int flags; } ->
// { remote_nonnull_string xml; }

export function writeGetXmlDescArgs(w: XdrWriter, domain: DomainRef, flags: number): void {
  writeDomain(w, domain);
  w.uint32(flags);
}

export function decodeGetXmlDesc(body: Buffer): Decoded<string> {
  return decodeBody(body, 'remote_domain_get_xml_desc_ret', (r) => r.string(REMOTE_STRING_MAX));
}

// --- CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: { int eventID; remote_domain dom; } -> { int callbackID; }
// --- CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: { int callbackID; } -> void

export function writeCallbackRegisterAnyArgs(w: XdrWriter, eventId: number, domain: DomainRef | null): void {
  w.int32(eventId);
  if (domain) {
    w.bool(true);
    writeDomain(w, domain);
  } else {
    w.bool(false);
  }
}

export function decodeCallbackRegisterAny(body: Buffer): Decoded<number> {
  return decodeBody(body, 'remote_connect_domain_event_callback_register_any_ret', (r) => r.int32());
}

export function writeCallbackDeregisterAnyArgs(w: XdrWriter, callbackId: number): void {
  w.int32(callbackId);
}

/** A reply with no body (`void` ret). Extra bytes are tolerated, as libvirt's own XDR does. */
export function decodeVoid(_body: Buffer): Decoded<void> {
  return { ok: true, value: undefined };
}
