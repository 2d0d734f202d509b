// Discovery probes are sent out of every port, host-facing ones included, so anyone on a port can read
// one and anyone can forge one. A forged probe would invent a link and, through the spanning tree, block
// real ports. Each probe therefore carries a stamp: when it was sent and an HMAC-SHA256 over
// (datapath id, port, time) under a key that never leaves the controller. A probe counts only if its
// stamp verifies and is fresh. Replaying a probe seen on one's own port only reproduces that port's
// own link to itself, which the link table ignores.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'vigil-probe ';
const MAC_BYTES = 16;

export class ProbeStamper {
  private readonly key: Buffer;

  constructor(
    /** A probe older than this is refused (ms). */
    readonly maxAgeMs: number,
    key: Buffer = randomBytes(32),
  ) {
    this.key = key;
  }

  private mac(datapathId: bigint, portNo: number, sentAt: number): Buffer {
    const msg = Buffer.alloc(20);
    msg.writeBigUInt64BE(datapathId, 0);
    msg.writeUInt32BE(portNo >>> 0, 8);
    msg.writeBigUInt64BE(BigInt(sentAt), 12);
    return createHmac('sha256', this.key).update(msg).digest().subarray(0, MAC_BYTES);
  }

  stamp(datapathId: bigint, portNo: number, now: number): string {
    const sentAt = Math.floor(now);
    return `${PREFIX}${sentAt.toString(16)} ${this.mac(datapathId, portNo, sentAt).toString('hex')}`;
  }

  verify(stamp: string | undefined, datapathId: bigint, portNo: number, now: number): boolean {
    if (stamp === undefined || !stamp.startsWith(PREFIX)) return false;
    const m = /^([0-9a-f]{1,13}) ([0-9a-f]{32})$/.exec(stamp.slice(PREFIX.length));
    if (!m) return false;
    const sentAt = Number.parseInt(m[1]!, 16);
    if (now - sentAt > this.maxAgeMs || sentAt - now > 1000) return false;
    return timingSafeEqual(Buffer.from(m[2]!, 'hex'), this.mac(datapathId, portNo, sentAt));
  }
}
