// A load generator for the load balancer: fake OpenFlow 1.3 switches that complete the handshake, announce
// the six members (their ARP replies to the VIP's probes, on ports 1-6), then send packet-ins of TCP SYNs
// to the VIP, each from a client MAC never seen before: every packet-in is a new-client placement, which
// the controller answers with two flow-mods (forward, reverse) and a packet-out.
//   throughput mode: every switch keeps up to --window packet-ins outstanding; reports placements/s.
//   latency mode:    one switch sends --rate packet-ins per second, open loop, and times each one until its
//                    packet-out comes back; reports percentiles.
// Prints one JSON line with the result on stdout.
//
//   tsx bench/balancer/lb-load-generator.ts --port 6633 --mode throughput --switches 8 --seconds 10

import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { ARP_OP_REPLY, buildArpFrame } from '../../src/net/arp.js';
import { writeEthernet, ETH_TYPE_IPV4 } from '../../src/net/ethernet.js';
import { writeIpv4, IP_PROTO_TCP } from '../../src/net/ipv4.js';
import { writeMac, readMac } from '../../src/net/mac-address.js';
import { TCP_SYN, writeTcp } from '../../src/net/tcp.js';
import { encodeMessage, helloFor, OFP_NO_BUFFER, type OfMessage } from '../../src/openflow/index.js';
import { replyTo, type SwitchIdentity } from '../openflow/switch-replies.js';
import { BENCH_VIP, BENCH_VIP_MAC, MEMBERS, memberIp, memberMac } from './vip.js';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '6633' },
    mode: { type: 'string', default: 'throughput' },
    switches: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    window: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '10000' },
    label: { type: 'string', default: '' },
  },
});

const VERSION = 4;
const OFPT = { ERROR: 1, PACKET_OUT: 13, FLOW_MOD: 14 } as const;
const CLIENT_PORT = 10;
const WINDOW = Number(args.window);
/** Packet-ins encoded ahead of time, refilled with new client MACs in place. */
const BATCH = 256;
/** Packet-ins awaiting their packet-out, at most (a power of two): 6.5 s of the latency mode's 10,000/s. */
const SENT_RING = 65_536;

function synFrame(): Buffer {
  const f = Buffer.alloc(54);
  let p = writeEthernet(f, 0, { dst: BENCH_VIP_MAC, src: 0, ethType: ETH_TYPE_IPV4 });
  p = writeIpv4(f, p, { src: 0x0ad50432, dst: BENCH_VIP, protocol: IP_PROTO_TCP, payloadLength: 20 });
  writeTcp(f, p, { srcPort: 40000, dstPort: 80, flags: TCP_SYN }, { src: 0x0ad50432, dst: BENCH_VIP }, 0);
  return f;
}

/** One encoded packet-in of a SYN; the client MAC sits at `macOffset` and is rewritten for each send. */
const template = encodeMessage(VERSION, 0, {
  type: 'packetIn',
  bufferId: OFP_NO_BUFFER,
  totalLen: 54,
  reason: 0,
  tableId: 0,
  cookie: 0n,
  inPort: CLIENT_PORT,
  match: { inPort: CLIENT_PORT },
  data: synFrame(),
});
const MSG_LEN = template.length;
const MAC_OFFSET = MSG_LEN - 54 + 6;

class FakeSwitch {
  flowMods = 0;
  packetOuts = 0;
  sent = 0;
  private pending: Buffer | undefined;
  private readonly batch = Buffer.alloc(MSG_LEN * BATCH);
  private next = 0;
  running = false;
  // The latency bookkeeping allocates nothing per packet (the generator's own GC pauses would show in the
  // figures): send times in a ring indexed by the client counter (0 = not waiting), round trips in a
  // preallocated array.
  readonly sentAt = new Float64Array(SENT_RING);
  readonly rtts = new Float64Array(
    Math.ceil((Number(args.seconds) + Number(args.warmup) + 5) * Number(args.rate)),
  );
  rttCount = 0;
  /** What it answers to the controller's requests: 16 ports, no buffers. */
  private readonly identity: SwitchIdentity;

  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {
    this.identity = { datapathId: BigInt(id + 1), ports: 16, nBuffers: 0, actions: 0 };
    for (let i = 0; i < BATCH; i++) template.copy(this.batch, i * MSG_LEN);
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', (e) => console.error(`switch ${id}: ${e.message}`));
    socket.write(encodeMessage(VERSION, 1, helloFor([VERSION])));
  }

  private clientMac(): number {
    // A MAC never seen before: switch id in the high bits, a counter below.
    return 0x0a0000000000 + this.id * 0x100000000 + this.next++;
  }

  /** The members answer the controller's ARP probes, from ports 1-6. */
  announceMembers(): void {
    for (let i = 0; i < MEMBERS; i++) {
      const mac = memberMac(this.id, i);
      const data = buildArpFrame(BENCH_VIP_MAC, mac, {
        op: ARP_OP_REPLY,
        sha: mac,
        spa: memberIp(i),
        tha: BENCH_VIP_MAC,
        tpa: BENCH_VIP,
      });
      this.socket.write(
        encodeMessage(VERSION, 0, {
          type: 'packetIn',
          bufferId: OFP_NO_BUFFER,
          totalLen: data.length,
          reason: 0,
          tableId: 0,
          cookie: 0n,
          inPort: i + 1,
          match: { inPort: i + 1 },
          data,
        }),
      );
    }
  }

  private reply(msg: OfMessage, xid: number): void {
    this.socket.write(encodeMessage(VERSION, xid, msg));
  }

  private onData(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let off = 0;
    let outs = 0;
    const now = performance.now();
    while (buf.length - off >= 8) {
      const len = buf.readUInt16BE(off + 2);
      if (len < 8) throw new Error(`switch ${this.id}: bad length ${len}`);
      if (buf.length - off < len) break;
      const type = buf[off + 1]!;
      const xid = buf.readUInt32BE(off + 4);
      if (type === OFPT.FLOW_MOD) this.flowMods++;
      else if (type === OFPT.PACKET_OUT) {
        // OF1.3 spec 7.3.7: 8-byte header, buffer_id, in_port, actions_len, 6 pad, actions, then the frame.
        const actionsLen = buf.readUInt16BE(off + 16);
        const data = off + 24 + actionsLen;
        if (this.running && data + 12 <= off + len && buf.readUInt32BE(off + 12) === CLIENT_PORT) {
          this.packetOuts++;
          outs++;
          // The MAC's low 32 bits are the client counter (see clientMac).
          const slot = ((readMac(buf, data + 6) - 0x0a0000000000) % 0x100000000) & (SENT_RING - 1);
          const t = this.sentAt[slot]!;
          if (t > 0) {
            if (this.rttCount < this.rtts.length) this.rtts[this.rttCount++] = now - t;
            this.sentAt[slot] = 0;
          }
        }
      } else if (type === OFPT.ERROR) {
        console.error(`switch ${this.id}: OFPT_ERROR ${buf.subarray(off, off + len).toString('hex')}`);
      } else {
        const r = replyTo(VERSION, this.identity, type, buf, off, len);
        if (r !== undefined) this.reply(r, xid);
      }
      off += len;
    }
    if (off < buf.length) this.pending = Buffer.from(buf.subarray(off));
    if (outs > 0 && this.running && !latencyMode) this.fill();
  }

  /** Sends `n` packet-ins of new clients in one write. */
  send(n: number, timed: boolean): void {
    while (n > 0) {
      const k = Math.min(n, BATCH);
      const now = performance.now();
      for (let i = 0; i < k; i++) {
        const mac = this.clientMac();
        writeMac(this.batch, i * MSG_LEN + MAC_OFFSET, mac);
        if (timed) this.sentAt[((mac - 0x0a0000000000) % 0x100000000) & (SENT_RING - 1)] = now;
      }
      this.socket.write(Buffer.from(this.batch.subarray(0, k * MSG_LEN)));
      this.sent += k;
      n -= k;
    }
  }

  fill(): void {
    const want = WINDOW - (this.sent - this.packetOuts);
    if (want >= WINDOW / 4) this.send(want, false);
  }

  resetCounters(): void {
    this.flowMods = 0;
    this.packetOuts = 0;
    this.sent = 0;
    this.rttCount = 0;
    this.sentAt.fill(0);
  }
}

const latencyMode = args.mode === 'latency';

function connectSwitch(id: number): Promise<FakeSwitch> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: args.host, port: Number(args.port) }, () => resolve(new FakeSwitch(id, s)));
    s.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const n = latencyMode ? 1 : Number(args.switches);
  const switches = await Promise.all(Array.from({ length: n }, (_, i) => connectSwitch(i)));
  await sleep(500);
  for (const s of switches) s.announceMembers();
  await sleep(500);
  let timer: NodeJS.Timeout | undefined;
  const rate = Number(args.rate);
  const startLoad = () => {
    for (const s of switches) s.running = true;
    if (!latencyMode) {
      for (const s of switches) s.fill();
      return;
    }
    // Open loop: every millisecond, the packet-ins due by now.
    const sw = switches[0]!;
    const t0 = performance.now();
    let due = 0;
    timer = setInterval(() => {
      const should = Math.floor(((performance.now() - t0) / 1000) * rate);
      if (should > due) {
        sw.send(should - due, true);
        due = should;
      }
    }, 1);
  };
  startLoad();
  await sleep(Number(args.warmup) * 1000);
  for (const s of switches) s.resetCounters();
  const t0 = performance.now();
  await sleep(Number(args.seconds) * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(timer);
  for (const s of switches) s.running = false;
  const flowMods = switches.reduce((a, s) => a + s.flowMods, 0);
  const placements = switches.reduce((a, s) => a + s.packetOuts, 0);
  const sent = switches.reduce((a, s) => a + s.sent, 0);
  const result: Record<string, unknown> = {
    label: args.label,
    mode: args.mode,
    switches: n,
    seconds: Number(elapsed.toFixed(2)),
    packetIns: sent,
    placements,
    flowMods,
    flowModsPerPlacement: Number((flowMods / Math.max(1, placements)).toFixed(2)),
    placementsPerSec: Math.round(placements / elapsed),
  };
  if (latencyMode) {
    const sw = switches[0]!;
    const r = sw.rtts.subarray(0, sw.rttCount).sort();
    const q = (p: number) => Number((r[Math.min(r.length - 1, Math.floor(p * r.length))]! * 1000).toFixed(1));
    Object.assign(result, {
      offeredPerSec: rate,
      samples: r.length,
      unanswered: sw.sentAt.reduce((n, t) => (t > 0 ? n + 1 : n), 0),
      p50Us: q(0.5),
      p90Us: q(0.9),
      p99Us: q(0.99),
      maxUs: q(1),
    });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  for (const s of switches) s.socket.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
