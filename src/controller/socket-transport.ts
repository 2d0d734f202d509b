// A TCP socket as a session transport. Messages sent in one turn of the event loop are encoded back to back
// into one batch buffer and leave in a single write: no buffer per message, no per-message stream
// bookkeeping. A peer that stops reading while we keep writing is cut off at a queue limit.

import type { Socket } from 'node:net';
import { writeMessage, type OfMessage, type OfVersion } from '../openflow/index.js';
import type { Transport } from './switch-session.js';

/** How long a closing connection may take to flush its last bytes. */
const LINGER_MS = 1000;
/** A fresh batch holds any single message (the 16-bit length field caps one at 65535 bytes). */
const BATCH_BYTES = 128 * 1024;
/** A batch with less room than this left is not reused for the next turn. */
const MIN_REUSE = 4096;

export class SocketTransport implements Transport {
  private batch: Buffer | undefined;
  private used = 0;
  private scheduled = false;

  constructor(
    private readonly socket: Socket,
    private readonly maxQueuedBytes: number,
    private readonly onOverflow: () => void,
  ) {}

  send(version: OfVersion, xid: number, msg: OfMessage): void {
    if (this.socket.destroyed) return;
    if (this.batch === undefined) this.fresh();
    let len: number;
    try {
      len = writeMessage(this.batch!, this.used, version, xid, msg);
    } catch (e) {
      // "Does not fit in what is left of this batch": send what is queued, retry once in a fresh batch
      // (which holds any message). Encoding errors, and a second failure, go to the caller.
      if (!(e instanceof RangeError)) throw e;
      this.flush();
      this.fresh();
      len = writeMessage(this.batch!, this.used, version, xid, msg);
    }
    this.used += len;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushTick);
    }
  }

  private fresh(): void {
    this.batch = Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
  }

  private readonly flushTick = (): void => {
    this.scheduled = false;
    this.flush();
  };

  private flush(): void {
    const b = this.batch;
    if (b === undefined || this.used === 0 || this.socket.destroyed) return;
    this.socket.write(b.subarray(0, this.used));
    // The socket keeps the bytes just written; what is left of the batch serves the next turn.
    this.batch = b.length - this.used >= MIN_REUSE ? b.subarray(this.used) : undefined;
    this.used = 0;
    if (this.socket.writableLength > this.maxQueuedBytes) this.onOverflow();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (!this.socket.destroyed) this.socket.resume();
  }

  /** Sends what is queued (a final OFPT_ERROR, say), then closes; a peer that does not close in time is cut. */
  destroy(): void {
    if (this.socket.destroyed) return;
    this.flush();
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), LINGER_MS);
    t.unref();
  }
}
