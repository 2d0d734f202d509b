// A cbench-like OpenFlow load generator: fake switches that complete the handshake with a controller,
// then send packet-ins and count the answers (flow-mods and packet-outs carrying a packet-in's buffer id).
//   throughput mode: every switch keeps up to --window packet-ins outstanding; reports answers/s.
//   latency mode:    every switch keeps one packet-in outstanding; reports answers/s and round trips.
// Both report the worst switch beside the mean, the longest time any switch went without an answer, and
// how long each switch waited from its TCP connect to the controller's first flow-mod or packet-out.
// Like a switch that already has flows (or an OpenFlow 1.0 switch, whose table misses go to the
// controller by default), a fake switch sends its first packet-ins right behind its FEATURES_REPLY, in
// the same write, before the controller has finished setting it up.
// Prints "measuring" and "measured" when the measured window starts and ends, then one JSON line with
// the result, on stdout.
//
//   tsx bench/openflow/load-generator.ts --port 6633 --mode throughput --switches 16 --seconds 10
//     [--stagger-ms 0]  switch i connects i * stagger-ms after the first
//     [--detail]        adds every switch's figures (perSwitch)

import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { writeEthernet, ETH_TYPE_IPV4 } from '../../src/net/ethernet.js';
import { OFP_NO_BUFFER, encodeMessage, helloFor, type OfVersion } from '../../src/openflow/index.js';
import { replyTo, type SwitchIdentity } from './switch-replies.js';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '6633' },
    mode: { type: 'string', default: 'throughput' },
    switches: { type: 'string', default: '16' },
    hosts: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    window: { type: 'string', default: '2000' },
    version: { type: 'string', default: '4' },
    label: { type: 'string', default: '' },
    'stagger-ms': { type: 'string', default: '0' },
    detail: { type: 'boolean', default: false },
  },
});

const VERSION = Number(args.version) as OfVersion;
const HOSTS = Number(args.hosts);
const LATENCY = args.mode === 'latency';
const WINDOW = LATENCY ? 1 : Number(args.window);
// Message types that are the same in 1.0 and 1.3 (the others are answered in switch-replies.ts).
const OFPT = { ERROR: 1, FEATURES_REQUEST: 5, PACKET_OUT: 13, FLOW_MOD: 14 } as const;
// Where the buffer id sits: 1.3 flow-mod after header, cookie, mask, table, command, timeouts, priority
// (spec 7.3.4.1); 1.0 flow-mod after header, the 40-byte match, cookie, command, timeouts, priority;
// the packet-out's right after the header in both.
const FLOW_MOD_BUFFER_ID = VERSION === 4 ? 32 : 64;
const PACKET_OUT_BUFFER_ID = 8;
/** Pre-encoded packet-ins per switch: the send loop copies nothing. */
const VARIANTS = 1024;

function hostMac(sw: number, h: number): number {
  return 0x0a0000000000 + sw * 0x10000 + h + 1;
}

function packetIn(sw: number, src: number, dst: number, bufferId: number): Buffer {
  const data = Buffer.alloc(64);
  writeEthernet(data, 0, {
    dst: dst < 0 ? 0xffffffffffff : hostMac(sw, dst),
    src: hostMac(sw, src),
    ethType: ETH_TYPE_IPV4,
  });
  const inPort = src + 1;
  return encodeMessage(VERSION, 0, {
    type: 'packetIn',
    bufferId,
    totalLen: data.length,
    reason: 0,
    tableId: 0,
    cookie: 0n,
    inPort,
    match: { inPort },
    data,
  });
}

class FakeSwitch {
  /** Answers to buffered packet-ins (the traffic) since the last reset, and how many were flow-mods. */
  answers = 0;
  flowMods = 0;
  /** Packet-ins sent and not answered yet (kept across resets: they are still in flight). */
  private outstanding = 0;
  /** TCP connect, and the first flow-mod or packet-out of any kind (performance.now()). */
  readonly connectedAt = performance.now();
  upAt: number | undefined;
  /** The longest time without an answer since the last reset, and when the last one came. */
  maxGap = 0;
  private lastAnswerAt = 0;
  private pending: Buffer | undefined;
  private readonly learn: Buffer;
  private readonly traffic: Buffer;
  private readonly msgLen: number;
  private cursor = 0;
  private running = false;
  /** Latency mode: send time of the one outstanding packet-in. */
  private sentAt = 0;
  readonly rtts: number[] = [];

  /** What it answers to the controller's requests: one port per host, 256 buffers. */
  private readonly identity: SwitchIdentity;

  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {
    this.identity = { datapathId: BigInt(id + 1), ports: HOSTS, nBuffers: 256, actions: 0xfff };
    // Learning round: every host speaks once (to broadcast), so the controller knows where all are.
    this.learn = Buffer.concat(Array.from({ length: HOSTS }, (_, h) => packetIn(id, h, -1, OFP_NO_BUFFER)));
    const variants: Buffer[] = [];
    let seed = id * 7919 + 1;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < VARIANTS; i++) {
      const src = rnd(HOSTS);
      let dst = rnd(HOSTS - 1);
      if (dst >= src) dst++;
      // Buffered packet-ins, as cbench sends: a learning switch answers with one flow-mod.
      variants.push(packetIn(id, src, dst, 1 + i));
    }
    this.traffic = Buffer.concat(variants);
    this.msgLen = variants[0]!.length;
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', (e) => {
      console.error(`switch ${id}: ${e.message}`);
    });
    socket.write(encodeMessage(VERSION, 1, helloFor([VERSION])));
  }

  private onData(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let off = 0;
    let answers = 0;
    while (buf.length - off >= 8) {
      const len = buf.readUInt16BE(off + 2);
      if (len < 8) throw new Error(`switch ${this.id}: bad length ${len}`);
      if (buf.length - off < len) break;
      const type = buf[off + 1]!;
      const xid = buf.readUInt32BE(off + 4);
      if (type === OFPT.FLOW_MOD || type === OFPT.PACKET_OUT) {
        this.upAt ??= performance.now();
        const at = off + (type === OFPT.FLOW_MOD ? FLOW_MOD_BUFFER_ID : PACKET_OUT_BUFFER_ID);
        if (at + 4 <= off + len && buf.readUInt32BE(at) !== OFP_NO_BUFFER) {
          answers++;
          if (type === OFPT.FLOW_MOD) this.flowMods++;
        }
      } else if (type === OFPT.ERROR) {
        console.error(
          `switch ${this.id}: controller sent OFPT_ERROR ${buf.subarray(off, off + len).toString('hex')}`,
        );
      } else {
        const r = replyTo(VERSION, this.identity, type, buf, off, len);
        if (r !== undefined) {
          const reply = encodeMessage(VERSION, xid, r);
          if (type === OFPT.FEATURES_REQUEST) {
            // The learning round and the first traffic leave in the same write as FEATURES_REPLY.
            this.socket.write(Buffer.concat([reply, this.learn]));
            this.running = true;
            this.send();
          } else {
            this.socket.write(reply);
          }
        }
      }
      off += len;
    }
    if (off < buf.length) this.pending = Buffer.from(buf.subarray(off));
    if (answers > 0) {
      this.answers += answers;
      this.outstanding = Math.max(0, this.outstanding - answers);
      const now = performance.now();
      if (now - this.lastAnswerAt > this.maxGap) this.maxGap = now - this.lastAnswerAt;
      this.lastAnswerAt = now;
      if (LATENCY) this.rtts.push(now - this.sentAt);
      if (this.running) this.send();
    }
  }

  stop(): void {
    this.running = false;
  }

  /** Zeroes the figures: the measurement starts now. */
  reset(now: number): void {
    this.answers = 0;
    this.flowMods = 0;
    this.rtts.length = 0;
    this.maxGap = 0;
    this.lastAnswerAt = now;
  }

  /** The longest time without an answer, counting the time since the last one. */
  gapUntil(now: number): number {
    return Math.max(this.maxGap, now - this.lastAnswerAt);
  }

  /** Tops the window up with consecutive pre-encoded packet-ins, in as few writes as possible. */
  private send(): void {
    let want = WINDOW - this.outstanding;
    if (want <= 0 || (want < WINDOW / 4 && this.outstanding > 0)) return;
    this.sentAt = performance.now();
    while (want > 0) {
      const n = Math.min(want, VARIANTS - this.cursor);
      const off = this.cursor * this.msgLen;
      this.socket.write(this.traffic.subarray(off, off + n * this.msgLen));
      this.cursor = (this.cursor + n) % VARIANTS;
      this.outstanding += n;
      want -= n;
    }
  }
}

function connectSwitch(id: number): Promise<FakeSwitch> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: args.host, port: Number(args.port) }, () => resolve(new FakeSwitch(id, s)));
    s.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (v: number) => Number(v.toFixed(1));

async function main(): Promise<void> {
  const n = Number(args.switches);
  const stagger = Number(args['stagger-ms']);
  const switches = await Promise.all(
    Array.from({ length: n }, (_, i) => sleep(i * stagger).then(() => connectSwitch(i))),
  );
  // Set-up and learning, then the warm-up (3 s in all after the last connect, as before).
  await sleep(1000 + Number(args.warmup) * 1000);
  // The markers let a runner read the controller's CPU time over exactly the measured window.
  process.stdout.write('measuring\n');
  const t0 = performance.now();
  for (const s of switches) s.reset(t0);
  await sleep(Number(args.seconds) * 1000);
  const t1 = performance.now();
  process.stdout.write('measured\n');
  const elapsed = (t1 - t0) / 1000;
  for (const s of switches) s.stop();
  const answers = switches.map((s) => s.answers);
  const total = answers.reduce((a, b) => a + b, 0);
  const min = Math.min(...answers);
  const mean = total / n;
  const ups = switches.map((s) => (s.upAt === undefined ? Infinity : s.upAt - s.connectedAt));
  const gaps = switches.map((s) => s.gapUntil(t1));
  const result: Record<string, unknown> = {
    label: args.label,
    mode: args.mode,
    version: VERSION === 4 ? '1.3' : '1.0',
    switches: n,
    hostsPerSwitch: HOSTS,
    seconds: Number(elapsed.toFixed(2)),
    responsesPerSec: Math.round(total / elapsed),
    flowMods: switches.reduce((a, s) => a + s.flowMods, 0),
    packetOuts: total - switches.reduce((a, s) => a + s.flowMods, 0),
    perSwitchMinPerSec: Math.round(min / elapsed),
    perSwitchMeanPerSec: Math.round(mean / elapsed),
    minToMean: Number((mean > 0 ? min / mean : 0).toFixed(3)),
    maxGapMs: round1(Math.max(...gaps)),
    // null: a switch that never got a flow-mod or packet-out.
    upMsMax: Number.isFinite(Math.max(...ups)) ? round1(Math.max(...ups)) : null,
  };
  if (LATENCY) {
    const r = switches.flatMap((s) => s.rtts).sort((a, b) => a - b);
    const q = (p: number) => round1(r[Math.min(r.length - 1, Math.floor(p * r.length))]! * 1000);
    Object.assign(result, {
      samples: r.length,
      p50Us: q(0.5),
      p90Us: q(0.9),
      p99Us: q(0.99),
      meanUs: round1((r.reduce((a, b) => a + b, 0) / r.length) * 1000),
    });
  }
  if (args.detail) {
    result.perSwitch = switches.map((s, i) => ({
      switch: i,
      upMs: Number.isFinite(ups[i]!) ? round1(ups[i]!) : null,
      answers: s.answers,
      maxGapMs: round1(gaps[i]!),
    }));
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  for (const s of switches) s.socket.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
