/**
 * A malformed or unsupported packet, returned (never thrown) by every decoder in this folder.
 * Not an Error subclass: building one captures no stack, so a flood of bad frames stays cheap.
 */
export class PacketError {
  constructor(
    /** The header being decoded: 'ethernet', 'arp', 'ipv4', 'tcp', 'udp', 'icmp', 'lldp'. */
    readonly layer: string,
    readonly reason: string,
    /** Byte offset in the frame where decoding stopped. */
    readonly offset: number,
  ) {}

  toString(): string {
    return `${this.layer}: ${this.reason} at byte ${this.offset}`;
  }
}

export function isPacketError(v: unknown): v is PacketError {
  return v instanceof PacketError;
}
