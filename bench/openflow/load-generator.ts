// A cbench-like OpenFlow load generator: fake switches that complete the handshake with a controller,
// then send packet-ins and count the flow-mods and packet-outs that come back.
//   throughput mode: every switch keeps up to --window packet-ins outstanding; reports responses/s.
//   latency mode:    one switch, one packet-in outstanding at a time; reports round-trip percentiles.
// Prints one JSON line with the result on stdout.
//
//   tsx bench/openflow/load-generator.ts --port 6633 --mode throughput --switches 16 --seconds 10

import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { writeEthernet, ETH_TYPE_IPV4 } from '../../src/net/ethernet.js';
import { encodeMessage, helloFor, type OfMessage, type OfVersion } from '../../src/openflow/index.js';
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
  },
});

const VERSION = Number(args.version) as OfVersion;
const HOSTS = Number(args.hosts);
const WINDOW = Number(args.window);
// Message types that are the same in 1.0 and 1.3 (the others are answered in switch-replies.ts).
const OFPT = { ERROR: 1, PACKET_OUT: 13, FLOW_MOD: 14 } as const;
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
  flowMods = 0;
  packetOuts = 0;
  sent = 0;
  private pending: Buffer | undefined;
  private readonly learn: Buffer;
  private readonly traffic: Buffer;
  private readonly msgLen: number;
  private cursor = 0;
  private running = false;
  /** Latency mode: send time of the one outstanding packet-in. */
  private sentAt = 0;
  readonly rtts: number[] = [];
  latency = false;

  /** What it answers to the controller's requests: one port per host, 256 buffers. */
  private readonly identity: SwitchIdentity;

  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {
    this.identity = { datapathId: BigInt(id + 1), ports: HOSTS, nBuffers: 256, actions: 0xfff };
    // Learning round: every host speaks once (to broadcast), so the controller knows where all are.
    this.learn = Buffer.concat(Array.from({ length: HOSTS }, (_, h) => packetIn(id, h, -1, 0xffffffff)));
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

  private reply(msg: OfMessage, xid: number): void {
    this.socket.write(encodeMessage(VERSION, xid, msg));
  }

  private onData(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let off = 0;
    let responses = 0;
    while (buf.length - off >= 8) {
      const len = buf.readUInt16BE(off + 2);
      if (len < 8) throw new Error(`switch ${this.id}: bad length ${len}`);
      if (buf.length - off < len) break;
      const type = buf[off + 1]!;
      const xid = buf.readUInt32BE(off + 4);
      if (type === OFPT.FLOW_MOD) {
        this.flowMods++;
        responses++;
      } else if (type === OFPT.PACKET_OUT) {
        this.packetOuts++;
        responses++;
      } else if (type === OFPT.ERROR) {
        console.error(
          `switch ${this.id}: controller sent OFPT_ERROR ${buf.subarray(off, off + len).toString('hex')}`,
        );
      } else {
        const r = replyTo(VERSION, this.identity, type, buf, off, len);
        if (r !== undefined) this.reply(r, xid);
      }
      off += len;
    }
    if (off < buf.length) this.pending = Buffer.from(buf.subarray(off));
    if (responses > 0 && this.running) {
      if (this.latency) {
        this.rtts.push(performance.now() - this.sentAt);
        this.sendOne();
      } else {
        this.fill();
      }
    }
  }

  sendLearning(): void {
    this.socket.write(this.learn);
  }

  start(latency: boolean): void {
    this.latency = latency;
    this.running = true;
    if (latency) this.sendOne();
    else this.fill();
  }

  stop(): void {
    this.running = false;
  }

  get responses(): number {
    return this.flowMods + this.packetOuts;
  }

  resetCounters(): void {
    this.flowMods = 0;
    this.packetOuts = 0;
    this.sent = 0;
    this.rtts.length = 0;
  }

  private sendOne(): void {
    const off = this.cursor * this.msgLen;
    this.cursor = (this.cursor + 1) % VARIANTS;
    this.sentAt = performance.now();
    this.sent++;
    this.socket.write(this.traffic.subarray(off, off + this.msgLen));
  }

  /** Tops the window up with consecutive pre-encoded packet-ins, in as few writes as possible. */
  private fill(): void {
    let want = WINDOW - (this.sent - this.responses);
    if (want < WINDOW / 4) return;
    while (want > 0) {
      const n = Math.min(want, VARIANTS - this.cursor);
      const off = this.cursor * this.msgLen;
      this.socket.write(this.traffic.subarray(off, off + n * this.msgLen));
      this.cursor = (this.cursor + n) % VARIANTS;
      this.sent += n;
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

async function main(): Promise<void> {
  const latency = args.mode === 'latency';
  const n = latency ? 1 : Number(args.switches);
  const switches = await Promise.all(Array.from({ length: n }, (_, i) => connectSwitch(i)));
  await sleep(500);
  for (const s of switches) s.sendLearning();
  await sleep(500);
  for (const s of switches) s.start(latency);
  await sleep(Number(args.warmup) * 1000);
  for (const s of switches) s.resetCounters();
  const t0 = performance.now();
  await sleep(Number(args.seconds) * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const flowMods = switches.reduce((a, s) => a + s.flowMods, 0);
  const packetOuts = switches.reduce((a, s) => a + s.packetOuts, 0);
  for (const s of switches) s.stop();
  const result: Record<string, unknown> = {
    label: args.label,
    mode: args.mode,
    version: VERSION === 4 ? '1.3' : '1.0',
    switches: n,
    hostsPerSwitch: HOSTS,
    seconds: Number(elapsed.toFixed(2)),
    flowMods,
    packetOuts,
    responsesPerSec: Math.round((flowMods + packetOuts) / elapsed),
  };
  if (latency) {
    const r = switches[0]!.rtts.sort((a, b) => a - b);
    const q = (p: number) => Number((r[Math.min(r.length - 1, Math.floor(p * r.length))]! * 1000).toFixed(1));
    Object.assign(result, {
      samples: r.length,
      p50Us: q(0.5),
      p90Us: q(0.9),
      p99Us: q(0.99),
      meanUs: Number(((r.reduce((a, b) => a + b, 0) / r.length) * 1000).toFixed(1)),
    });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  for (const s of switches) s.socket.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
