// ofp_switch_features (OF1.0 spec 5.3.1, OF1.3 spec 7.3.1), its first 32 bytes laid out alike in both
// versions: datapath_id u64, n_buffers u32, n_tables u8, auxiliary_id u8 (1.0: padding), pad 2,
// capabilities u32, and a u32 that 1.0 calls actions (the supported action bitmap) and 1.3 reserved.
// 1.0's ports follow; 1.3 has none.

import { checkUint, checkUint64 } from './errors.js';
import type { FeaturesReply, PortDesc } from './model.js';
import { u16, u32, u64 } from './wire.js';

export const switchFeatures = {
  size: 32,

  /** Checks the fields both versions carry; `actions` names the last word as the version does. */
  check(msg: FeaturesReply, actions: 'actions' | 'reserved'): void {
    checkUint64(msg.datapathId, 'datapath id');
    checkUint(msg.nBuffers, 32, 'n_buffers');
    checkUint(msg.nTables, 8, 'n_tables');
    checkUint(msg.capabilities, 32, 'capabilities');
    checkUint(msg.actions, 32, actions);
  },

  /** Writes the 32 bytes at `off`, the start of the message. */
  write(buf: Buffer, off: number, msg: FeaturesReply): void {
    u64(buf, off + 8, msg.datapathId);
    u32(buf, off + 16, msg.nBuffers);
    buf[off + 20] = msg.nTables;
    buf[off + 21] = msg.auxiliaryId;
    u16(buf, off + 22, 0);
    u32(buf, off + 24, msg.capabilities);
    u32(buf, off + 28, msg.actions);
  },

  /** Reads the 32 bytes at `off` (the caller checked they are there). */
  read(buf: Buffer, off: number, auxiliaryId: number, ports: PortDesc[]): FeaturesReply {
    return {
      type: 'featuresReply',
      datapathId: buf.readBigUInt64BE(off + 8),
      nBuffers: buf.readUInt32BE(off + 16),
      nTables: buf[off + 20] as number,
      auxiliaryId,
      capabilities: buf.readUInt32BE(off + 24),
      actions: buf.readUInt32BE(off + 28),
      ports,
    };
  },
};
