// The Node.js floor for the L2 benchmark: answers each packet-in with a flow-mod of the shape L2 learning
// installs, built from the frame's Ethernet addresses (see floor-server.ts).
//
//   tsx bench/openflow/floor-responder.ts --port 6633

import { parseArgs } from 'node:util';
import { readMac } from '../../src/net/mac-address.js';
import { OFPFF, applyActions, flowMod, output } from '../../src/openflow/index.js';
import { startFloor } from './floor-server.js';

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '6633' }, host: { type: 'string', default: '127.0.0.1' } },
});

startFloor(args.host, Number(args.port), (m, put) => {
  put(
    flowMod({
      priority: 100,
      idleTimeout: 60,
      bufferId: m.bufferId,
      flags: OFPFF.SEND_FLOW_REM,
      match: { inPort: m.inPort, ethSrc: readMac(m.data, 6), ethDst: readMac(m.data, 0) },
      instructions: [applyActions(output(m.inPort === 1 ? 2 : 1))],
    }),
  );
});
