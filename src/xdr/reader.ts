// XDR (RFC 4506) reader: big-endian, every item padded to a multiple of 4 bytes.
// Shared by the sFlow v5 decoder and the libvirt RPC client.
//
// Every read is bounds-checked against `end`; a read past it throws XdrError, which a codec catches at
// its edge and turns into a typed decode error. A reader can be reset onto another buffer so that hot
// paths (one datagram after another) allocate nothing per message.

export class XdrError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'XdrError';
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class XdrReader {
  buf: Buffer;
  offset: number;
  end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  /** Point the reader at another buffer (or another slice of the same one) without allocating. */
  reset(buf: Buffer, offset = 0, end = buf.length): this {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what = 'value'): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new XdrError(`truncated ${what}: need ${n} bytes, ${this.end - this.offset} left`, this.offset);
    }
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  bool(): boolean {
    const v = this.uint32();
    if (v > 1) throw new XdrError(`bad boolean ${v}`, this.offset - 4);
    return v === 1;
  }

  /** Unsigned hyper as a bigint. */
  uint64(): bigint {
    this.need(8, 'uint64');
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  int64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /**
   * Unsigned hyper as a number. Exact up to 2^53 - 1; larger values (counters near wrap) lose their low
   * bits, which is acceptable for rates but never for identities — use uint64() for those.
   */
  uint64Number(): number {
    this.need(8, 'uint64');
    const hi = this.buf.readUInt32BE(this.offset);
    const lo = this.buf.readUInt32BE(this.offset + 4);
    this.offset += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  /** Signed hyper as a number (see uint64Number for precision). */
  int64Number(): number {
    this.need(8, 'int64');
    const hi = this.buf.readInt32BE(this.offset);
    const lo = this.buf.readUInt32BE(this.offset + 4);
    this.offset += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  float(): number {
    this.need(4, 'float');
    const v = this.buf.readFloatBE(this.offset);
    this.offset += 4;
    return v;
  }

  double(): number {
    this.need(8, 'double');
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Fixed-length opaque: `n` bytes plus padding. Returns a view (no copy) into the buffer. */
  fixedOpaque(n: number): Buffer {
    const padded = pad4(n);
    this.need(padded, 'opaque');
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += padded;
    return v;
  }

  /** Variable-length opaque with an upper bound on its declared length. Returns a view. */
  opaque(max = this.remaining): Buffer {
    const n = this.uint32();
    if (n > max) throw new XdrError(`opaque length ${n} exceeds limit ${max}`, this.offset - 4);
    return this.fixedOpaque(n);
  }

  /** Variable-length string (UTF-8) with an upper bound on its declared length. */
  string(max = this.remaining): string {
    const n = this.uint32();
    if (n > max) throw new XdrError(`string length ${n} exceeds limit ${max}`, this.offset - 4);
    const padded = pad4(n);
    this.need(padded, 'string');
    const v = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += padded;
    return v;
  }

  /** Array length prefix, checked against a limit and against what the buffer could possibly hold. */
  arrayLength(max: number, minItemBytes = 4): number {
    const n = this.uint32();
    if (n > max) throw new XdrError(`array length ${n} exceeds limit ${max}`, this.offset - 4);
    if (n * minItemBytes > this.remaining) {
      throw new XdrError(`array of ${n} items cannot fit in ${this.remaining} bytes`, this.offset - 4);
    }
    return n;
  }

  skip(n: number): void {
    this.need(n, 'skipped bytes');
    this.offset += n;
  }
}

export function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** A bigint to a number when it is exactly representable, else the bigint itself. */
export function safeNumber(v: bigint): number | bigint {
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
}
