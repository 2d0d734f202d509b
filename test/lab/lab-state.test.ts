import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  emptyState,
  parseState,
  readState,
  removeState,
  statePath,
  writeState,
  type LabState,
} from '../../src/lab/lab-state.js';

function sample(): LabState {
  const s = emptyState({
    prefix: 'vlabt',
    vip: '10.213.10.10',
    target: 'direct',
    libvirtUri: 'qemu:///system',
    options: {
      vms: 2,
      clients: 2,
      memoryMiB: 96,
      controllerPort: 1,
      collectorPort: 2,
      recorderPort: 3,
      apiPort: 4,
      algorithm: 'LEAST_LOAD',
    },
  });
  s.bridges.push('vlabt-n1', 'vlabt-n2');
  s.links.push({ portA: 'vlabt-l0a', portB: 'vlabt-l0b' });
  s.domains.push({
    name: 'vlabt-vm1',
    ip: '10.213.10.11',
    mac: '52:54:00:d5:0a:0b',
    bridge: 'vlabt-n1',
    port: 'vlabt-vm1',
    ifindex: 42,
    consoleLog: '/x/c.log',
  });
  s.clients.push({
    name: 'c1',
    ns: 'vlabt-c1',
    ip: '10.213.10.101',
    mac: '02:d5:0a:00:00:65',
    bridge: 'vlabt-n1',
    port: 'vlabt-c1',
  });
  s.processes.push({ role: 'vigil', pid: 1234, startTicks: 99, argv: ['node', 'vigil', 'up'] });
  return s;
}

describe('lab state file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-lab-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips through the file, and reports absence', async () => {
    expect(await readState(dir)).toEqual({ ok: false, reason: 'absent' });
    const s = sample();
    await writeState(dir, s);
    expect(await readState(dir)).toEqual({ ok: true, state: s });
    await removeState(dir);
    expect((await readState(dir)).ok).toBe(false);
  });

  it('rejects a state naming parts outside the lab prefix (down must never touch them)', () => {
    const s = sample();
    s.bridges.push('br-int');
    const r = parseState(JSON.stringify(s));
    expect(r.ok).toBe(false);
    if (!r.ok && r.reason === 'invalid') expect(r.error).toContain('br-int');
    const d = sample();
    d.domains[0]!.name = 'production-db';
    expect(parseState(JSON.stringify(d)).ok).toBe(false);
  });

  it('rejects wrong types, shell-ish names and bad JSON with a message', async () => {
    const cases = [
      '',
      '{',
      'null',
      '[]',
      JSON.stringify({ ...sample(), version: 2 }),
      JSON.stringify({ ...sample(), bridges: ['vlabt-n1; rm -rf /'] }),
      JSON.stringify({ ...sample(), processes: [{ role: 'x', pid: -1, startTicks: 0, argv: [] }] }),
    ];
    for (const c of cases) {
      const r = parseState(c);
      expect(r.ok, c.slice(0, 60)).toBe(false);
      if (!r.ok && r.reason === 'invalid') expect(r.error.length).toBeGreaterThan(0);
    }
    await writeFile(statePath(dir), '{"version":1}');
    expect((await readState(dir)).ok).toBe(false);
  });

  it('never throws on random or mutated input', () => {
    const valid = JSON.stringify(sample());
    fc.assert(fc.property(fc.string(), (s) => void parseState(s)));
    fc.assert(fc.property(fc.jsonValue(), (v) => void parseState(JSON.stringify(v))));
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.string({ maxLength: 4 }), fc.nat(3), (at, ins, del) => {
        const mutated = valid.slice(0, at) + ins + valid.slice(at + del);
        const r = parseState(mutated);
        if (r.ok) expect(r.state.prefix).toBe('vlabt');
      }),
    );
  });

  it('writes atomically: no temporary file is left behind', async () => {
    await writeState(dir, sample());
    await writeState(dir, sample());
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual(['state.json']);
    expect(JSON.parse(await readFile(statePath(dir), 'utf8')).prefix).toBe('vlabt');
  });
});
