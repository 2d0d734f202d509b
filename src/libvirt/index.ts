/**
 * libvirt's own RPC protocol in TypeScript: no native binding, no virsh.
 *
 * ```ts
 * const conn = await LibvirtClient.connect('qemu:///system');     // read-only socket by default
 * const records = await conn.getAllDomainStats();                 // every group, NOWAIT flag
 * for (const { domain, params } of records) typedParamsToObject(params)['cpu.time'];
 * conn.on('lifecycle', (e) => console.log(e.domain.name, e.name)); // after registerLifecycleEvents()
 * await conn.registerLifecycleEvents();
 * conn.on('close', ({ error }) => reconnectLater(error));          // once, whatever ended it
 * await conn.close();
 * ```
 *
 * URIs: `qemu:///system`, `test:///default`, `test+unix:///default`, `qemu+unix:///system?socket=/path`,
 * `qemu+tcp://host:16509/system`, `qemu+tls://host/system` (pkipath=, no_verify=1). Over unix the
 * read-only socket is the default (`readOnly: false` for the read-write one).
 *
 * Calls reject with LibvirtError (the daemon's remote_error: code, domain, message, level),
 * LibvirtProtocolError (bytes that break the protocol), LibvirtTimeoutError (per call; the connection
 * stays usable) or LibvirtConnectionError (the connection is gone and 'close' has been emitted, or
 * maxPendingCalls calls are already in flight).
 * A long bulk-stats reply is decoded in slices of at most 2 ms (`sliceMs`), yielding to the event loop.
 * The codecs (message, frame decoder, typed parameters, procedures) are pure and exported for tests,
 * fixtures and fake servers.
 */

export {
  LibvirtClient,
  type CallOptions,
  type CloseInfo,
  type GetAllDomainStatsOptions,
  type LibvirtClientEvents,
  type LibvirtClientOptions,
  type LibvirtLogger,
} from './client.js';
export {
  AuthType,
  DomainState,
  DomainStatsFlag,
  DomainStatsGroup,
  DomainXmlFlag,
  LifecycleEventType,
  ListDomainsFlag,
  MessageStatus,
  MessageType,
  Procedure,
  TypedParamType,
  KEEPALIVE_PROGRAM,
  REMOTE_PROGRAM,
  domainStateName,
  lifecycleEventName,
  type DomainStateName,
  type LifecycleEventName,
} from './constants.js';
export { formatUuid, parseUuid, type DomainRef } from './domain.js';
export {
  ErrorLevel,
  LibvirtConnectionError,
  LibvirtError,
  LibvirtProtocolError,
  LibvirtTimeoutError,
  type Decoded,
  type ProtocolErrorKind,
} from './errors.js';
export { DEFAULT_MAX_FRAME_BYTES, FrameDecoder } from './frame-decoder.js';
export { DEFAULT_KEEPALIVE, Keepalive, type KeepaliveAction, type KeepaliveOptions } from './keepalive.js';
export { decodeLifecycleEvent, type LifecycleEvent } from './lifecycle-event.js';
export { decodeMessage, encodeMessage, type Message, type MessageHeader } from './message.js';
export {
  DomainStatsReplyDecoder,
  decodeGetAllDomainStats,
  splitVersion,
  type DomainStatsRecord,
  type NodeInfo,
  type Version,
} from './procedures.js';
export { decodeRemoteError } from './remote-error.js';
export { typedParamsToObject, type TypedParam, type TypedParamValue } from './typed-param.js';
export type { TlsOptions } from './transport.js';
export {
  DEFAULT_TCP_PORT,
  DEFAULT_TLS_PORT,
  LibvirtUriError,
  parseLibvirtUri,
  SOCKET_READ_ONLY,
  SOCKET_READ_WRITE,
  type LibvirtUri,
  type Transport,
} from './uri.js';
