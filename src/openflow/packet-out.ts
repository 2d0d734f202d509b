// OFPT_PACKET_OUT (OF1.0 spec 5.3.6, OF1.3 spec 7.3.7): buffer_id u32, in_port (16 bits in 1.0, 32 in
// 1.3), actions_len u16, padding to a multiple of 8 (none in 1.0, 6 bytes in 1.3), the actions, then the
// frame. Each version encodes it with direct calls (a controller's hot path, see of10/ and of13/); the
// reader, not on a hot path, is written once here.

import type { ActionListCodec } from './action-tlv.js';
import { need } from './errors.js';
import type { PacketOut } from './model.js';
import type { PortNumberField } from './port-number.js';

/** Where the actions start: after actions_len, padded to 8. */
export function packetOutActionsAt(port: PortNumberField): number {
  return (12 + port.size + 2 + 7) & ~7;
}

export function packetOutReader(
  port: PortNumberField,
  actions: ActionListCodec,
): (buf: Buffer, off: number, end: number) => PacketOut {
  const actionsLen = 12 + port.size;
  const at = packetOutActionsAt(port);
  return (buf, off, end) => {
    need(off, at, end, 'packet-out');
    const al = buf.readUInt16BE(off + actionsLen);
    need(off + at, al, end, 'packet-out actions');
    return {
      type: 'packetOut',
      bufferId: buf.readUInt32BE(off + 8),
      inPort: port.read(buf, off + 12),
      actions: actions.read(buf, off + at, off + at + al),
      data: buf.subarray(off + at + al, end),
    };
  };
}
