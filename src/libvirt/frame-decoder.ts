// Splits a byte stream into libvirt RPC messages. virnetprotocol.x: each message starts with a 4-byte
// big-endian length that counts itself, the 24-byte header and the payload; libvirt refuses anything
// larger than VIR_NET_MESSAGE_MAX plus the length word, and so do we, before allocating.
//
// A message that arrives whole inside one chunk is handed out as a view of that chunk (no copy); one
// split across chunks is assembled once into a buffer of its declared size.

import { HEADER_BYTES, LENGTH_WORD_BYTES, MESSAGE_MAX } from './constants.js';
import { LibvirtProtocolError } from './errors.js';

export const DEFAULT_MAX_FRAME_BYTES = MESSAGE_MAX + LENGTH_WORD_BYTES;
const MIN_FRAME_BYTES = LENGTH_WORD_BYTES + HEADER_BYTES;

export class FrameDecoder {
  private readonly lengthWord = Buffer.alloc(LENGTH_WORD_BYTES);
  private lengthHave = 0;
  private partial: Buffer | null = null;
  private partialHave = 0;
  private failed: LibvirtProtocolError | null = null;

  constructor(readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes buffered towards the next message. */
  get pendingBytes(): number {
    return this.partial ? this.partialHave + LENGTH_WORD_BYTES : this.lengthHave;
  }

  /**
   * Feeds one chunk; calls `onMessage` with each complete message (header + body, without the length
   * word). Returns an error when the stream breaks framing; the decoder then refuses all further input,
   * since nothing after a bad length word can be trusted.
   */
  push(chunk: Buffer, onMessage: (message: Buffer) => void): LibvirtProtocolError | null {
    if (this.failed) return this.failed;
    let off = 0;
    const end = chunk.length;
    while (off < end) {
      if (this.partial === null) {
        let length: number;
        if (this.lengthHave === 0 && end - off >= LENGTH_WORD_BYTES) {
          length = chunk.readUInt32BE(off);
          off += LENGTH_WORD_BYTES;
        } else {
          const n = Math.min(LENGTH_WORD_BYTES - this.lengthHave, end - off);
          chunk.copy(this.lengthWord, this.lengthHave, off, off + n);
          this.lengthHave += n;
          off += n;
          if (this.lengthHave < LENGTH_WORD_BYTES) return null;
          this.lengthHave = 0;
          length = this.lengthWord.readUInt32BE(0);
        }
        if (length < MIN_FRAME_BYTES || length > this.maxFrameBytes) {
          this.failed = new LibvirtProtocolError(
            'frame-length',
            `message length ${length} outside [${MIN_FRAME_BYTES}, ${this.maxFrameBytes}]`,
          );
          return this.failed;
        }
        const need = length - LENGTH_WORD_BYTES;
        if (end - off >= need) {
          onMessage(chunk.subarray(off, off + need));
          off += need;
          continue;
        }
        this.partial = Buffer.allocUnsafe(need);
        this.partialHave = 0;
      }
      const partial = this.partial;
      const n = Math.min(partial.length - this.partialHave, end - off);
      chunk.copy(partial, this.partialHave, off, off + n);
      this.partialHave += n;
      off += n;
      if (this.partialHave === partial.length) {
        this.partial = null;
        this.partialHave = 0;
        onMessage(partial);
      }
    }
    return null;
  }
}
