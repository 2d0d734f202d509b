// TCP framing for OpenFlow: every message starts with an 8-byte header whose bytes 2..3 hold the whole
// message length. A chunk may hold part of a message, one message, or several. Messages lying whole in
// one chunk are handed over as views of that chunk (no copy); only a message split across chunks is
// assembled in a buffer of its own (allocated once, at its exact length). A caller may bound the frames
// handed out per call (a fair share of one event-loop turn, say): the bytes left over wait, unframed.

import { OFP_HEADER_LEN, OFP_MAX_MESSAGE_LEN } from './header.js';

export interface OfStreamDecoderOptions {
  /** Largest accepted message, header included (default and upper bound: 65535, the field's limit). */
  maxMessageSize?: number;
}

export interface OfStreamError {
  code: 'too-large' | 'bad-length';
  message: string;
  /** The offending header length field. */
  length: number;
}

/** Receives one whole message: bytes [start, end) of buf. Must not throw. */
export type OfFrameHandler = (buf: Buffer, start: number, end: number) => void;

export class OfStreamDecoder {
  private readonly maxMessageSize: number;
  /** First bytes of a message whose length field has not fully arrived yet. */
  private readonly lenBytes = Buffer.alloc(4);
  private lenFill = 0;
  /** A message being assembled across chunks. */
  private partial: Buffer | undefined;
  private partialFill = 0;
  private failed: OfStreamError | undefined;
  /** Chunks (the first from heldOff) not framed yet because a frame budget ran out. */
  private readonly held: Buffer[] = [];
  private heldOff = 0;
  private heldBytes = 0;
  /** Frames the current push or drain may still hand out. */
  private left = 0;

  constructor(opts: OfStreamDecoderOptions = {}) {
    this.maxMessageSize = Math.min(opts.maxMessageSize ?? OFP_MAX_MESSAGE_LEN, OFP_MAX_MESSAGE_LEN);
  }

  /** The sticky error, once the stream went bad: the connection should be closed. */
  get error(): OfStreamError | undefined {
    return this.failed;
  }

  /** Bytes held from an incomplete message. */
  get buffered(): number {
    return this.partial ? this.partialFill : this.lenFill;
  }

  private check(len: number): OfStreamError | undefined {
    if (len < OFP_HEADER_LEN) {
      this.failed = {
        code: 'bad-length',
        message: `message length ${len} is shorter than the header`,
        length: len,
      };
    } else if (len > this.maxMessageSize) {
      this.failed = {
        code: 'too-large',
        message: `message length ${len} exceeds limit ${this.maxMessageSize}`,
        length: len,
      };
    }
    return this.failed;
  }

  /** Bytes received but not framed yet, because a frame budget ran out (see push). */
  get backlog(): number {
    return this.heldBytes;
  }

  /**
   * Feeds one chunk; calls onFrame for every complete message, in order, at most maxFrames times. What a
   * spent budget leaves unframed is kept (backlog) and framed by drain, or by later pushes before their
   * own bytes. Returns the error (and stops) when a header announces an impossible or oversized length;
   * every later call returns it again.
   */
  push(chunk: Buffer, onFrame: OfFrameHandler, maxFrames = Infinity): OfStreamError | undefined {
    if (this.failed) return this.failed;
    if (this.held.length > 0) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      return this.drain(onFrame, maxFrames);
    }
    this.left = maxFrames;
    const off = this.frame(chunk, 0, onFrame);
    if (this.failed) return this.failed;
    if (off < chunk.length) {
      this.held.push(chunk);
      this.heldOff = off;
      this.heldBytes = chunk.length - off;
    }
    return this.failed;
  }

  /** Frames up to maxFrames messages of the backlog. */
  drain(onFrame: OfFrameHandler, maxFrames: number): OfStreamError | undefined {
    if (this.failed) return this.failed;
    this.left = maxFrames;
    while (this.held.length > 0 && this.left > 0) {
      const c = this.held[0]!;
      const off = this.frame(c, this.heldOff, onFrame);
      if (this.failed) {
        // Nothing more is framed after an error: let the backlog go.
        this.held.length = 0;
        this.heldBytes = 0;
        break;
      }
      this.heldBytes -= off - this.heldOff;
      if (off < c.length) {
        this.heldOff = off;
        break;
      }
      this.held.shift();
      this.heldOff = 0;
    }
    return this.failed;
  }

  /** Frames chunk from off while the budget lasts; returns where it stopped (chunk.length: all taken). */
  private frame(chunk: Buffer, off: number, onFrame: OfFrameHandler): number {
    const n = chunk.length;
    if (this.left <= 0) return off;

    if (this.lenFill > 0) {
      const take = Math.min(4 - this.lenFill, n - off);
      chunk.copy(this.lenBytes, this.lenFill, off, off + take);
      this.lenFill += take;
      off += take;
      if (this.lenFill < 4) return n;
      const len = this.lenBytes.readUInt16BE(2);
      if (this.check(len)) return n;
      this.partial = Buffer.allocUnsafe(len);
      this.lenBytes.copy(this.partial, 0, 0, 4);
      this.partialFill = 4;
      this.lenFill = 0;
    }

    if (this.partial) {
      const p = this.partial;
      const take = Math.min(p.length - this.partialFill, n - off);
      chunk.copy(p, this.partialFill, off, off + take);
      this.partialFill += take;
      off += take;
      if (this.partialFill < p.length) return n;
      this.partial = undefined;
      this.partialFill = 0;
      this.left--;
      onFrame(p, 0, p.length);
    }

    while (off < n) {
      if (this.left <= 0) return off;
      const remaining = n - off;
      if (remaining < 4) {
        chunk.copy(this.lenBytes, 0, off, n);
        this.lenFill = remaining;
        return n;
      }
      const len = chunk.readUInt16BE(off + 2);
      if (this.check(len)) return n;
      if (remaining < len) {
        const p = Buffer.allocUnsafe(len);
        chunk.copy(p, 0, off, n);
        this.partial = p;
        this.partialFill = remaining;
        return n;
      }
      this.left--;
      onFrame(chunk, off, off + len);
      off += len;
    }
    return n;
  }
}
