// OFPT_HELLO (type 0 in every version) and version negotiation.
// OF1.3 spec 7.5.1: the body is a list of hello elements {type u16, length u16, ...}, each padded to a
// multiple of 8 bytes; OFPHET_VERSIONBITMAP (1) holds u32 bitmaps, bit n of word w = version 32w + n.
// Unknown element types are ignored. A 1.0 HELLO has no body; one it carries is ignored.

import { OfParseError, badLength, need } from './errors.js';
import type { Hello, OfVersion } from './model.js';
import { SUPPORTED_VERSIONS } from './model.js';
import { u16, u32, zero } from './wire.js';

export const OFPT_HELLO = 0;
const OFPHET_VERSIONBITMAP = 1;

export function helloFor(versions: readonly number[] = SUPPORTED_VERSIONS): Hello {
  return { type: 'hello', versions: [...versions].sort((a, b) => a - b) };
}

export function helloBodyLength(msg: Hello): number {
  if (!msg.versions) return 0;
  const words = bitmapWords(msg.versions);
  return (4 + 4 * words + 7) & ~7;
}

function bitmapWords(versions: number[]): number {
  let max = 0;
  for (const v of versions) if (v > max) max = v;
  return versions.length === 0 ? 0 : (max >>> 5) + 1;
}

export function writeHelloBody(buf: Buffer, off: number, msg: Hello): number {
  if (!msg.versions) return 0;
  const words = bitmapWords(msg.versions);
  const len = 4 + 4 * words;
  const padded = (len + 7) & ~7;
  zero(buf, off, off + padded);
  u16(buf, off, OFPHET_VERSIONBITMAP);
  u16(buf, off + 2, len);
  for (const v of msg.versions) {
    const w = off + 4 + 4 * (v >>> 5);
    u32(buf, w, (buf.readUInt32BE(w) | (1 << (v & 31))) >>> 0);
  }
  return padded;
}

/** Parses the hello elements in [off, end). */
export function readHelloBody(buf: Buffer, off: number, end: number, headerVersion: number): Hello {
  try {
    return { type: 'hello', ...parseElements(buf, off, end) };
  } catch (e) {
    if (headerVersion === 1 && e instanceof OfParseError) return { type: 'hello' };
    throw e;
  }
}

function parseElements(buf: Buffer, off: number, end: number): { versions?: number[] } {
  let versions: number[] | undefined;
  while (off < end) {
    need(off, 4, end, 'hello element header');
    const type = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    if (len < 4) badLength(`hello element length ${len} < 4`, off);
    need(off, len, end, 'hello element');
    if (type === OFPHET_VERSIONBITMAP) {
      if ((len - 4) % 4 !== 0) badLength(`version bitmap length ${len - 4} is not a multiple of 4`, off);
      versions = [];
      for (let w = 0; w < (len - 4) / 4; w++) {
        const word = buf.readUInt32BE(off + 4 + 4 * w);
        for (let bit = 0; bit < 32; bit++) if ((word >>> bit) & 1) versions.push(32 * w + bit);
      }
    }
    // Padding to 8 may be cut short by the message end: OF1.3 implementations differ here.
    off = Math.min(end, off + ((len + 7) & ~7));
  }
  return versions ? { versions } : {};
}

/**
 * OF1.3 spec 6.3.1: with a bitmap on both sides, the highest version set in both; otherwise the smaller
 * of the two header versions. Undefined when that version is not one we support.
 */
export function negotiateVersion(
  ours: readonly OfVersion[],
  peerHeaderVersion: number,
  peerVersions: readonly number[] | undefined,
): OfVersion | undefined {
  if (peerVersions) {
    let best: OfVersion | undefined;
    for (const v of ours) if (peerVersions.includes(v) && (best === undefined || v > best)) best = v;
    return best;
  }
  let ourMax = 0;
  for (const v of ours) if (v > ourMax) ourMax = v;
  const v = Math.min(ourMax, peerHeaderVersion);
  return (ours as readonly number[]).includes(v) ? (v as OfVersion) : undefined;
}
