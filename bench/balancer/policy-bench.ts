// In-process cost of one new-client placement on one core, without sockets: read the packet-in's frame,
// run the policy (choose a member, build the forward and reverse flow-mods and the packet-out), encode the
// three messages for OpenFlow 1.3, and claim the affinity entry in the in-memory store.
// Prints one JSON line per stage.
//
//   tsx bench/balancer/policy-bench.ts [--clients 200000] [--algorithm LEAST_LOAD]

import { parseArgs } from 'node:util';
import * as policy from '../../src/apps/load-balancer/lb-policy.js';
import type { LbPacketIn } from '../../src/apps/load-balancer/lb-policy.js';
import { LbState } from '../../src/apps/load-balancer/lb-state.js';
import { BALANCER_DEFAULTS } from '../../src/balancer/settings.js';
import { ARP_OP_REPLY, buildArpFrame } from '../../src/net/arp.js';
import { writeEthernet, ETH_TYPE_IPV4 } from '../../src/net/ethernet.js';
import { writeIpv4, IP_PROTO_TCP } from '../../src/net/ipv4.js';
import { writeMac } from '../../src/net/mac-address.js';
import type { PacketError } from '../../src/net/packet-error.js';
import { decodePacket, type DecodedPacket } from '../../src/net/packet.js';
import { TCP_SYN, writeTcp } from '../../src/net/tcp.js';
import { OFP_NO_BUFFER, writeMessage } from '../../src/openflow/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { AffinityClaim } from '../../src/store/store.js';
import type { AlgorithmName } from '../../src/balancer/objects.js';
import { benchPool, BENCH_VIP, BENCH_VIP_MAC, MEMBERS, memberIp, memberMac } from './vip.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '200000' },
    algorithm: { type: 'string', default: 'LEAST_LOAD' },
  },
});
const N = Number(args.clients);

function setup(): LbState {
  const state = new LbState({ ...BALANCER_DEFAULTS, maxClientsPerPool: 10_000_000 });
  policy.applyPools(state, 0, [benchPool(args.algorithm as AlgorithmName)]);
  policy.switchUp(state, 0, 1n);
  for (let i = 0; i < MEMBERS; i++) {
    const mac = memberMac(0, i);
    const f = buildArpFrame(BENCH_VIP_MAC, mac, {
      op: ARP_OP_REPLY,
      sha: mac,
      spa: memberIp(i),
      tha: BENCH_VIP_MAC,
      tpa: BENCH_VIP,
    });
    const p = decodePacket(f) as Exclude<ReturnType<typeof decodePacket>, PacketError>;
    policy.packetIn(state, 0, { datapathId: 1n, inPort: i + 1, bufferId: OFP_NO_BUFFER, data: f, packet: p });
  }
  return state;
}

const frame = Buffer.alloc(54);
{
  let p = writeEthernet(frame, 0, { dst: BENCH_VIP_MAC, src: 0, ethType: ETH_TYPE_IPV4 });
  p = writeIpv4(frame, p, { src: 0x0ad50432, dst: BENCH_VIP, protocol: IP_PROTO_TCP, payloadLength: 20 });
  writeTcp(frame, p, { srcPort: 40000, dstPort: 80, flags: TCP_SYN }, { src: 0x0ad50432, dst: BENCH_VIP }, 0);
}
const out = Buffer.alloc(64 * 1024);

/** As the app passes a packet-in: the frame, decoded only if the policy asks for the packet. */
class BenchPacketIn implements LbPacketIn {
  readonly datapathId = 1n;
  readonly inPort = 10;
  readonly bufferId = OFP_NO_BUFFER;
  constructor(readonly data: Buffer) {}
  get packet(): DecodedPacket | PacketError {
    return decodePacket(this.data);
  }
}

async function stage(name: string, encode: boolean, store: MemoryStore | undefined): Promise<void> {
  const state = setup();
  let bytes = 0;
  let claims: AffinityClaim[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    writeMac(frame, 6, 0x0a0000000000 + i);
    const r = policy.packetIn(state, 1000, new BenchPacketIn(frame));
    for (const a of r.actions) {
      if (a.kind === 'send' && encode) {
        bytes += writeMessage(out, 0, 4, i, a.message);
      } else if (a.kind === 'claim' && store) {
        // As the app's AffinityStore does: the claims of a turn go to the store in one call.
        claims.push(a);
        if (claims.length >= 1024) {
          await store.claimAffinities(claims);
          claims = [];
        }
      }
    }
  }
  if (store) await store.claimAffinities(claims);
  const secs = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  // CPU time of this process: on a shared machine, wall time also counts the time others held the core.
  const cpuSecs = (used.user + used.system) / 1e6;
  console.log(
    JSON.stringify({
      stage: name,
      algorithm: args.algorithm,
      clients: N,
      placementsPerWallSec: Math.round(N / secs),
      placementsPerCpuSec: Math.round(N / cpuSecs),
      cpuUsPerPlacement: Number(((cpuSecs / N) * 1e6).toFixed(2)),
      bytesPerPlacement: encode ? Math.round(bytes / N) : undefined,
    }),
  );
}

await stage('policy', false, undefined);
await stage('policy+encode', true, undefined);
const store = new MemoryStore({ sampleTtlMs: 60_000, seriesRetentionMs: 60_000, seriesMaxPoints: 10 });
await stage('policy+encode+store', true, store);
await store.close();
