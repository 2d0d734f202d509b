// The client against the real libvirtd (its test driver, over the real read-only socket), checked
// against what virsh reports for the same connection. Needs libvirt-daemon and libvirt-clients.

import { unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLibvirtd, run } from '../../src/lab/host/services.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { ListDomainsFlag, TypedParamType } from '../../src/libvirt/constants.js';
import { writeDomain, type DomainRef } from '../../src/libvirt/domain.js';
import { LibvirtError } from '../../src/libvirt/errors.js';
import type { LifecycleEvent } from '../../src/libvirt/lifecycle-event.js';
import { decodeVoid, splitVersion } from '../../src/libvirt/procedures.js';
import { typedParamsToObject } from '../../src/libvirt/typed-param.js';
import { writeManyDomainsFile } from '../../src/lab/host/test-driver-domains.js';

const DEFAULT = 'test+unix:///default';
/** remote_protocol.x: REMOTE_PROC_DOMAIN_DESTROY, which the client itself never sends. */
const REMOTE_PROC_DOMAIN_DESTROY = 12;
const MANY = 500;
const manyFile = join(tmpdir(), `vmon-libvirtd-${process.pid}.xml`);
const MANY_URI = `test+unix://${manyFile}`;

async function virsh(uri: string, ...args: string[]): Promise<string> {
  return (await run('virsh', ['-c', uri, ...args], { timeoutMs: 20_000 })).stdout;
}

function parseDomstats(out: string): Map<string, Map<string, string>> {
  const doms = new Map<string, Map<string, string>>();
  let cur: Map<string, string> | null = null;
  for (const line of out.split('\n')) {
    const d = /^Domain: '(.*)'$/.exec(line);
    if (d) doms.set(d[1]!, (cur = new Map()));
    const kv = /^\s+([^=]+)=(.*)$/.exec(line);
    if (kv && cur) cur.set(kv[1]!, kv[2]!);
  }
  return doms;
}

let conn: LibvirtClient;

beforeAll(async () => {
  // Throws, naming the Debian package to install, when libvirtd or virsh is missing.
  await ensureLibvirtd();
  await writeManyDomainsFile(manyFile, MANY);
  conn = await LibvirtClient.connect(DEFAULT);
});

afterAll(async () => {
  await conn?.close();
  try {
    unlinkSync(manyFile);
  } catch {
    // already gone
  }
});

describe('libvirtd test driver over the read-only socket', () => {
  it('library version and hostname match virsh', async () => {
    const v = splitVersion(await conn.getLibVersion());
    const m = /Using library: libvirt (\d+)\.(\d+)\.(\d+)/.exec(await virsh(DEFAULT, 'version'));
    expect(v).toEqual({ major: Number(m![1]), minor: Number(m![2]), release: Number(m![3]) });
    expect(await conn.getHostname()).toBe((await virsh(DEFAULT, 'hostname')).trim());
  });

  it('node info matches virsh nodeinfo', async () => {
    const info = await conn.nodeGetInfo();
    const out = await virsh(DEFAULT, 'nodeinfo');
    expect(out).toContain(`CPU model:           ${info.model}`);
    expect(out).toMatch(new RegExp(`CPU\\(s\\):\\s+${info.cpus}\\n`));
    expect(out).toMatch(new RegExp(`Memory size:\\s+${info.memoryKiB} KiB`));
  });

  it('domains, their stats and their XML match virsh', async () => {
    const doms = await conn.listAllDomains();
    const names = (await virsh(DEFAULT, 'list', '--all', '--name')).split('\n').filter(Boolean);
    expect(doms.map((d) => d.name).sort()).toEqual(names.sort());
    const stats = await conn.getAllDomainStats();
    const theirs = parseDomstats(await virsh(DEFAULT, 'domstats', '--raw'));
    expect(stats.map((r) => r.domain.name).sort()).toEqual([...theirs.keys()].sort());
    for (const r of stats) {
      const v = theirs.get(r.domain.name)!;
      expect(r.params.map((p) => p.field).sort()).toEqual([...v.keys()].sort());
      for (const p of r.params) {
        expect(String(p.type === TypedParamType.BOOLEAN ? (p.value ? 'yes' : 'no') : p.value)).toBe(
          v.get(p.field),
        );
      }
    }
    const first = doms[0]!;
    expect((await conn.getDomainXml(first)).trim()).toBe(
      (await virsh(DEFAULT, 'dumpxml', first.name)).trim(),
    );
  });

  it('stats of chosen domains only', async () => {
    const doms = await conn.listAllDomains();
    const stats = await conn.getAllDomainStats({ domains: [doms[0]!] });
    expect(stats.map((r) => r.domain.uuid)).toEqual([doms[0]!.uuid]);
  });

  it('an unknown domain is a LibvirtError with VIR_ERR_NO_DOMAIN', async () => {
    const err = await conn
      .getDomainXml({ name: 'vmon-absent', uuid: '7a6d6f6e-dead-4000-8000-00000000beef', id: -1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect((err as LibvirtError).code).toBe(42);
    expect((err as LibvirtError).message).toMatch(/vmon-absent|7a6d6f6e-dead/);
  });

  it('the read-only connection cannot change anything', async () => {
    const [dom] = await conn.listAllDomains();
    const err = await conn
      .call(REMOTE_PROC_DOMAIN_DESTROY, (w) => writeDomain(w, dom!), decodeVoid)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect((err as LibvirtError).message).toMatch(/read.only/i);
    // The domain still runs.
    expect((await conn.listAllDomains()).find((d) => d.uuid === dom!.uuid)?.id).toBeGreaterThan(0);
  });

  it('lifecycle events arrive for a domain started and destroyed elsewhere, and stop after deregistering', async () => {
    const name = `vmon-evt-${process.pid}`;
    const uuid = `7a6d6f6e-e7e7-4000-8000-${process.pid.toString(16).padStart(12, '0')}`;
    const xmlFile = join(tmpdir(), `${name}.xml`);
    writeFileSync(
      xmlFile,
      `<domain type='test'><name>${name}</name><uuid>${uuid}</uuid><memory>65536</memory><os><type>hvm</type></os></domain>`,
    );
    const events: LifecycleEvent[] = [];
    // Resolves with the event's arrival time. virsh itself may take long to start on a busy machine,
    // so the bound checked is from the moment virsh has finished (the change is done) to the event.
    const arrival = (what: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} event within 20 s`)), 20_000);
        const check = (e: LifecycleEvent): void => {
          if (e.domain.name === name && e.name === what) {
            clearTimeout(timer);
            conn.off('lifecycle', check);
            resolve(performance.now());
          }
        };
        conn.on('lifecycle', check);
      });
    conn.on('lifecycle', (e) => events.push(e));
    const id = await conn.registerLifecycleEvents();
    try {
      const started = arrival('started');
      await virsh(DEFAULT, 'create', xmlFile);
      const created = performance.now();
      expect((await started) - created).toBeLessThan(1000);
      const stopped = arrival('stopped');
      await virsh(DEFAULT, 'destroy', name);
      const destroyed = performance.now();
      expect((await stopped) - destroyed).toBeLessThan(1000);
      const mine = events.filter((e) => e.domain.name === name);
      expect(mine.map((e) => [e.name, e.detail, e.callbackId])).toEqual([
        ['started', 0, id],
        ['stopped', 1, id],
      ]);
      expect(mine[0]!.domain.uuid).toBe(uuid);

      await conn.deregisterLifecycleEvents(id);
      const before = events.length;
      await virsh(DEFAULT, 'create', xmlFile);
      await virsh(DEFAULT, 'destroy', name);
      await conn.getHostname(); // a round trip after the events would have been sent
      expect(events.length).toBe(before);
    } finally {
      await run('virsh', ['-c', DEFAULT, 'destroy', name]).catch(() => undefined);
      unlinkSync(xmlFile);
    }
  });

  it('keepalive runs against the real daemon without dropping an idle connection', async () => {
    const c = await LibvirtClient.connect(DEFAULT, { keepalive: { intervalMs: 150, count: 2 } });
    try {
      expect(c.keepaliveSupported).toBe(true);
      await new Promise((r) => setTimeout(r, 1200));
      expect(c.isOpen).toBe(true);
      expect(typeof (await c.getHostname())).toBe('string');
    } finally {
      await c.close();
    }
  });
});

describe(`libvirtd test driver with a file of ${MANY} domains`, () => {
  let many: LibvirtClient;
  beforeAll(async () => {
    many = await LibvirtClient.connect(MANY_URI);
  });
  afterAll(async () => {
    await many?.close();
  });

  it('lists every domain of the file', async () => {
    const doms = await many.listAllDomains();
    expect(doms).toHaveLength(MANY);
    const names = new Set(doms.map((d) => d.name));
    for (let i = 0; i < MANY; i++) expect(names.has(`vmon-${i}`)).toBe(true);
    const uuid = (i: number): string => `7a6d6f6e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    expect(doms.find((d) => d.name === 'vmon-321')?.uuid).toBe(uuid(321));
  });

  it('one bulk stats call covers every domain, as virsh domstats does', async () => {
    const stats = await many.getAllDomainStats();
    const theirs = parseDomstats(await virsh(MANY_URI, 'domstats', '--raw'));
    expect(stats).toHaveLength(theirs.size);
    for (const r of stats) {
      const v = theirs.get(r.domain.name)!;
      expect(v, r.domain.name).toBeDefined();
      const mine = typedParamsToObject(r.params);
      expect(String(mine['state.state'])).toBe(v.get('state.state'));
    }
  });

  it('serves many concurrent calls on one connection', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => many.getAllDomainStats()));
    for (const r of results) expect(r).toHaveLength(MANY);
  });

  it('passes list flags through: every domain of the file runs, none is inactive', async () => {
    expect(await many.listAllDomains(ListDomainsFlag.INACTIVE)).toEqual([] as DomainRef[]);
    expect(await many.listAllDomains(ListDomainsFlag.ACTIVE)).toHaveLength(MANY);
  });
});
