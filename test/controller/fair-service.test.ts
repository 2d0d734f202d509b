// Sixteen switches at full rate against one controller for 60 s. The switches are the OpenFlow
// benchmark's load generator (bench/openflow/load-generator.ts), in a process of its own: each keeps
// 2000 packet-ins outstanding, starting right behind its FEATURES_REPLY, and they connect 100 ms apart,
// so that later ones are set up while earlier ones already run flat out. Every session must come up
// within 1 s of its TCP connect (the controller's first flow-mod, the table-miss entry, reaches the
// switch), and no switch may go more than 1 s without an answer.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { L2LearningApp } from '../../src/apps/l2-learning.js';
import { Controller } from '../../src/controller/controller.js';
import { memoryLogger } from './fake-switch.js';

const GENERATOR = fileURLToPath(new URL('../../bench/openflow/load-generator.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SWITCHES = 16;
const SECONDS = 60;
/** Connect to first flow-mod, and the longest time a switch may go without an answer. */
const UP_WITHIN_MS = 1000;
const ANSWERED_WITHIN_MS = 1000;

interface PerSwitch {
  switch: number;
  upMs: number | null;
  answers: number;
  maxGapMs: number;
}

let controller: Controller | undefined;
afterEach(async () => {
  await controller?.close();
  controller = undefined;
});

function generate(port: number): Promise<{ perSwitch: PerSwitch[] } & Record<string, unknown>> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      GENERATOR,
      ...['--port', String(port), '--mode', 'throughput', '--switches', String(SWITCHES)],
      ...['--seconds', String(SECONDS), '--warmup', '0', '--stagger-ms', '100', '--detail'],
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as { perSwitch: PerSwitch[] });
    });
  });
}

describe('controller under full load from many switches', () => {
  it(`sets up ${SWITCHES} switches at full rate within ${UP_WITHIN_MS} ms each and starves none for ${SECONDS} s`, async () => {
    const { log } = memoryLogger();
    const c = new Controller(
      { host: '127.0.0.1', port: 0, discoveryIntervalMs: 0, statsIntervalMs: 0 },
      log.child({}, { level: 'warn' }),
    );
    c.use(new L2LearningApp());
    controller = c;
    const { port } = await c.listen();

    const r = await generate(port);

    const per = r.perSwitch;
    const answers = per.map((p) => p.answers);
    const min = Math.min(...answers);
    const mean = answers.reduce((a, b) => a + b, 0) / answers.length;
    const report =
      `answers per switch over ${SECONDS} s: min ${min}, mean ${Math.round(mean)} ` +
      `(min/mean ${(min / mean).toFixed(2)}); connect to up, ms: ${per.map((p) => p.upMs).join(' ')}; ` +
      `longest time without an answer, ms: ${per.map((p) => p.maxGapMs).join(' ')}`;
    expect(per, report).toHaveLength(SWITCHES);
    expect(
      per.filter((p) => p.upMs === null || p.upMs > UP_WITHIN_MS).map((p) => p.switch),
      report,
    ).toEqual([]);
    expect(
      per.filter((p) => p.maxGapMs > ANSWERED_WITHIN_MS).map((p) => p.switch),
      report,
    ).toEqual([]);
    expect(min, report).toBeGreaterThan(0);
    // Nothing lost during the set-ups. (When the generator closes its connections at the end, what is
    // still in flight is counted as session_dead.)
    expect(c.internals().droppedMessages).toMatchObject({ hold_queue_full: 0, undecodable: 0 });
    console.info(report);
  }, 120_000);
});
