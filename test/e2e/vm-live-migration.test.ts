// A real QEMU guest live-migrated between two libvirt hosts on this machine while its clients use it
// through the VIP. Host A and host B are two libvirtd of the test's own (each in a private mount namespace,
// its own host UUID), each behind its own OVS bridge: the two compute nodes. The whole `vigil up`
// runtime monitors both daemons and balances a pool of the guest and one namespace backend. Mid-traffic
// the guest moves from A (bridge vmg0) to B (bridge vmg1) by `virsh migrate --live`; what is checked is
// what the clients and an operator see: no client is placed again (placement log, affinity in the
// store), the guest's clients are answered by the guest again after it resumed on B, and its clients'
// flows lead to its new port within 1 s of libvirt's RESUMED event on B.
// Needs openvswitch-switch, libvirt-daemon, libvirt-clients, qemu-system-x86, util-linux, mount.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigLoadBalancer } from '../../src/balancer/objects.js';
import { loadConfig } from '../../src/config/load.js';
import { ensureGuestImage } from '../../src/lab/guest-image.js';
import { bootLabVm } from '../../src/lab/lab-vm-boot.js';
import { spawnIn } from '../../src/lab/host/netns.js';
import { PrivateLibvirtd } from '../../src/lab/host/private-libvirtd.js';
import { ensureOpenvswitch, ensureQemuAccounts, requireProgram, run } from '../../src/lab/host/services.js';
import { Topology, type Host } from '../../src/lab/host/topology.js';
import { liveMigrateVm } from '../../src/lab/vm-migration.js';
import type { LabVm } from '../../src/lab/vm.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { LifecycleEventType } from '../../src/libvirt/constants.js';
import { silentLogger } from '../../src/log/logger.js';
import { VigilRuntime } from '../../src/runtime/vigil-runtime.js';
import { Channels } from '../../src/store/store.js';
import { freePort } from '../support/redis-server.js';

const PREFIX = 'vmg';
const VIP = '10.213.7.100';
const POOL = 'migrate-pool';
const DPID = { a: 0xa0n, b: 0xb0n };
const GUEST = { name: 'vmg-guest', ip: '10.213.7.10/24', mac: '52:54:00:d3:07:0a' };
const PORT_A = 'vmg-ga';
const PORT_B = 'vmg-gb';
/** What the guest's httpd answers on `/` (src/lab/guest-image.ts). */
const GUEST_PAGE = 'vigil guest';
/** Answers every request with its name. */
const HTTP_SERVER = `const [name, ip] = process.argv.slice(1);
require('http').createServer((q, s) => s.end(name)).listen(80, ip);`;
/**
 * A client that asks the VIP again and again, each request on a new connection given up after 300 ms
 * (so that a segment lost while the guest is paused is followed by a new one soon), and prints one JSON
 * line per request: when it ended, and the answer or the error.
 */
const CLIENT = `const http = require('http');
const [vip] = process.argv.slice(1);
function once() {
  const req = http.get({ host: vip, port: 80, path: '/', agent: false, timeout: 300 }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => { console.log(JSON.stringify({ t: Date.now(), body })); setTimeout(once, 50); });
    res.on('error', () => {});
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => { console.log(JSON.stringify({ t: Date.now(), error: e.message })); setTimeout(once, 20); });
}
once();`;

interface StoreEvent {
  type: string;
  time: number;
  [field: string]: unknown;
}

interface LibvirtEvent {
  host: 'A' | 'B';
  event: number;
  name: string;
  detail: number;
  t: number;
}

interface Answer {
  t: number;
  body?: string;
  error?: string;
}

const served = (a: Answer): string | undefined =>
  a.body === undefined ? undefined : a.body.includes(GUEST_PAGE) ? 'guest' : a.body;

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a real QEMU guest live-migrated between two libvirt hosts keeps its clients', () => {
  const topo = new Topology(PREFIX);
  let backend: Host;
  const clients: Host[] = [];
  const servers: ChildProcess[] = [];
  const loops: ChildProcess[] = [];
  const answers = new Map<string, Answer[]>();
  /** The events Vigil published (the balancer's member-*, client-*, the monitor's vm_removed). */
  const storeEvents: StoreEvent[] = [];
  let hostA: PrivateLibvirtd | undefined;
  let hostB: PrivateLibvirtd | undefined;
  let guest: LabVm;
  let rt: VigilRuntime | undefined;
  let dir: string;
  const watchers: LibvirtClient[] = [];
  let watch: NodeJS.Timeout | undefined;

  const balancerMember = () => rt!.balancer.state.vips.get(POOL)!.memberById.get('guest')!;
  const affinity = async () =>
    new Map((await rt!.store.listAffinity(POOL)).map((e) => [e.client, e.member] as [string, string]));

  beforeAll(async () => {
    await ensureOpenvswitch();
    await ensureQemuAccounts();
    await requireProgram('curl', 'curl');
    const image = await ensureGuestImage();
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-migrate-'));
    hostA = await PrivateLibvirtd.start({
      dir: join(tmpdir(), 'vigil-e2e-libvirt-a'),
      hostUuid: 'a0b1c2d3-0000-4000-8000-00000000000a',
    });
    hostB = await PrivateLibvirtd.start({
      dir: join(tmpdir(), 'vigil-e2e-libvirt-b'),
      hostUuid: 'a0b1c2d3-0000-4000-8000-00000000000b',
    });
    const ofPort = await freePort();
    for (const [name, dpid] of [
      ['vmg0', DPID.a],
      ['vmg1', DPID.b],
    ] as const) {
      await topo.bridge(name, {
        protocols: ['OpenFlow13'],
        failMode: 'secure',
        datapathId: dpid.toString(16).padStart(16, '0'),
        controller: `tcp:127.0.0.1:${ofPort}`,
        controllerMaxBackoffMs: 1000,
      });
    }
    await topo.link('vmg0', 'vmg1');
    backend = await topo.host('vmg1', { name: 'b1', ip: '10.213.7.11/24' });
    for (let n = 1; n <= 4; n++)
      clients.push(await topo.host(n % 2 ? 'vmg0' : 'vmg1', { name: `c${n}`, ip: `10.213.7.${20 + n}/24` }));
    servers.push(
      spawnIn(backend.ns, [process.execPath, '-e', HTTP_SERVER, backend.name, backend.ip], {
        stdio: 'ignore',
      }),
    );
    guest = await bootLabVm(
      {
        ...GUEST,
        kernel: image.kernel,
        initrd: image.initrd,
        bridge: 'vmg0',
        portName: PORT_A,
        consoleLog: join(dir, 'guest-a.console.log'),
      },
      { uri: hostA.uri, readyTimeoutMs: 180_000 },
    );
    const loadBalancers: ConfigLoadBalancer[] = [
      {
        id: 'migrate',
        name: 'migrate',
        vip_address: VIP,
        pools: [
          {
            id: POOL,
            name: 'web',
            protocol: 'TCP',
            protocol_port: 80,
            lb_algorithm: 'ROUND_ROBIN',
            session_persistence: { type: 'SOURCE_MAC', idle_timeout_seconds: 300 },
            members: [
              { id: 'guest', address: GUEST.ip.split('/')[0]!, protocol_port: 80, vm_uuid: guest.uuid },
              { id: backend.name, address: backend.ip, protocol_port: 80 },
            ],
          },
        ],
      },
    ];
    const configFile = join(dir, 'vigil.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        log: { level: 'silent' },
        controller: { listen: `127.0.0.1:${ofPort}`, discoveryIntervalSeconds: 1 },
        collector: { listen: '127.0.0.1:0' },
        api: { listen: '127.0.0.1:0' },
        monitor: { libvirt: [hostA.readOnlyUri, hostB.readOnlyUri], intervalSeconds: 1 },
        loadBalancers,
      }),
    );
    const { config } = loadConfig({ env: {}, file: configFile });
    rt = await VigilRuntime.start({ config, logger: silentLogger(), version: 'test' });
    await rt.store.subscribe(Channels.events, (e) => storeEvents.push(e as StoreEvent));
    await until(
      () => rt!.controller.datapath(DPID.a) !== undefined && rt!.controller.datapath(DPID.b) !== undefined,
      20_000,
      'both bridges connected',
    );
    await until(() => rt!.controller.links().length === 2, 15_000, 'the link between the bridges');
    await until(
      () => rt!.balancer.state.vips.get(POOL)?.members.every((m) => m.datapathId !== undefined) ?? false,
      20_000,
      'every member located',
    );
  }, 400_000);

  afterAll(async () => {
    clearInterval(watch);
    await Promise.all(watchers.map((w) => w.close()));
    for (const p of [...loops, ...servers]) p.kill();
    await rt?.stop();
    await hostB?.stop();
    await hostA?.stop();
    await topo.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('moves the guest from host A to host B mid-traffic: no client placed again, flows on the new path within 1 s of RESUMED', async () => {
    // Every client is placed once, before the move.
    for (const c of clients) {
      const r = await run(
        'ip',
        [
          'netns',
          'exec',
          c.ns,
          'curl',
          '-s',
          '-m',
          '5',
          '--retry',
          '3',
          '--retry-all-errors',
          `http://${VIP}/`,
        ],
        { timeoutMs: 30_000 },
      );
      expect(r.stdout.length, c.name).toBeGreaterThan(0);
    }
    const placed = await affinity();
    expect(placed.size).toBe(clients.length);
    const guestClients = clients.filter((c) => placed.get(c.mac) === 'guest');
    expect(guestClients.length).toBeGreaterThan(0);
    expect(guestClients.length).toBeLessThan(clients.length);
    const placements = rt!.balancer.placements(1000, POOL).length;
    expect(balancerMember().datapathId).toBe(DPID.a);

    // libvirt's own account of the move, from both hosts.
    const events: LibvirtEvent[] = [];
    for (const [name, h] of [
      ['A', hostA!],
      ['B', hostB!],
    ] as const) {
      const c = await LibvirtClient.connect(h.readOnlyUri);
      watchers.push(c);
      c.on('lifecycle', (e) => {
        if (e.domain.uuid === guest.uuid)
          events.push({ host: name, event: e.event, name: e.name, detail: e.detail, t: Date.now() });
      });
      await c.registerLifecycleEvents();
    }
    // The member's attachment, as the balancer holds it, every few milliseconds.
    let locatedAt: number | undefined;
    watch = setInterval(() => {
      if (locatedAt === undefined && balancerMember().datapathId === DPID.b) locatedAt = Date.now();
    }, 5);

    for (const c of clients) {
      const seen: Answer[] = [];
      answers.set(c.name, seen);
      const p = spawnIn(c.ns, [process.execPath, '-e', CLIENT, VIP], { stdio: ['ignore', 'pipe', 'ignore'] });
      createInterface({ input: p.stdout! }).on('line', (l) => seen.push(JSON.parse(l) as Answer));
      loops.push(p);
    }
    await until(() => clients.every((c) => answers.get(c.name)!.some((a) => a.body)), 10_000, 'traffic');
    await new Promise((r) => setTimeout(r, 1000));

    // The guest's clients' flows on vmg1, towards the guest's new port and back from it, read from the
    // switch every few tens of milliseconds from the start of the migration: the first time they are all
    // there (an upper bound of when they were installed).
    let newPort: number | undefined;
    let flowsAt: number | undefined;
    let lastFlows: string[] = [];
    let polling = true;
    const flowPoller = (async () => {
      while (polling && flowsAt === undefined) {
        const t = Date.now();
        if (newPort === undefined) {
          const p = await run('ovs-vsctl', ['--if-exists', 'get', 'Interface', PORT_B, 'ofport']);
          const n = Number(p.stdout.trim());
          if (Number.isInteger(n) && n > 0) newPort = n;
        } else {
          const flows = (await run('ovs-ofctl', ['-O', 'OpenFlow13', 'dump-flows', 'vmg1'])).stdout.split(
            '\n',
          );
          lastFlows = flows;
          const onPath = (c: Host) =>
            flows.some((f) => f.includes(`nw_src=${c.ip},`) && f.endsWith(`output:${newPort}`)) &&
            flows.some((f) => f.includes(`in_port=${newPort},`) && f.includes(`nw_dst=${c.ip},`));
          if (guestClients.every(onPath)) flowsAt = t;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const migrateStarted = Date.now();
    let migrateEnded: number;
    let resumedAt: number;
    try {
      await liveMigrateVm(guest.name, {
        from: hostA!.uri,
        to: hostB!.uri,
        address: '127.0.0.1',
        port: await freePort(),
        target: { bridge: 'vmg1', portName: PORT_B, consoleLog: join(dir, 'guest-b.console.log') },
        xmlFile: join(dir, 'guest-b.domain.xml'),
      });
      migrateEnded = Date.now();
      const resumed = () => events.find((e) => e.host === 'B' && e.event === LifecycleEventType.RESUMED);
      await until(() => resumed() !== undefined, 10_000, 'RESUMED on host B');
      resumedAt = resumed()!.t;
      await until(() => flowsAt !== undefined, 15_000, 'the guest’s clients’ flows on its new port').catch(
        (err: Error) => {
          const mm = balancerMember();
          const tail = guestClients.map(
            (c) => `${c.name} ${c.ip}: ${JSON.stringify(answers.get(c.name)!.slice(-3))}`,
          );
          throw new Error(
            `${err.message}; port ${PORT_B} is ofport ${newPort}; member at ${mm.datapathId}:${mm.ofport} ` +
              `(${mm.vm}); libvirt events ${JSON.stringify(events)}; Vigil's events ` +
              `${JSON.stringify(storeEvents)}; flows on vmg1:\n${lastFlows.join('\n')}\n${tail.join('\n')}`,
          );
        },
      );
    } finally {
      polling = false;
      await flowPoller;
    }
    // Each of the guest's clients answered by the guest after it resumed.
    await until(
      () =>
        guestClients.every((c) => answers.get(c.name)!.some((a) => a.t > resumedAt && served(a) === 'guest')),
      15_000,
      'the guest’s clients answered after it resumed',
    );
    await new Promise((r) => setTimeout(r, 2000));
    for (const p of loops) p.kill();
    clearInterval(watch);

    const firstAnswer = (c: Host) =>
      answers.get(c.name)!.find((a) => a.t > resumedAt && a.body)!.t - resumedAt;
    const guestEvents = storeEvents.filter(
      (e) => e.member === 'guest' && e.time >= migrateStarted && e.type !== 'placement',
    );
    const gaps = guestClients.map((c) => {
      const got = answers.get(c.name)!.filter((a) => a.body);
      let gap = 0;
      for (let i = 1; i < got.length; i++) gap = Math.max(gap, got[i]!.t - got[i - 1]!.t);
      return gap;
    });
    console.info(
      [
        `live migration A -> B: virsh migrate took ${migrateEnded - migrateStarted} ms`,
        `libvirt events (ms after migrate began): ${events
          .map((e) => `${e.host} ${e.name}/${e.detail} +${e.t - migrateStarted}`)
          .join(', ')}`,
        `after RESUMED on B: member located on vmg1 +${locatedAt === undefined ? '?' : locatedAt - resumedAt} ms, ` +
          `clients' flows on the new port +${flowsAt! - resumedAt} ms (first dump-flows that showed them), ` +
          `first answers ${guestClients.map((c) => `${c.name} +${firstAnswer(c)} ms`).join(', ')}`,
        `longest time without an answer, per guest client: ${gaps.map((g) => `${g} ms`).join(', ')}`,
        `the guest's member in Vigil's events (ms after RESUMED): ${guestEvents
          .map((e) => `${String(e.change ?? e.type)} ${e.time - resumedAt}`)
          .join(', ')}`,
      ].join('\n'),
    );

    // The guest runs on host B, on vmg1, and is gone from host A.
    expect((await run('virsh', ['-c', hostB!.uri, 'domstate', guest.name])).stdout.trim()).toBe('running');
    expect((await run('virsh', ['-c', hostA!.uri, 'list', '--all', '--name'])).stdout.trim()).toBe('');
    // No client placed again: the placement log and the store's affinity are as before the move.
    expect(rt!.balancer.placements(1000, POOL)).toHaveLength(placements);
    expect(await affinity()).toEqual(placed);
    // Every answer a client got came from its own member, the guest's clients' from the guest.
    for (const c of clients) {
      const from = new Set(
        answers
          .get(c.name)!
          .map(served)
          .filter((s) => s !== undefined),
      );
      expect(from, c.name).toEqual(new Set([placed.get(c.mac)]));
    }
    // The monitor reported the guest's end on host A as a migration, and the member was never taken
    // down; it drained at most once (host A's pause before host B resumed it), it did not flap between
    // what host A (running) and host B (paused, waiting for the memory) said while the memory moved.
    expect(
      storeEvents
        .filter((e) => e.type === 'vm_removed' && e.uuid === guest.uuid)
        .map((e) => [e.host, e.reason]),
    ).toEqual([[hostA!.readOnlyUri, 'migrated']]);
    expect(guestEvents.filter((e) => e.change === 'member-down')).toEqual([]);
    expect(guestEvents.filter((e) => e.type === 'member-suspended').length).toBeLessThanOrEqual(1);
    // The member followed the guest to its new port, and its clients' flows lead there within 1 s.
    expect(balancerMember().datapathId).toBe(DPID.b);
    expect(balancerMember().ofport).toBe(newPort);
    expect(flowsAt! - resumedAt).toBeLessThan(1000);
    // Once host B's monitor has polled it, the guest's member is running there (not draining).
    await until(() => balancerMember().vm === 'running', 5_000, 'the guest’s member running');
  }, 300_000);
});
