// XDR (RFC 4506) writer: a growing buffer, big-endian, items padded to 4 bytes.
// Used to encode libvirt RPC calls and to build sFlow fixtures and benchmark captures.

import { pad4 } from './reader.js';

export class XdrWriter {
  private buf: Buffer;
  private length = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.alloc(initialSize);
  }

  get size(): number {
    return this.length;
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.length);
    this.length += 4;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.length);
    this.length += 4;
    return this;
  }

  bool(v: boolean): this {
    return this.uint32(v ? 1 : 0);
  }

  uint64(v: bigint | number): this {
    this.ensure(8);
    this.buf.writeBigUInt64BE(BigInt(v), this.length);
    this.length += 8;
    return this;
  }

  int64(v: bigint | number): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.length);
    this.length += 8;
    return this;
  }

  float(v: number): this {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.length);
    this.length += 4;
    return this;
  }

  double(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.length);
    this.length += 8;
    return this;
  }

  /** Fixed-length opaque: the bytes plus zero padding, no length prefix. */
  fixedOpaque(bytes: Uint8Array): this {
    const padded = pad4(bytes.length);
    this.ensure(padded);
    this.buf.set(bytes, this.length);
    this.buf.fill(0, this.length + bytes.length, this.length + padded);
    this.length += padded;
    return this;
  }

  opaque(bytes: Uint8Array): this {
    this.uint32(bytes.length);
    return this.fixedOpaque(bytes);
  }

  string(s: string): this {
    return this.opaque(Buffer.from(s, 'utf8'));
  }

  /** Reserve a uint32 to fill in later (a length known only after the body is written). */
  placeholder(): number {
    const at = this.length;
    this.uint32(0);
    return at;
  }

  patchUint32(at: number, v: number): this {
    this.buf.writeUInt32BE(v >>> 0, at);
    return this;
  }

  /** The bytes written so far (a copy, so the writer can be reused). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}
