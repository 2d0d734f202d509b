// Vigil's controller with its L2 learning app, as it runs in production minus discovery and polling
// (which would add their own messages to the counts). --max-messages-per-turn changes how many messages
// one switch may have handled per event-loop turn (default: the session's default), to measure what
// that bound costs.
//
//   tsx bench/openflow/vigil-l2-server.ts --port 6633 [--max-messages-per-turn N]

import { parseArgs } from 'node:util';
import pino from 'pino';
import { L2LearningApp } from '../../src/apps/l2-learning.js';
import { Controller } from '../../src/controller/controller.js';
import { SESSION_DEFAULTS } from '../../src/controller/switch-session.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '6633' },
    host: { type: 'string', default: '127.0.0.1' },
    'max-messages-per-turn': { type: 'string', default: String(SESSION_DEFAULTS.maxMessagesPerTurn) },
  },
});

const c = new Controller(
  {
    host: args.host,
    port: Number(args.port),
    discoveryIntervalMs: 0,
    statsIntervalMs: 0,
    session: { ...SESSION_DEFAULTS, maxMessagesPerTurn: Number(args['max-messages-per-turn']) },
  },
  pino({ level: 'warn' }),
);
c.use(new L2LearningApp());
const addr = await c.listen();
console.log(`listening ${addr.port}`);
process.once('SIGINT', () => void c.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void c.close().then(() => process.exit(0)));
