// The errors a libvirt connection can produce. Codecs never throw these: they return them inside a
// `Decoded` value; the client rejects calls with them.

/** virErrorLevel. */
export const ErrorLevel = { NONE: 0, WARNING: 1, ERROR: 2 } as const;

/**
 * An error reported by the daemon (struct remote_error). `code` is a virErrorNumber (e.g. 42
 * VIR_ERR_NO_DOMAIN, 55 VIR_ERR_OPERATION_INVALID, 38 VIR_ERR_SYSTEM_ERROR), `domain` a virErrorDomain
 * (the subsystem that raised it), `level` a virErrorLevel.
 */
export class LibvirtError extends Error {
  readonly code: number;
  readonly domain: number;
  readonly level: number;
  readonly str1: string | null;
  readonly str2: string | null;
  readonly str3: string | null;
  readonly int1: number;
  readonly int2: number;
  /** The remote procedure whose call failed (0 when unknown). */
  procedure = 0;

  constructor(fields: {
    code: number;
    domain: number;
    message: string | null;
    level: number;
    str1?: string | null;
    str2?: string | null;
    str3?: string | null;
    int1?: number;
    int2?: number;
  }) {
    super(fields.message ?? `libvirt error code ${fields.code}`);
    this.name = 'LibvirtError';
    this.code = fields.code;
    this.domain = fields.domain;
    this.level = fields.level;
    this.str1 = fields.str1 ?? null;
    this.str2 = fields.str2 ?? null;
    this.str3 = fields.str3 ?? null;
    this.int1 = fields.int1 ?? 0;
    this.int2 = fields.int2 ?? 0;
  }
}

export type ProtocolErrorKind =
  | 'frame-length' // a length word outside [28, max]
  | 'header' // a header that does not decode or names an unknown message type
  | 'body' // a reply or event body that does not decode as its procedure's struct
  | 'unexpected' // a well-formed message the client has no use for in this state
  | 'handshake'; // the transport or authentication step did not complete

/** Bytes from the peer that break the protocol. */
export class LibvirtProtocolError extends Error {
  constructor(
    readonly kind: ProtocolErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'LibvirtProtocolError';
  }
}

/** A call that got no reply in time. The connection stays usable; a late reply is dropped. */
export class LibvirtTimeoutError extends Error {
  constructor(
    readonly procedure: number,
    readonly timeoutMs: number,
  ) {
    super(`libvirt call ${procedure} got no reply within ${timeoutMs} ms`);
    this.name = 'LibvirtTimeoutError';
  }
}

/** The connection is gone (closed, refused, reset, keepalive expired); every pending call fails with it. */
export class LibvirtConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LibvirtConnectionError';
  }
}

/** The result of every decoder: a value or a typed error, never an exception. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: LibvirtProtocolError | LibvirtError };

export function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function fail<T>(error: LibvirtProtocolError | LibvirtError): Decoded<T> {
  return { ok: false, error };
}
