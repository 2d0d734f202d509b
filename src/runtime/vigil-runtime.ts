// Everything in one process (`vigil up`): the store, the OpenFlow controller with its apps, the sFlow
// collector, the VM monitor and the operator surfaces, wired together. The parts meet in the store only,
// as they do when they run as separate processes sharing Redis:
//
//   monitor --samples (+ the VM's sFlow traffic read from the store)--> store --pub/sub--> API / balancer
//   monitor --each host's domain inventory--> store --> sFlow enricher (joins traffic to VMs)
//   collector --> sFlow enricher --per-VM traffic, per-MAC rates, top flows--> store --> monitor / API
//   controller --switch up/down--> store events
//
// Each part is started in dependency order and stopped in reverse; a part that fails to start stops
// the ones already running and reports which part and why.

import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createApiServer, type ApiServer } from '../api/server.js';
import type { Internals } from '../api/providers.js';
import { ArpResponderApp } from '../apps/arp-responder.js';
import { L2LearningApp } from '../apps/l2-learning.js';
import { LoadBalancerApp } from '../apps/load-balancer/lb-app.js';
import { LoadBalancerService } from '../apps/load-balancer/lb-service.js';
import type { Config } from '../config/schema.js';
import { parseEndpoint } from '../config/endpoint.js';
import { Controller } from '../controller/controller.js';
import { SESSION_DEFAULTS } from '../controller/switch-session.js';
import type { Logger } from '../log/logger.js';
import { startMonitorToStore } from '../monitor/monitor-to-store.js';
import type { VmMonitor } from '../monitor/vm-monitor.js';
import { SflowCollector } from '../sflow/collector.js';
import { VmTrafficEnricher } from '../sflow/vm-traffic-enricher.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { ControllerEventsApp } from '../apps/controller-events.js';
import { ControllerSwitchView } from '../api/switch-view.js';
import { StoreTrafficView } from '../api/traffic-view.js';

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  version: string;
  /** Directory of the built dashboard (default: web-dist/ beside the package). */
  webRoot?: string;
}

export interface RuntimeAddresses {
  controller: AddressInfo;
  collector: { address: string; port: number };
  api: { host: string; port: number };
}

export class VigilRuntime {
  private readonly stops: Array<{ name: string; stop: () => Promise<void> | void }> = [];
  store!: Store;
  controller!: Controller;
  collector!: SflowCollector;
  balancer!: LoadBalancerApp;
  monitor: VmMonitor | undefined;
  enricher!: VmTrafficEnricher;
  api!: ApiServer;
  addresses!: RuntimeAddresses;

  private constructor(private readonly opts: RuntimeOptions) {}

  static async start(opts: RuntimeOptions): Promise<VigilRuntime> {
    const rt = new VigilRuntime(opts);
    try {
      await rt.startParts();
    } catch (err) {
      await rt.stop();
      throw err;
    }
    return rt;
  }

  private get log(): Logger {
    return this.opts.logger;
  }

  private async startParts(): Promise<void> {
    const { config } = this.opts;
    const log = this.log;

    this.store = await openStore(config.store, log);
    this.stops.push({ name: 'store', stop: () => this.store.close() });

    const c = config.controller;
    const listen = parseEndpoint(c.listen);
    this.controller = new Controller(
      {
        host: listen.host,
        port: listen.port,
        statsIntervalMs: Math.round(c.statsIntervalSeconds * 1000),
        discoveryIntervalMs: Math.round(c.discoveryIntervalSeconds * 1000),
        session: {
          ...SESSION_DEFAULTS,
          echoIntervalMs: Math.round(c.echoIntervalSeconds * 1000),
          echoTimeoutMs: Math.round(c.echoTimeoutSeconds * 1000),
          maxMessageBytes: c.maxMessageBytes,
        },
      },
      log.child({ component: 'controller' }),
    );
    // The load balancer answers ARP for its VIPs itself (a MAC per VIP), ahead of L2 learning.
    this.balancer = new LoadBalancerApp({
      settings: config.balancer,
      store: this.store,
      log: log.child({ component: 'balancer' }),
    });
    // The objects, affinity entries and newest samples come back from the store before any switch
    // connects; the config file's load balancers are created there on the first start.
    const balancerService = new LoadBalancerService(
      this.balancer,
      this.store,
      log.child({ component: 'balancer' }),
    );
    await balancerService.start(config.loadBalancers);
    this.controller.use(new ControllerEventsApp(this.store, log));
    this.controller.use(new ArpResponderApp([]));
    this.controller.use(this.balancer);
    this.controller.use(new L2LearningApp({ idleTimeoutSeconds: c.flowIdleTimeoutSeconds }));
    const controllerAddress = await this.controller.listen();
    this.stops.push({
      name: 'controller',
      stop: async () => {
        await this.controller.close();
        await this.balancer.flush();
      },
    });

    const s = config.collector;
    const sflowListen = parseEndpoint(s.listen);
    this.collector = new SflowCollector({
      host: sflowListen.host,
      port: sflowListen.port,
      allowAgents: s.agents,
      windowMs: Math.round(s.windowSeconds * 1000),
      maxDatagramBytes: s.maxDatagramBytes,
      logger: log.child({ component: 'collector' }),
    });
    const collectorAddress = await this.collector.start();
    this.stops.push({ name: 'collector', stop: () => this.collector.stop() });
    this.enricher = new VmTrafficEnricher({
      ingest: this.collector.ingest,
      store: this.store,
      collector: `${hostname()}:${collectorAddress.port}`,
      log: log.child({ component: 'sflow-enricher' }),
    });
    this.enricher.start();
    this.stops.push({ name: 'sFlow enricher', stop: () => this.enricher.stop() });

    const m = config.monitor;
    if (m.libvirt.length > 0) {
      const monitoring = startMonitorToStore({
        store: this.store,
        log: log.child({ component: 'monitor' }),
        hosts: m.libvirt,
        intervalMs: Math.round(m.intervalSeconds * 1000),
        callTimeoutMs: Math.round(m.callTimeoutSeconds * 1000),
        inventoryTtlMs: config.store.sampleTtlSeconds * 1000,
        onRemove: (vm) => this.balancer.vmLeft(vm.uuid, vm.reason, vm.host),
      });
      this.monitor = monitoring.monitor;
      this.stops.push({ name: 'monitor', stop: () => monitoring.stop() });
    } else {
      log.warn('no libvirt host configured (monitor.libvirt / --libvirt): VM metrics are off');
    }

    const a = config.api;
    const apiListen = parseEndpoint(a.listen);
    this.api = await createApiServer(
      {
        store: this.store,
        switches: new ControllerSwitchView(this.controller),
        traffic: new StoreTrafficView(this.store, s.windowSeconds, log.child({ component: 'api' })),
        balancer: balancerService,
        internals: { internals: () => this.internals() },
      },
      {
        token: a.token,
        readOnly: a.readOnly,
        readsNeedToken: a.readsNeedToken,
        logger: log.child({ component: 'api' }),
        version: this.opts.version,
        ...(this.opts.webRoot ? { webRoot: this.opts.webRoot } : {}),
      },
    );
    await this.api.app.listen(apiListen);
    this.stops.push({ name: 'api', stop: () => this.api.app.close() });
    const apiAddr = this.api.app.server.address() as AddressInfo;

    this.addresses = {
      controller: controllerAddress,
      collector: collectorAddress,
      api: { host: apiAddr.address, port: apiAddr.port },
    };
  }

  internals(): Internals {
    return {
      controller: this.controller.internals(),
      collector: this.collector.internals(),
      ...(this.monitor
        ? {
            monitor: {
              hosts: this.monitor.status().map((h) => ({
                host: h.label,
                polls: h.polls,
                errors: h.pollErrors,
                durationSecondsTotal: h.pollMsTotal / 1000,
                ...(h.lastPollMs !== undefined ? { lastDurationSeconds: h.lastPollMs / 1000 } : {}),
                connected: h.connected,
              })),
            },
          }
        : {}),
    };
  }

  /** Stops every part that was started, newest first; never throws. */
  async stop(): Promise<void> {
    while (this.stops.length > 0) {
      const part = this.stops.pop()!;
      try {
        await part.stop();
      } catch (err) {
        this.log.warn({ part: part.name, err: (err as Error).message }, 'stopping a part failed');
      }
    }
  }
}
