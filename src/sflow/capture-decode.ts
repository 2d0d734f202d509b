// Offline decoding of a capture file: every UDP datagram in it (any port, or one port) decoded as sFlow v5,
// one JSON-ready object per datagram — the operator's view of "what is this switch sending me?".

import { readCapture, type CaptureSummary } from '../capture/capture-reader.js';
import { udpDatagramOf } from '../capture/udp-datagrams.js';
import { decodeDatagram } from './datagram.js';
import type { SflowDecodeError } from './decode-error.js';
import type { SflowDatagram } from './types.js';

export interface CaptureDatagram {
  /** Position among the UDP datagrams of the capture, from 1. */
  index: number;
  time: string;
  src: string;
  dst: string;
  datagram?: SflowDatagram;
  error?: SflowDecodeError;
}

export interface CaptureDecodeOptions {
  /** Only UDP datagrams to this destination port. */
  port?: number;
}

export function decodeCapture(
  file: Buffer,
  opts: CaptureDecodeOptions,
  emit: (d: CaptureDatagram) => void,
): CaptureSummary & { datagrams: number; rejected: number } {
  let datagrams = 0;
  let rejected = 0;
  const summary = readCapture(file, (packet) => {
    const udp = udpDatagramOf(packet);
    if (!udp || (opts.port !== undefined && udp.dstPort !== opts.port)) return;
    datagrams++;
    const r = decodeDatagram(udp.payload);
    const base = {
      index: datagrams,
      time: new Date(udp.timeMs).toISOString(),
      src: endpoint(udp.srcIp, udp.srcPort),
      dst: endpoint(udp.dstIp, udp.dstPort),
    };
    if (r.ok) emit({ ...base, datagram: r.datagram });
    else {
      rejected++;
      emit({ ...base, error: r.error });
    }
  });
  return { ...summary, datagrams, rejected };
}

function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** JSON text of decoded values: 64-bit counters as numbers when exact (else decimal strings), bytes as hex. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    function (this: Record<string, unknown>, key: string, v: unknown) {
      const original = this[key];
      if (Buffer.isBuffer(original)) return original.toString('hex');
      if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
      return v;
    },
    indent,
  );
}
