// Vigil's controller with its L2 learning app, as it runs in production minus discovery and polling
// (which would add their own messages to the counts).
//
//   tsx bench/openflow/vigil-l2-server.ts --port 6633

import { parseArgs } from 'node:util';
import pino from 'pino';
import { L2LearningApp } from '../../src/apps/l2-learning.js';
import { Controller } from '../../src/controller/controller.js';

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '6633' }, host: { type: 'string', default: '127.0.0.1' } },
});

const c = new Controller(
  { host: args.host, port: Number(args.port), discoveryIntervalMs: 0, statsIntervalMs: 0 },
  pino({ level: 'warn' }),
);
c.use(new L2LearningApp());
const addr = await c.listen();
console.log(`listening ${addr.port}`);
process.once('SIGINT', () => void c.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void c.close().then(() => process.exit(0)));
