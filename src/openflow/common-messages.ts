// Messages laid out alike in OpenFlow 1.0 (OF1.0 spec 5.3-5.5) and 1.3 (OF1.3 spec 7.3-7.5); each version
// gives them its own type code (message-registry.ts). Offsets are from the start of the message.

import { OfEncodeError, checkUint, exactly, need } from './errors.js';
import type { FixedStruct } from './fixed-struct.js';
import { OFP_HEADER_LEN } from './header.js';
import { helloBodyLength, readHelloBody, writeHelloBody } from './hello.js';
import type { MessageCodec, MessageOf } from './message-table.js';
import type { OfVersion, PortDesc } from './model.js';
import { OFP_VERSION_13 } from './model.js';
import { u16, u32, zero } from './wire.js';

export const hello: MessageCodec<'hello'> = {
  length: (msg) => OFP_HEADER_LEN + helloBodyLength(msg),
  write: (buf, off, msg) => void writeHelloBody(buf, off + OFP_HEADER_LEN, msg),
  // By the header's own version: a 1.0 HELLO's body is ignored when it does not parse.
  read: (buf, off, end) => readHelloBody(buf, off + OFP_HEADER_LEN, end, buf[off] as number),
};

/** ofp_error_msg: type u16, code u16, data. */
export const errorMessage: MessageCodec<'error'> = {
  length(msg) {
    checkUint(msg.errType, 16, 'error type');
    checkUint(msg.code, 16, 'error code');
    return 12 + msg.data.length;
  },
  write(buf, off, msg) {
    u16(buf, off + 8, msg.errType);
    u16(buf, off + 10, msg.code);
    buf.set(msg.data, off + 12);
  },
  read(buf, off, end) {
    need(off + 8, 4, end, 'error body');
    return {
      type: 'error',
      errType: buf.readUInt16BE(off + 8),
      code: buf.readUInt16BE(off + 10),
      data: buf.subarray(off + 12, end),
    };
  },
};

/**
 * OFPT_EXPERIMENTER (1.3): experimenter u32, exp_type u32, data. OpenFlow 1.0's OFPT_VENDOR has no
 * exp_type: vendor u32, data.
 */
export function experimenter(version: OfVersion): MessageCodec<'experimenter'> {
  const expType = version === OFP_VERSION_13;
  const data = expType ? 16 : 12;
  return {
    length(msg) {
      checkUint(msg.experimenter, 32, expType ? 'experimenter' : 'vendor');
      if (expType) checkUint(msg.expType, 32, 'exp_type');
      else if (msg.expType !== 0) {
        throw new OfEncodeError(
          'OpenFlow 1.0 has no experimenter type (vendor messages carry only the vendor id)',
        );
      }
      return data + msg.data.length;
    },
    write(buf, off, msg) {
      u32(buf, off + 8, msg.experimenter);
      if (expType) u32(buf, off + 12, msg.expType);
      buf.set(msg.data, off + data);
    },
    read(buf, off, end) {
      need(off + 8, data - 8, end, expType ? 'experimenter header' : 'vendor id');
      return {
        type: 'experimenter',
        experimenter: buf.readUInt32BE(off + 8),
        expType: expType ? buf.readUInt32BE(off + 12) : 0,
        data: buf.subarray(off + data, end),
      };
    },
  };
}

function echo<K extends 'echoRequest' | 'echoReply'>(type: K): MessageCodec<K> {
  return {
    length: (msg: { data: Buffer }) => OFP_HEADER_LEN + msg.data.length,
    write: (buf, off, msg: { data: Buffer }) => buf.set(msg.data, off + OFP_HEADER_LEN),
    read: (buf, off, end) => ({ type, data: buf.subarray(off + OFP_HEADER_LEN, end) }) as MessageOf<K>,
  };
}
export const echoRequest = echo('echoRequest');
export const echoReply = echo('echoReply');

/** A message that is its header alone. */
function headerOnly<K extends 'featuresRequest' | 'getConfigRequest' | 'barrierRequest' | 'barrierReply'>(
  type: K,
  what: string,
): MessageCodec<K> {
  return {
    length: () => OFP_HEADER_LEN,
    write: () => undefined,
    read(_buf, off, end) {
      exactly(end - off, OFP_HEADER_LEN, what, off);
      return { type } as MessageOf<K>;
    },
  };
}
export const featuresRequest = headerOnly('featuresRequest', 'features request');
export const getConfigRequest = headerOnly('getConfigRequest', 'get-config request');
export const barrierRequest = headerOnly('barrierRequest', 'barrier request');
export const barrierReply = headerOnly('barrierReply', 'barrier reply');

/** ofp_switch_config: flags u16, miss_send_len u16. */
type SwitchConfig = MessageOf<'getConfigReply' | 'setConfig'>;

function switchConfig<K extends 'getConfigReply' | 'setConfig'>(type: K): MessageCodec<K> {
  return {
    length(msg: SwitchConfig) {
      checkUint(msg.flags, 16, 'config flags');
      checkUint(msg.missSendLen, 16, 'miss_send_len');
      return 12;
    },
    write(buf, off, msg: SwitchConfig) {
      u16(buf, off + 8, msg.flags);
      u16(buf, off + 10, msg.missSendLen);
    },
    read(buf, off, end) {
      exactly(end - off, 12, 'switch config', off);
      return {
        type,
        flags: buf.readUInt16BE(off + 8),
        missSendLen: buf.readUInt16BE(off + 10),
      } as MessageOf<K>;
    },
  };
}
export const getConfigReply = switchConfig('getConfigReply');
export const setConfig = switchConfig('setConfig');

/** ofp_port_status: reason u8, pad 7, then the version's port description. */
export function portStatus(port: FixedStruct<PortDesc>): MessageCodec<'portStatus'> {
  return {
    length(msg) {
      checkUint(msg.reason, 8, 'reason');
      port.check(msg.port);
      return 16 + port.size;
    },
    write(buf, off, msg) {
      buf[off + 8] = msg.reason;
      zero(buf, off + 9, off + 16);
      port.write(buf, off + 16, msg.port);
    },
    read(buf, off, end) {
      exactly(end - off, 16 + port.size, 'port-status', off);
      return { type: 'portStatus', reason: buf[off + 8] as number, port: port.read(buf, off + 16) };
    },
  };
}
