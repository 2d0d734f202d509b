// A small network of OVS bridges (the compute nodes' virtual switches) and test hosts in network
// namespaces joined to them by veth pairs. Everything created is recorded and removed by destroy(), in
// reverse order, so a test or the lab leaves nothing behind. Before it creates anything, a topology
// installs and checks the host's blackhole route for the lab's range, where every host's address must be.

import { ensureLabRoute, inLabRange, LAB_RANGE } from './lab-range.js';
import { deleteNamespace, runIn } from './netns.js';
import { run, succeeds } from './services.js';

export interface BridgeOptions {
  /** OpenFlow versions, e.g. ['OpenFlow13'] or ['OpenFlow10', 'OpenFlow13']. */
  protocols?: string[];
  /** Controller target, e.g. 'tcp:127.0.0.1:6653'. */
  controller?: string;
  /**
   * Longest wait between two connection attempts to the controller (OVS's default backs off up to 8 s):
   * a short one makes a bridge reconnect quickly to a restarted controller.
   */
  controllerMaxBackoffMs?: number;
  /** Idle time after which OVS probes the controller connection. */
  controllerInactivityProbeMs?: number;
  /** 'secure' keeps OVS from switching on its own when the controller is away. */
  failMode?: 'secure' | 'standalone';
  /** 16 hex digits. */
  datapathId?: string;
  /** sFlow agent settings for this bridge: one collector ('127.0.0.1:6343') or several. */
  sflow?: {
    target: string | readonly string[];
    sampling?: number;
    polling?: number;
    header?: number;
    agent?: string;
  };
}

export interface HostOptions {
  /** Short name, unique within the topology; the namespace is `${prefix}-${name}`. */
  name: string;
  /** Address with prefix length, in 10.213.0.0/16, e.g. '10.213.1.11/24'. */
  ip: string;
  /** MAC of the host's interface (random when absent). */
  mac?: string;
}

export interface Host {
  name: string;
  /** Network namespace. */
  ns: string;
  /** Address without prefix length. */
  ip: string;
  mac: string;
  bridge: string;
  /** OVS port name (the veth end on the host side). */
  port: string;
  /** OpenFlow port number OVS gave the port. */
  ofport: number;
}

export interface Link {
  portA: string;
  portB: string;
  ofportA: number;
  ofportB: number;
}

const IFNAMSIZ = 15;

export class Topology {
  private readonly undo: Array<() => Promise<unknown>> = [];
  private readonly hosts = new Map<string, Host>();
  private linkCount = 0;
  private routed: Promise<void> | undefined;

  /** `prefix` starts every bridge, namespace and interface name this topology creates. */
  constructor(readonly prefix: string) {
    if (!/^[a-z][a-z0-9]{1,7}$/.test(prefix))
      throw new Error(`bad topology prefix ${JSON.stringify(prefix)}`);
  }

  private name(suffix: string): string {
    const n = `${this.prefix}${suffix}`;
    if (n.length > IFNAMSIZ) throw new Error(`interface name ${n} is longer than ${IFNAMSIZ} characters`);
    return n;
  }

  /** The host's blackhole route for the lab's range, installed and checked once per topology. */
  private guardRange(): Promise<void> {
    this.routed ??= ensureLabRoute();
    return this.routed;
  }

  async bridge(name: string, opts: BridgeOptions = {}): Promise<void> {
    if (!name.startsWith(this.prefix)) throw new Error(`bridge ${name} does not start with ${this.prefix}`);
    await this.guardRange();
    await run('ovs-vsctl', ['--if-exists', 'del-br', name]);
    const args = ['add-br', name, '--', 'set', 'bridge', name, 'datapath_type=netdev'];
    if (opts.protocols) args.push(`protocols=${opts.protocols.join(',')}`);
    if (opts.failMode) args.push(`fail_mode=${opts.failMode}`);
    if (opts.datapathId) args.push(`other-config:datapath-id=${opts.datapathId}`);
    await run('ovs-vsctl', args);
    this.undo.push(() => run('ovs-vsctl', ['--if-exists', 'del-br', name]));
    if (opts.controller) {
      await run('ovs-vsctl', ['set-controller', name, opts.controller]);
      const tuning: string[] = [];
      if (opts.controllerMaxBackoffMs !== undefined)
        tuning.push(`max_backoff=${opts.controllerMaxBackoffMs}`);
      if (opts.controllerInactivityProbeMs !== undefined)
        tuning.push(`inactivity_probe=${opts.controllerInactivityProbeMs}`);
      if (tuning.length > 0) await run('ovs-vsctl', ['set', 'controller', name, ...tuning]);
    }
    if (opts.sflow) await this.sflow(name, opts.sflow);
    await run('ip', ['link', 'set', name, 'up']);
  }

  async sflow(bridge: string, s: NonNullable<BridgeOptions['sflow']>): Promise<void> {
    const targets =
      typeof s.target === 'string'
        ? `"${s.target}"`
        : `[${s.target.map((t) => JSON.stringify(t)).join(',')}]`;
    await run('ovs-vsctl', [
      '--',
      '--id=@s',
      'create',
      'sFlow',
      `agent=${s.agent ?? 'lo'}`,
      `target=${targets}`,
      `header=${s.header ?? 128}`,
      `sampling=${s.sampling ?? 64}`,
      `polling=${s.polling ?? 10}`,
      '--',
      'set',
      'bridge',
      bridge,
      'sflow=@s',
    ]);
  }

  async host(bridge: string, opts: HostOptions): Promise<Host> {
    const ns = `${this.prefix}-${opts.name}`;
    const port = this.name(`-${opts.name}`);
    const [ip] = opts.ip.split('/');
    if (!ip || !opts.ip.includes('/')) throw new Error(`host ${opts.name}: ip must be CIDR, got ${opts.ip}`);
    if (!inLabRange(ip)) throw new Error(`host ${opts.name}: ${ip} is outside the lab's range ${LAB_RANGE}`);
    await this.guardRange();
    await deleteNamespace(ns);
    await succeeds('ip', ['link', 'del', port]);
    await run('ip', ['netns', 'add', ns]);
    this.undo.push(() => deleteNamespace(ns));
    await run('ip', ['link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    this.undo.push(() => succeeds('ip', ['link', 'del', port]));
    const inNs = (...argv: string[]) => runIn(ns, argv);
    if (opts.mac) await inNs('ip', 'link', 'set', 'eth0', 'address', opts.mac);
    await inNs('ip', 'addr', 'add', opts.ip, 'dev', 'eth0');
    await inNs('ip', 'link', 'set', 'eth0', 'up');
    await inNs('ip', 'link', 'set', 'lo', 'up');
    // Checksums would be left to an offload that the userspace datapath never performs: TCP would hang.
    await inNs('ethtool', '-K', 'eth0', 'tx', 'off');
    await run('ip', ['link', 'set', port, 'up']);
    await run('ovs-vsctl', ['add-port', bridge, port]);
    const mac = (await inNs('cat', '/sys/class/net/eth0/address')).stdout.trim();
    const host: Host = { name: opts.name, ns, ip, mac, bridge, port, ofport: await this.ofport(port) };
    this.hosts.set(opts.name, host);
    return host;
  }

  /** Joins two bridges with a veth pair (a cable between two compute nodes). */
  async link(bridgeA: string, bridgeB: string): Promise<Link> {
    await this.guardRange();
    const n = this.linkCount++;
    const portA = this.name(`-l${n}a`);
    const portB = this.name(`-l${n}b`);
    await succeeds('ip', ['link', 'del', portA]);
    await run('ip', ['link', 'add', portA, 'type', 'veth', 'peer', 'name', portB]);
    this.undo.push(() => succeeds('ip', ['link', 'del', portA]));
    for (const p of [portA, portB]) {
      await run('ip', ['link', 'set', p, 'up']);
      await run('ethtool', ['-K', p, 'tx', 'off']);
    }
    await run('ovs-vsctl', ['add-port', bridgeA, portA]);
    await run('ovs-vsctl', ['add-port', bridgeB, portB]);
    return { portA, portB, ofportA: await this.ofport(portA), ofportB: await this.ofport(portB) };
  }

  /** OpenFlow port number of an OVS port (waits for OVS to assign it). */
  async ofport(port: string): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const out = (await run('ovs-vsctl', ['get', 'Interface', port, 'ofport'])).stdout.trim();
      const n = Number(out);
      if (Number.isInteger(n) && n > 0) return n;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`OVS gave port ${port} no OpenFlow port number`);
  }

  getHost(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name} in topology ${this.prefix}`);
    return h;
  }

  /** Removes everything this topology created, newest first; never throws. */
  async destroy(): Promise<void> {
    while (this.undo.length > 0) {
      const step = this.undo.pop()!;
      try {
        await step();
      } catch {
        // keep removing the rest
      }
    }
    this.hosts.clear();
  }
}
