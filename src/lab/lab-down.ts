// `vigil lab down`: removes exactly what the state file records (processes, domains, namespaces, ports,
// bridges), and then the state file itself. Parts already gone are fine; nothing outside the record is
// touched.

import { destroyVm } from './vm.js';
import { deleteNamespace } from './host/netns.js';
import { run, succeeds } from './host/services.js';
import { stopRecorded } from './lab-process.js';
import { readState, removeState, type LabState } from './lab-state.js';

export interface LabDownResult {
  removed: string[];
  failed: string[];
}

export async function labDown(stateDir: string, write: (line: string) => void): Promise<LabDownResult> {
  const read = await readState(stateDir);
  if (!read.ok) {
    if (read.reason === 'absent') {
      write(`no lab recorded in ${stateDir}: nothing to remove`);
      return { removed: [], failed: [] };
    }
    throw new Error(`the state file in ${stateDir} is unreadable (${read.error}); nothing was removed`);
  }
  const result = await tearDown(read.state, write);
  if (result.failed.length === 0) await removeState(stateDir);
  return result;
}

export async function tearDown(s: LabState, write: (line: string) => void): Promise<LabDownResult> {
  const removed: string[] = [];
  const failed: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
      removed.push(what);
      write(`removed ${what}`);
    } catch (err) {
      failed.push(`${what}: ${(err as Error).message}`);
      write(`could not remove ${what}: ${(err as Error).message}`);
    }
  };

  for (const p of s.processes) {
    await attempt(`process ${p.role} (pid ${p.pid})`, async () => {
      const r = await stopRecorded(p);
      if (r === 'not-running') write(`process ${p.role} (pid ${p.pid}) had already exited`);
    });
  }
  for (const d of s.domains) {
    await attempt(`domain ${d.name}`, () => destroyVm(d.name, { uri: s.libvirtUri }));
  }
  for (const c of s.clients) {
    await attempt(`namespace ${c.ns}`, async () => {
      await deleteNamespace(c.ns);
      await succeeds('ip', ['link', 'del', c.port]);
    });
  }
  for (const l of s.links) {
    await attempt(`link ${l.portA}-${l.portB}`, () => succeeds('ip', ['link', 'del', l.portA]));
  }
  for (const b of s.bridges) {
    await attempt(`bridge ${b}`, () => run('ovs-vsctl', ['--if-exists', 'del-br', b]));
  }
  return { removed, failed };
}
