// End to end on real Open vSwitch (userspace datapath, fail_mode=secure): two bridges joined by a link,
// two namespace hosts on each, and only Vigil's flows. Run once per OpenFlow version.

import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArpResponderApp } from '../../src/apps/arp-responder.js';
import { L2LearningApp } from '../../src/apps/l2-learning.js';
import { APP_ID, appCookie } from '../../src/controller/cookies.js';
import { Controller, CORE_COOKIE } from '../../src/controller/controller.js';
import { SESSION_DEFAULTS } from '../../src/controller/switch-session.js';
import { runIn, spawnIn, succeedsIn } from '../../src/lab/host/netns.js';
import { ensureOpenvswitch, requireProgram, run } from '../../src/lab/host/services.js';
import { Topology, type Host } from '../../src/lab/host/topology.js';
import { spawnController } from './cli-runner.js';
import { memoryLogger, until } from './fake-switch.js';

const L2_COOKIE = appCookie(APP_ID.L2_LEARNING);
const VIP = 0x0ad50164; // 10.213.1.100, answered by the controller
const VIP_MAC = 0x0ad501000064;
const IDLE_S = 3;
const DPID = { vof0: 0x0000_0000_0000_a0a0n, vof1: 0x0000_0000_0000_a1a1n };

function startController(port: number, versions: readonly (1 | 4)[]) {
  const { log, lines } = memoryLogger();
  const c = new Controller(
    {
      host: '127.0.0.1',
      port,
      discoveryIntervalMs: 1000,
      statsIntervalMs: 1000,
      session: { ...SESSION_DEFAULTS, versions: [...versions], echoIntervalMs: 1000, echoTimeoutMs: 5000 },
    },
    log,
  );
  c.use(new ArpResponderApp([[VIP, VIP_MAC]]));
  c.use(new L2LearningApp({ idleTimeoutSeconds: IDLE_S }));
  return { c, lines };
}

/** The first packets of a flow wait for ARP and the controller: allow a few attempts. */
async function ping(from: Host, to: Host, attempts = 3): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await succeedsIn(from.ns, ['ping', '-c', '1', '-W', '2', to.ip])) return true;
  }
  return false;
}

const TCP_SERVER = `require('net').createServer((s) => s.end('vigil ' + s.remoteAddress + '\\n')).listen(8080, process.argv[1])`;
const TCP_CLIENT = `const s = require('net').connect(8080, process.argv[1]); let out = '';
s.on('data', (d) => (out += d)); s.on('end', () => { process.stdout.write(out); process.exit(0); });
s.on('error', (e) => { console.error(e.message); process.exit(1); }); setTimeout(() => process.exit(2), 5000);`;

function dumpFlows(bridge: string, proto: string): Promise<string> {
  return run('ovs-ofctl', ['-O', proto, 'dump-flows', bridge]).then((r) => r.stdout);
}

for (const [proto, version] of [
  ['OpenFlow10', 1],
  ['OpenFlow13', 4],
] as const) {
  describe(`Vigil controller on real OVS with ${proto}`, () => {
    const topo = new Topology('vof');
    const hosts: Host[] = [];
    const servers: ChildProcess[] = [];
    let ctl: ReturnType<typeof startController>;
    let port = 0;
    let linkPorts: { a: number; b: number };

    beforeAll(async () => {
      await ensureOpenvswitch();
      await requireProgram('ping', 'iputils-ping');
      await requireProgram('ip', 'iproute2');
      await requireProgram('ethtool', 'ethtool');
      ctl = startController(0, [version]);
      port = (await ctl.c.listen()).port;
      for (const [name, dpid] of [
        ['vof0', DPID.vof0],
        ['vof1', DPID.vof1],
      ] as const) {
        await topo.bridge(name, {
          protocols: [proto],
          failMode: 'secure',
          datapathId: dpid.toString(16).padStart(16, '0'),
          controller: `tcp:127.0.0.1:${port}`,
          // Reconnect quickly after a controller restart.
          controllerMaxBackoffMs: 1000,
          controllerInactivityProbeMs: 5000,
        });
      }
      hosts.push(await topo.host('vof0', { name: 'h1', ip: '10.213.1.11/24', mac: '0a:d5:01:00:00:11' }));
      hosts.push(await topo.host('vof0', { name: 'h2', ip: '10.213.1.12/24', mac: '0a:d5:01:00:00:12' }));
      hosts.push(await topo.host('vof1', { name: 'h3', ip: '10.213.1.13/24', mac: '0a:d5:01:00:00:13' }));
      hosts.push(await topo.host('vof1', { name: 'h4', ip: '10.213.1.14/24', mac: '0a:d5:01:00:00:14' }));
      const l = await topo.link('vof0', 'vof1');
      linkPorts = { a: l.ofportA, b: l.ofportB };
      await until(
        () => ctl.c.datapath(DPID.vof0) !== undefined && ctl.c.datapath(DPID.vof1) !== undefined,
        15_000,
        'both bridges connected',
      );
    }, 120_000);

    afterAll(async () => {
      for (const s of servers) s.kill();
      await ctl?.c.close();
      await topo.destroy();
    });

    it('negotiates the configured version with both bridges', () => {
      expect(ctl.c.datapath(DPID.vof0)?.version).toBe(version);
      expect(ctl.c.datapath(DPID.vof1)?.version).toBe(version);
    });

    it('discovers the link between the bridges with LLDP', async () => {
      await until(() => ctl.c.links().length === 2, 10_000, 'both link directions');
      expect(ctl.c.links()).toEqual(
        expect.arrayContaining([
          { src: DPID.vof0, srcPort: linkPorts.a, dst: DPID.vof1, dstPort: linkPorts.b },
          { src: DPID.vof1, srcPort: linkPorts.b, dst: DPID.vof0, dstPort: linkPorts.a },
        ]),
      );
    });

    it('carries ping between every pair of hosts, across the two bridges, with only Vigil flows', async () => {
      for (const a of hosts) {
        for (const b of hosts) {
          if (a === b) continue;
          expect(await ping(a, b), `ping ${a.name} -> ${b.name}`).toBe(true);
        }
      }
      for (const br of ['vof0', 'vof1']) {
        const flows = await dumpFlows(br, proto);
        expect(flows).toContain(`cookie=0x${L2_COOKIE.toString(16)}`);
        expect(flows).toContain(`cookie=0x${CORE_COOKIE.toString(16)}`);
        // Every entry in the table is one of Vigil's.
        for (const line of flows.split('\n').filter((x) => x.includes('cookie=')))
          expect(line).toMatch(/cookie=0x5647/);
      }
    }, 120_000);

    it('carries TCP across the bridges', async () => {
      const [h1, , h3, h4] = hosts as [Host, Host, Host, Host];
      const srv = spawnIn(h3.ns, [process.execPath, '-e', TCP_SERVER, h3.ip], { stdio: 'ignore' });
      servers.push(srv);
      let answer = '';
      for (let i = 0; i < 20 && !answer; i++) {
        await new Promise((r) => setTimeout(r, 250));
        try {
          answer = (await runIn(h1.ns, [process.execPath, '-e', TCP_CLIENT, h3.ip], { timeoutMs: 10_000 }))
            .stdout;
        } catch {
          // server not listening yet
        }
      }
      expect(answer).toBe(`vigil ${h1.ip}\n`);
      const same = await runIn(h4.ns, [process.execPath, '-e', TCP_CLIENT, h3.ip], { timeoutMs: 10_000 });
      expect(same.stdout).toBe(`vigil ${h4.ip}\n`);
    }, 60_000);

    it('answers ARP for a virtual address from the controller', async () => {
      const h4 = hosts[3]!;
      await succeedsIn(h4.ns, ['ping', '-c', '1', '-W', '1', '10.213.1.100']);
      const neigh = await runIn(h4.ns, ['ip', 'neigh', 'show', '10.213.1.100']);
      expect(neigh.stdout).toContain('lladdr 0a:d5:01:00:00:64');
    }, 30_000);

    it('polls flow and port statistics per switch', async () => {
      await until(() => (ctl.c.stats.get(DPID.vof0)?.polls ?? 0) >= 2, 5000, 'two stats polls');
      const st = ctl.c.stats.get(DPID.vof0)!;
      expect(st.flows!.flows.some((f) => f.cookie === CORE_COOKIE && f.priority === 0)).toBe(true);
      const h1port = st.ports!.ports.find((p) => p.portNo === hosts[0]!.ofport);
      expect(h1port && h1port.rxPackets > 0n).toBe(true);
    });

    it('keeps serving the bridges while a garbage peer is dropped', async () => {
      const bad = connect({ port, host: '127.0.0.1' });
      bad.on('error', () => undefined);
      bad.resume();
      const closed = new Promise<void>((r) => bad.on('close', () => r()));
      bad.write(Buffer.alloc(64, 0xee));
      await closed;
      expect(ctl.lines.some((l) => String(l.reason).includes('does not start with an OpenFlow HELLO'))).toBe(
        true,
      );
      expect(await ping(hosts[1]!, hosts[2]!)).toBe(true);
    }, 30_000);

    it('lets learned flows idle out', async () => {
      await until(
        () => ctl.c.flowBook.accounts(DPID.vof0).some((a) => a.cookie === L2_COOKIE && a.removedIdle > 0),
        (IDLE_S + 6) * 1000,
        'an idle-timeout flow-removed from vof0',
      );
      for (let i = 0; i < 40; i++) {
        const flows = await dumpFlows('vof0', proto);
        if (!flows.includes(`cookie=0x${L2_COOKIE.toString(16)}`)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(await dumpFlows('vof0', proto)).not.toContain(`cookie=0x${L2_COOKIE.toString(16)}`);
    }, 30_000);

    it('recovers after the controller is killed and started again', async () => {
      await ctl.c.close();
      // fail_mode=secure: with the controller gone and the learned flows idled out, nothing gets through.
      await new Promise((r) => setTimeout(r, (IDLE_S + 2) * 1000));
      expect(await succeedsIn(hosts[0]!.ns, ['ping', '-c', '1', '-W', '1', hosts[2]!.ip])).toBe(false);
      ctl = startController(port, [version]);
      await ctl.c.listen();
      await until(
        () => ctl.c.datapath(DPID.vof0) !== undefined && ctl.c.datapath(DPID.vof1) !== undefined,
        15_000,
        'bridges reconnected',
      );
      expect(await ping(hosts[0]!, hosts[2]!)).toBe(true);
      expect(await ping(hosts[3]!, hosts[1]!)).toBe(true);
    }, 60_000);

    it('recovers after the `vigil controller` process is killed with SIGKILL and started again', async () => {
      await ctl.c.close();
      const env = { VIGIL_CONTROLLER_FLOW_IDLE_TIMEOUT_SECONDS: String(IDLE_S) };
      const first = spawnController(['--listen', `127.0.0.1:${port}`], env);
      try {
        await until(() => first.count('switch connected') === 2, 30_000, 'both bridges on the first process');
        expect(await ping(hosts[0]!, hosts[2]!)).toBe(true);
      } finally {
        first.child.kill('SIGKILL');
      }
      expect(await first.exited).toBe(null);
      await new Promise((r) => setTimeout(r, (IDLE_S + 2) * 1000));
      const blocked = await succeedsIn(hosts[0]!.ns, ['ping', '-c', '1', '-W', '1', hosts[2]!.ip]);
      expect(blocked).toBe(false);
      const second = spawnController(['--listen', `127.0.0.1:${port}`], env);
      try {
        await until(
          () => second.count('switch connected') === 2,
          30_000,
          'both bridges on the second process',
        );
        expect(await ping(hosts[0]!, hosts[2]!)).toBe(true);
        expect(await ping(hosts[3]!, hosts[1]!)).toBe(true);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    }, 90_000);
  });
}
