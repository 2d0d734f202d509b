/**
 * OpenFlow 1.0 / 1.3 codec: a version-neutral model (model.ts) and pure encoders/decoders.
 * message-registry.ts lists every kind of message with its type code and codec in each version; codecs
 * of messages laid out alike in both versions are shared, of10/ and of13/ hold what differs on the wire.
 *
 * Decoding (never throws; bad input becomes a typed error value):
 *   decodeMessage(buf, start?, end?): DecodeResult
 *       one whole message (header included) -> { ok: true, version, xid, msg } | { ok: false, error }.
 *       error: { code: 'truncated' | 'bad-length' | 'bad-version' | 'bad-type' | 'malformed', message,
 *       offset, version?, msgType?, xid? } (the header fields let a session answer with OFPT_ERROR).
 *       Binary fields in `msg` (packet data, echo data) are views into `buf`, not copies.
 *       HELLO is decoded whatever its version (negotiation needs a newer peer's bitmap).
 *   new OfStreamDecoder({ maxMessageSize? }) (stream-decoder.ts)
 *       .push(chunk, onFrame: (buf, start, end) => void, maxFrames?): OfStreamError | undefined
 *       .drain(onFrame, maxFrames)  frames what a spent budget left over (.backlog bytes)
 *       TCP framing: partial frames, several messages per chunk, size guard; sticky error state
 *       (.error), .buffered bytes of an incomplete message. A message lying whole in one chunk is
 *       passed as a view of that chunk; feed each frame to decodeMessage(buf, start, end).
 *
 * Encoding (throws OfEncodeError only when the message cannot be expressed in the version or a value
 * is out of its field's range: a caller bug, never a consequence of network input):
 *   encodeMessage(version, xid, msg): Buffer        any OfMessage
 *   messageLength(version, msg): number             exact encoded length (validates)
 *   writeMessage(buf, offset, version, xid, msg): number   into a caller's buffer; returns the length
 *       (RangeError when it does not fit: size the buffer with messageLength, or batch until full)
 *
 * Version negotiation (hello.ts):
 *   helloFor(versions): Hello                  our HELLO, with a 1.3 version bitmap
 *   negotiateVersion(ours, peerHeaderVersion, peerHello.versions): OfVersion | undefined
 *       highest version in both bitmaps; without a peer bitmap, min(our highest, peer's header version)
 *       if we support it (OF1.3 spec 6.3.1).
 *
 * Model (model.ts): Match, Action, Instruction, FlowMod, PacketOut, PacketIn, FlowRemoved, PortStatus,
 *   PortDesc, FeaturesReply, MultipartRequest/Reply (desc, flow, aggregate, table, port, portDesc,
 *   other), RoleRequest/Reply, Experimenter, ... in the OfMessage union (Of10Message: without role
 *   messages). Constants: OFPP (port numbers, 32-bit in both versions), OFP_VERSION_10/13,
 *   OFP_NO_BUFFER, OFPCML_NO_BUFFER, OFPFF, OFPR, OFPRR, OFPPR, OFPPC, OFPPS, OFPVID_*, OFPTT_ALL,
 *   OFPG_ANY, OFPET, OFPBRC, OFPCR_ROLE, OFPMPF_MORE.
 *   MACs are 48-bit numbers, IPv4 32-bit numbers, IPv6 16-byte Buffers, 64-bit fields bigint.
 *   1.0 flow-mods use `instructions: [applyActions(...)]` too: one model for both versions.
 * Builders (builders.ts): flowMod({...}), packetOut({...}), applyActions(...), output(port, maxLen?).
 * Addresses (re-exported from src/net, their home): parseMac/formatMac/readMac/writeMac,
 *   parseIpv4/formatIpv4, ipv4PrefixMask, ipv4MaskPrefixLen, parseIpv6/formatIpv6,
 *   isMulticastMac (= isGroupMac), BROADCAST_MAC (= MAC_BROADCAST).
 */

export * from './model.js';
export * from './builders.js';
export { formatMac, parseMac, readMac, writeMac } from '../net/mac-address.js';
export { MAC_BROADCAST as BROADCAST_MAC, isGroupMac as isMulticastMac } from '../net/mac-address.js';
export { formatIpv4, ipv4MaskPrefixLen, ipv4PrefixMask, parseIpv4 } from '../net/ipv4-address.js';
export { formatIpv6, parseIpv6 } from '../net/ipv6-address.js';
export { OfEncodeError } from './errors.js';
export { OFP_HEADER_LEN, OFP_MAX_MESSAGE_LEN } from './header.js';
export { helloFor, negotiateVersion } from './hello.js';
export { decodeMessage, encodeMessage, messageLength, writeMessage } from './codec.js';
export {
  OfStreamDecoder,
  type OfFrameHandler,
  type OfStreamError,
  type OfStreamDecoderOptions,
} from './stream-decoder.js';
