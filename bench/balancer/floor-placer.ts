// The Node.js floor for the load-balancer benchmark: answers each packet-in of a TCP segment with the
// messages of a placement (the forward and reverse flow-mods, then a packet-out of the frame), the member
// taken in turn. The flow-mods are written from per-member templates, as Vigil writes them; there is no
// policy, no client table and no store. What is left is framing, decoding, encoding and the sockets
// (see bench/openflow/floor-server.ts).
//
//   tsx bench/balancer/floor-placer.ts --port 6633

import { parseArgs } from 'node:util';
import { readU32 } from '../../src/net/bytes.js';
import { ETH_TYPE_IPV4 } from '../../src/net/ethernet.js';
import { IP_PROTO_TCP } from '../../src/net/ipv4.js';
import { readMac } from '../../src/net/mac-address.js';
import { tcpFrameIpv4Offset } from '../../src/net/tcp-frame.js';
import { FlowModTemplate } from '../../src/openflow/flow-mod-template.js';
import {
  OFPFF,
  applyActions,
  flowMod,
  frozen,
  output,
  packetOut,
  type Action,
} from '../../src/openflow/index.js';
import { startFloor } from '../openflow/floor-server.js';
import { BENCH_VIP, BENCH_VIP_MAC, MEMBERS, memberIp, memberMac } from './vip.js';

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '6633' }, host: { type: 'string', default: '127.0.0.1' } },
});

/** The load generator's clients send from this port; the members sit on ports 1-6. */
const CLIENT_PORT = 10;
const base = { cookie: 1n, priority: 200, idleTimeout: 60 };
const tcp = { ethType: ETH_TYPE_IPV4, ipProto: IP_PROTO_TCP };

const members = Array.from({ length: MEMBERS }, (_, i) => {
  const forward = frozen<Action[]>([
    { type: 'setField', field: 'ethDst', value: memberMac(0, i) },
    { type: 'setField', field: 'ipv4Dst', value: memberIp(i) },
    output(i + 1),
  ]);
  const reverse = frozen<Action[]>([
    { type: 'setField', field: 'ethSrc', value: BENCH_VIP_MAC },
    { type: 'setField', field: 'ipv4Src', value: BENCH_VIP },
    output(CLIENT_PORT),
  ]);
  return {
    forward,
    // Client's values: in-port, IPv4 source, MAC.
    forwardFlow: new FlowModTemplate(
      flowMod({
        ...base,
        flags: OFPFF.SEND_FLOW_REM,
        match: { inPort: 0, ...tcp, ipv4Src: 0, ipv4Dst: BENCH_VIP, tcpDst: 80, ethSrc: 0 },
        instructions: frozen([applyActions(...forward)]),
      }),
      ['inPort', 'ipv4Src', 'ethSrc'],
    ),
    // Client's values: IPv4 destination, MAC.
    reverseFlow: new FlowModTemplate(
      flowMod({
        ...base,
        match: { inPort: i + 1, ...tcp, ipv4Src: memberIp(i), ipv4Dst: 0, tcpSrc: 80, ethDst: 0 },
        instructions: frozen([applyActions(...reverse)]),
      }),
      ['ipv4Dst', 'ethDst'],
    ),
  };
});
let turn = 0;

startFloor(args.host, Number(args.port), (m, put) => {
  const f = m.data;
  const ipAt = tcpFrameIpv4Offset(f);
  if (ipAt < 0) return;
  const mac = readMac(f, 6);
  const ip = readU32(f, ipAt + 12);
  const member = members[turn++ % MEMBERS]!;
  put(member.forwardFlow.instance([m.inPort, ip, mac]));
  put(member.reverseFlow.instance([ip, mac]));
  put(packetOut({ inPort: m.inPort, actions: member.forward, data: f }));
});
