// `vigil lab up`: the paper's testbed on one machine. Two OVS bridges (two compute nodes) joined by a link,
// N QEMU VMs through libvirt alternating between them, client namespaces, then Vigil. Every part is written
// to the state file before it is created, so `lab down` removes it even when `up` stopped half-way.

import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DASHBOARD } from '../api/web-root.js';
import { ensureGuestImage } from './guest-image.js';
import { runIn } from './host/netns.js';
import { ensureLibvirtd, ensureOpenvswitch, run, waitFor } from './host/services.js';
import { installPackages, LAB_PACKAGES, missingPackages } from './debian-packages.js';
import { planLab, type LabOptions } from './lab-plan.js';
import { isRunning, spawnRecorded } from './lab-process.js';
import { emptyState, readState, writeState, type LabState } from './lab-state.js';
import { StepProgress } from './step-progress.js';
import { Topology } from './host/topology.js';
import { bootLabVm } from './lab-vm-boot.js';
import { labLoadBalancer, vigilConfig } from './vigil-config.js';

export interface LabUpOptions extends LabOptions {
  stateDir: string;
  guestCacheDir?: string;
  libvirtUri: string;
  /** sFlow: 1 in N packets sampled; counters polled every `sflowPolling` seconds. */
  sflowSampling: number;
  sflowPolling: number;
  algorithm: string;
  redisUrl?: string;
  /** Skip apt even when packages are missing (they are then reported). */
  install: boolean;
  /**
   * 'auto': start Vigil when this build has `vigil up`, else let the bridges switch on their own and send
   * traffic to the VM addresses; 'off': never start Vigil.
   */
  vigil: 'auto' | 'off';
  write: (line: string) => void;
}

export const LAB_UP_DEFAULTS = {
  prefix: 'vlab',
  subnet: '10.213.10',
  vms: 6,
  clients: 6,
  memoryMiB: 96,
  controllerPort: 16653,
  collectorPort: 16343,
  recorderPort: 16344,
  apiPort: 18080,
  sflowSampling: 16,
  sflowPolling: 5,
  algorithm: 'LEAST_LOAD',
  libvirtUri: 'qemu:///system',
} as const;

/** VMs booted at once: QEMU without KVM needs about a CPU each while the guest kernel starts. */
const BOOT_CONCURRENCY = 3;

/** Runs `fn` over `items`, at most `n` at a time; the first failure rejects once all started ones end. */
export async function inBatches<T>(
  items: readonly T[],
  n: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length && errors.length === 0) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  if (errors.length > 0) throw errors[0];
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const VIGIL_BIN = join(REPO_ROOT, 'bin', 'vigil.js');

/** Whether this build of Vigil has the `up` command (the lab then runs the whole system). */
export async function vigilUpAvailable(): Promise<boolean> {
  // An unknown command makes commander print the program's help, not the command's.
  const r = await run(process.execPath, [VIGIL_BIN, 'up', '--help'], { timeoutMs: 30_000 }).catch(
    () => undefined,
  );
  return r !== undefined && /^Usage: vigil up\b/m.test(r.stdout);
}

/** Command line that starts Vigil for this lab, with everything in its config file. */
export function vigilCommand(configFile: string): string[] {
  return [process.execPath, VIGIL_BIN, '--config', configFile, 'up'];
}

/**
 * Waits until Vigil's API answers on loopback, then for the lab's load balancer (loaded from the config
 * file). Resolves with whether the load balancer is there: a build without one answers 503 or lists none.
 */
async function waitForVigil(
  port: number,
  lbId: string,
  timeoutMs: number,
): Promise<{ balancer: boolean; detail: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let firstAnswer = 0;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/loadbalancers`, {
        signal: AbortSignal.timeout(2000),
      });
      firstAnswer ||= Date.now();
      last = `HTTP ${res.status}`;
      if (res.ok) {
        const body = (await res.json()) as { loadbalancers?: { id?: unknown }[] };
        if (body.loadbalancers?.some((lb) => lb.id === lbId)) return { balancer: true, detail: 'listed' };
        last = `load balancer ${lbId} not listed`;
      }
      // The API is up; give the balancer a few seconds to load, then carry on without it.
      if (Date.now() - firstAnswer > LB_GRACE_MS) return { balancer: false, detail: last };
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (firstAnswer) return { balancer: false, detail: last };
  throw new Error(`Vigil's API on 127.0.0.1:${port} did not answer within ${timeoutMs / 1000} s (${last})`);
}

const LB_GRACE_MS = 10_000;

/** Waits until Vigil's controller lists every given datapath (16 hex digits) as connected. */
async function waitForSwitches(port: number, datapathIds: string[], timeoutMs: number): Promise<void> {
  let seen: string[] = [];
  const connected = async (): Promise<boolean> => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/switches`, {
        signal: AbortSignal.timeout(2000),
      });
      if (!res.ok) return false;
      const body = (await res.json()) as { switches?: Array<{ datapath_id?: string }> };
      seen = (body.switches ?? []).map((s) => String(s.datapath_id));
      return datapathIds.every((d) => seen.includes(d));
    } catch {
      return false; // not answering yet
    }
  };
  await waitFor('bridges', connected, timeoutMs, 250).catch(() => {
    throw new Error(
      `the bridges did not connect to Vigil's controller within ${timeoutMs / 1000} s ` +
        `(connected: ${seen.join(', ') || 'none'}); see \`ovs-vsctl show\` and the Vigil log`,
    );
  });
}

export async function labUp(o: LabUpOptions): Promise<LabState> {
  const planned = planLab(o);
  if (!planned.ok) throw new Error(planned.error);
  if (process.getuid?.() !== 0) {
    throw new Error(
      'vigil lab up needs root: it creates OVS bridges, network namespaces and libvirt domains',
    );
  }
  const plan = planned.plan;
  const existing = await readState(o.stateDir);
  if (existing.ok) {
    throw new Error(
      `a lab is already recorded in ${o.stateDir} (prefix ${existing.state.prefix}): run \`vigil lab down\` first`,
    );
  }
  if (!existing.ok && existing.reason === 'invalid') {
    throw new Error(
      `the state file in ${o.stateDir} is unreadable (${existing.error}): remove it after checking nothing of the lab is left`,
    );
  }
  const withVigil = o.vigil === 'auto' && (await vigilUpAvailable());
  const p = new StepProgress(o.write, withVigil ? 9 : 8);

  await p.step('Debian packages', async () => {
    const missing = await missingPackages(LAB_PACKAGES);
    if (missing.length === 0) {
      p.note(`all ${LAB_PACKAGES.length} present`);
      return;
    }
    if (!o.install) throw new Error(`missing Debian packages: ${missing.join(' ')}`);
    await installPackages(missing, (m) => p.note(m));
  });
  await p.step('Open vSwitch (userspace datapath)', () => ensureOpenvswitch());
  await p.step('libvirtd', () => ensureLibvirtd());
  const image = await p.step('guest image (kernel + busybox initramfs, cached)', () =>
    ensureGuestImage({
      ...(o.guestCacheDir ? { cacheDir: o.guestCacheDir } : {}),
      onProgress: (m) => p.note(m),
    }),
  );

  const state = emptyState({
    prefix: plan.prefix,
    vip: plan.vip,
    target: withVigil ? 'vip' : 'direct',
    libvirtUri: o.libvirtUri,
    options: {
      vms: o.vms,
      clients: o.clients,
      memoryMiB: o.memoryMiB,
      controllerPort: o.controllerPort,
      collectorPort: o.collectorPort,
      recorderPort: o.recorderPort,
      apiPort: o.apiPort,
      algorithm: o.algorithm,
      ...(o.redisUrl ? { redisUrl: o.redisUrl } : {}),
    },
  });
  const save = () => writeState(o.stateDir, { ...state, steps: p.done });
  await save();

  try {
    const topo = new Topology(plan.prefix);
    await p.step(`bridges ${plan.bridges.map((b) => b.name).join(' + ')} joined by a link`, async () => {
      // sFlow to Vigil's collector and to the lab's own recorder (`lab traffic` reports from it).
      const sflowTargets = [`127.0.0.1:${o.recorderPort}`];
      if (withVigil) sflowTargets.unshift(`127.0.0.1:${o.collectorPort}`);
      for (const b of plan.bridges) {
        state.bridges.push(b.name);
        await save();
        await topo.bridge(b.name, {
          protocols: ['OpenFlow13'],
          datapathId: b.datapathId,
          // Without a controller, the bridges switch on their own so that traffic can reach the VMs.
          failMode: withVigil ? 'secure' : 'standalone',
          ...(withVigil
            ? { controller: `tcp:127.0.0.1:${o.controllerPort}`, controllerMaxBackoffMs: 1000 }
            : {}),
          sflow: { target: sflowTargets, sampling: o.sflowSampling, polling: o.sflowPolling },
        });
      }
      const [a, b] = plan.bridges;
      const portA = `${plan.prefix}-l0a`;
      const portB = `${plan.prefix}-l0b`;
      state.links.push({ portA, portB });
      await save();
      await topo.link(a.name, b.name);
      p.note(`sFlow 1:${o.sflowSampling} to ${sflowTargets.join(', ')}`);
    });

    await p.step(`${plan.vms.length} VMs (${o.memoryMiB} MiB each) through libvirt`, async () => {
      for (const vm of plan.vms) {
        state.domains.push({
          name: vm.name,
          ip: vm.ip,
          mac: vm.mac,
          bridge: vm.bridge,
          port: vm.name,
          consoleLog: join(o.stateDir, 'vms', `${vm.name}.console.log`),
        });
      }
      await save();
      const started = Date.now();
      await inBatches(state.domains, BOOT_CONCURRENCY, async (d) => {
        // libvirtd may have been restarted since the first check.
        await ensureLibvirtd();
        const vm = await bootLabVm(
          {
            name: d.name,
            kernel: image.kernel,
            initrd: image.initrd,
            ip: `${d.ip}/${plan.prefixLength}`,
            bridge: d.bridge,
            mac: d.mac,
            portName: d.port,
            consoleLog: d.consoleLog,
            memoryMiB: o.memoryMiB,
          },
          { uri: o.libvirtUri, readyTimeoutMs: 240_000, onRetry: (why) => p.note(why) },
        );
        d.uuid = vm.uuid;
        const ifindex = Number((await readFile(`/sys/class/net/${d.port}/ifindex`, 'utf8')).trim());
        if (Number.isInteger(ifindex)) d.ifindex = ifindex;
        p.note(
          `${d.name} ${d.ip} on ${d.bridge}: serving after ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      });
      await save();
    });

    await p.step(`${plan.clients.length} client namespaces`, async () => {
      for (const c of plan.clients) {
        state.clients.push({
          name: c.name,
          ns: c.ns,
          ip: c.ip,
          mac: c.mac,
          bridge: c.bridge,
          port: `${plan.prefix}-${c.name}`,
        });
        await save();
        await topo.host(c.bridge, { name: c.name, ip: `${c.ip}/${plan.prefixLength}`, mac: c.mac });
      }
    });

    if (withVigil) {
      await p.step(
        'Vigil (controller, collector, monitor, API, dashboard) with the VIP and its pool',
        async () => {
          const configFile = join(o.stateDir, 'vigil.json');
          const config = vigilConfig(state, randomBytes(24).toString('base64url'));
          await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
          const proc = await spawnRecorded('vigil', vigilCommand(configFile), join(o.stateDir, 'vigil.log'));
          state.processes.push(proc);
          await save();
          const lbId = labLoadBalancer(state).id;
          const vigil = await waitForVigil(o.apiPort, lbId, 60_000).catch(async (err: Error) => {
            if (!(await isRunning(proc))) throw new Error(`Vigil exited; see ${proc.log}`);
            throw err;
          });
          state.dashboardUrl = `http://127.0.0.1:${o.apiPort}/`;
          const page = await fetch(state.dashboardUrl, { signal: AbortSignal.timeout(5000) }).catch(
            () => undefined,
          );
          await page?.body?.cancel();
          if (page?.status === 503) p.note(`the dashboard is not built: ${BUILD_DASHBOARD}`);
          // Open vSwitch retries a refused controller connection with a growing delay (up to 1 s here):
          // ask the bridges to reconnect now, and go on only when Vigil sees both of them.
          for (const b of plan.bridges) {
            await run('ovs-appctl', ['-t', 'ovs-vswitchd', 'bridge/reconnect', b.name]).catch(
              () => undefined,
            );
          }
          await waitForSwitches(
            o.apiPort,
            plan.bridges.map((b) => b.datapathId.toLowerCase()),
            30_000,
          );
          if (vigil.balancer) {
            p.note(`VIP ${state.vip}:80 -> pool of ${state.domains.length} VMs, ${o.algorithm}`);
          } else {
            // Vigil switches and measures, but this build balances nothing: clients go to VM addresses.
            state.target = 'direct';
            p.note(
              `Vigil's load balancer is not available (${vigil.detail}): traffic goes to the VM addresses`,
            );
          }
          await save();
        },
      );
    }

    await p.step('reachability check from every client', async () => {
      const targets = state.domains.map((d) => d.ip);
      for (const c of state.clients) {
        for (const ip of targets) {
          // A few tries: the first packets of a new path are learnt by the controller on the way.
          const ping = ['ping', '-c', '1', '-i', '0.5', '-w', '8', ip];
          await runIn(c.ns, ping, { timeoutMs: 15_000 }).catch((err: Error) => {
            throw new Error(`client ${c.ns} cannot reach VM ${ip}: ${err.message}`);
          });
        }
      }
      p.note(`${state.clients.length} clients reach ${targets.length} VMs`);
    });

    await save();
    if (state.dashboardUrl) o.write(`dashboard: ${state.dashboardUrl}`);
    else {
      o.write(
        'Vigil was not started (this build has no `vigil up`): the bridges switch on their own and ' +
          '`vigil lab traffic` sends to the VM addresses',
      );
    }
    o.write(`lab ${plan.prefix} is up; state in ${o.stateDir}`);
  } catch (err) {
    await save().catch(() => {});
    const e = err as Error;
    e.message += `\nthe parts created so far are recorded in ${o.stateDir}: \`vigil lab down --state-dir ${o.stateDir}\` removes them`;
    throw e;
  }
  return state;
}
