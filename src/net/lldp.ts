import { readU16, writeU16 } from './bytes.js';
import { ETH_TYPE_LLDP, writeEthernet } from './ethernet.js';
import { MAC_LLDP_NEAREST_BRIDGE } from './mac-address.js';
import { PacketError } from './packet-error.js';

// IEEE 802.1AB: an LLDPDU is a sequence of TLVs, each with a 16-bit header (7-bit type, 9-bit length),
// starting with Chassis ID (1), Port ID (2), Time To Live (3), ended by End Of LLDPDU (0, length 0).
export const LLDP_TLV_END = 0;
export const LLDP_TLV_CHASSIS_ID = 1;
export const LLDP_TLV_PORT_ID = 2;
export const LLDP_TLV_TTL = 3;
export const LLDP_TLV_SYSTEM_NAME = 5;
export const LLDP_TLV_SYSTEM_DESCRIPTION = 6;
export const LLDP_CHASSIS_ID_MAC = 4;
export const LLDP_CHASSIS_ID_LOCAL = 7;
export const LLDP_PORT_ID_LOCAL = 7;

/** TLVs in one LLDPDU at most; a frame carries no more than 1500 bytes anyway. */
const MAX_TLVS = 64;

export interface LldpPdu {
  chassisIdSubtype: number;
  chassisId: Uint8Array;
  portIdSubtype: number;
  portId: Uint8Array;
  ttl: number;
  systemName?: string;
  systemDescription?: string;
}

export function decodeLldp(buf: Uint8Array, offset: number, end = buf.length): LldpPdu | PacketError {
  let p = offset;
  let chassis: { subtype: number; id: Uint8Array } | undefined;
  let port: { subtype: number; id: Uint8Array } | undefined;
  let ttl: number | undefined;
  let systemName: string | undefined;
  let systemDescription: string | undefined;
  for (let n = 0; n < MAX_TLVS; n++) {
    if (end - p < 2) return new PacketError('lldp', 'truncated TLV header', p);
    const h = readU16(buf, p);
    const type = h >>> 9;
    const len = h & 0x1ff;
    const v = p + 2;
    if (v + len > end) return new PacketError('lldp', `TLV ${type} length ${len} past the frame`, p);
    // 802.1AB 8.5: the first three TLVs are mandatory and in this order.
    if (n === 0 && type !== LLDP_TLV_CHASSIS_ID)
      return new PacketError('lldp', 'first TLV is not Chassis ID', p);
    if (n === 1 && type !== LLDP_TLV_PORT_ID) return new PacketError('lldp', 'second TLV is not Port ID', p);
    if (n === 2 && type !== LLDP_TLV_TTL) return new PacketError('lldp', 'third TLV is not Time To Live', p);
    switch (type) {
      case LLDP_TLV_END:
        if (!chassis || !port || ttl === undefined)
          return new PacketError('lldp', 'end before mandatory TLVs', p);
        return {
          chassisIdSubtype: chassis.subtype,
          chassisId: chassis.id,
          portIdSubtype: port.subtype,
          portId: port.id,
          ttl,
          ...(systemName !== undefined ? { systemName } : {}),
          ...(systemDescription !== undefined ? { systemDescription } : {}),
        };
      case LLDP_TLV_CHASSIS_ID:
      case LLDP_TLV_PORT_ID: {
        if (len < 2 || len > 256) return new PacketError('lldp', `ID TLV length ${len}`, p);
        const id = { subtype: buf[v]!, id: buf.subarray(v + 1, v + len) };
        if (type === LLDP_TLV_CHASSIS_ID) chassis = id;
        else port = id;
        break;
      }
      case LLDP_TLV_TTL:
        if (len < 2) return new PacketError('lldp', `TTL TLV length ${len}`, p);
        ttl = readU16(buf, v);
        break;
      case LLDP_TLV_SYSTEM_NAME:
        systemName = Buffer.from(buf.buffer, buf.byteOffset + v, len).toString('latin1');
        break;
      case LLDP_TLV_SYSTEM_DESCRIPTION:
        systemDescription = Buffer.from(buf.buffer, buf.byteOffset + v, len).toString('latin1');
        break;
      default:
        break;
    }
    p = v + len;
  }
  return new PacketError('lldp', `more than ${MAX_TLVS} TLVs`, p);
}

export function encodeLldp(pdu: LldpPdu): Buffer {
  const name = pdu.systemName !== undefined ? Buffer.from(pdu.systemName, 'latin1') : undefined;
  const desc = pdu.systemDescription !== undefined ? Buffer.from(pdu.systemDescription, 'latin1') : undefined;
  const size =
    2 +
    1 +
    pdu.chassisId.length +
    2 +
    1 +
    pdu.portId.length +
    2 +
    2 +
    (name ? 2 + name.length : 0) +
    (desc ? 2 + desc.length : 0) +
    2;
  const out = Buffer.alloc(size);
  let p = 0;
  const tlv = (type: number, len: number): void => {
    writeU16(out, p, (type << 9) | len);
    p += 2;
  };
  tlv(LLDP_TLV_CHASSIS_ID, 1 + pdu.chassisId.length);
  out[p++] = pdu.chassisIdSubtype;
  out.set(pdu.chassisId, p);
  p += pdu.chassisId.length;
  tlv(LLDP_TLV_PORT_ID, 1 + pdu.portId.length);
  out[p++] = pdu.portIdSubtype;
  out.set(pdu.portId, p);
  p += pdu.portId.length;
  tlv(LLDP_TLV_TTL, 2);
  writeU16(out, p, pdu.ttl);
  p += 2;
  if (name) {
    tlv(LLDP_TLV_SYSTEM_NAME, name.length);
    out.set(name, p);
    p += name.length;
  }
  if (desc) {
    tlv(LLDP_TLV_SYSTEM_DESCRIPTION, desc.length);
    out.set(desc, p);
    p += desc.length;
  }
  tlv(LLDP_TLV_END, 0);
  return out;
}

const DPID_PREFIX = 'dpid:';

/**
 * The frame the controller sends out of every switch port for link discovery: chassis ID "dpid:<16 hex>"
 * (locally assigned), port ID the port number in decimal (locally assigned), to the nearest-bridge address.
 * `stamp`, when given, travels as the System Description (the controller's proof that it sent the frame).
 */
export function buildDiscoveryFrame(
  datapathId: bigint,
  portNo: number,
  srcMac: number,
  ttl = 120,
  stamp?: string,
): Buffer {
  const pdu = encodeLldp({
    chassisIdSubtype: LLDP_CHASSIS_ID_LOCAL,
    chassisId: Buffer.from(DPID_PREFIX + datapathId.toString(16).padStart(16, '0'), 'latin1'),
    portIdSubtype: LLDP_PORT_ID_LOCAL,
    portId: Buffer.from(String(portNo), 'latin1'),
    ttl,
    ...(stamp !== undefined ? { systemDescription: stamp } : {}),
  });
  const frame = Buffer.alloc(14 + pdu.length);
  const p = writeEthernet(frame, 0, { dst: MAC_LLDP_NEAREST_BRIDGE, src: srcMac, ethType: ETH_TYPE_LLDP });
  frame.set(pdu, p);
  return frame;
}

/** The (datapath, port) a discovery frame of ours names, or undefined for any other LLDPDU. */
export function parseDiscoveryIds(pdu: LldpPdu): { datapathId: bigint; portNo: number } | undefined {
  if (pdu.chassisIdSubtype !== LLDP_CHASSIS_ID_LOCAL || pdu.portIdSubtype !== LLDP_PORT_ID_LOCAL)
    return undefined;
  const chassis = Buffer.from(pdu.chassisId.buffer, pdu.chassisId.byteOffset, pdu.chassisId.length).toString(
    'latin1',
  );
  const port = Buffer.from(pdu.portId.buffer, pdu.portId.byteOffset, pdu.portId.length).toString('latin1');
  if (!chassis.startsWith(DPID_PREFIX) || !/^[0-9a-f]{16}$/.test(chassis.slice(DPID_PREFIX.length)))
    return undefined;
  if (!/^\d{1,10}$/.test(port)) return undefined;
  const portNo = Number(port);
  if (portNo > 0xffff_ffff) return undefined;
  return { datapathId: BigInt('0x' + chassis.slice(DPID_PREFIX.length)), portNo };
}
