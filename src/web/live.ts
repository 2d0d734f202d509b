// Live state: the latest sample of every VM, kept current by the event stream; other pages subscribe
// to the event names they care about. EventSource reconnects by itself; on each (re)connect the full
// VM list is fetched again so nothing missed while disconnected stays wrong.

import { signal } from '@preact/signals';
import { withStaleness } from '../store/sample-staleness.js';
import { getJson, type Vm } from './api.js';

export const vms = signal<ReadonlyMap<string, Vm>>(new Map());
export const connected = signal(false);
export const lastEventAt = signal<number | null>(null);
export const loadError = signal<string | null>(null);

type Listener = (data: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

/** Calls `fn` for every event of that name; returns the unsubscribe function. */
export function onEvent(name: string, fn: Listener): () => void {
  let set = listeners.get(name);
  if (!set) listeners.set(name, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

function emit(name: string, data: unknown): void {
  lastEventAt.value = Date.now();
  for (const fn of listeners.get(name) ?? []) fn(data);
}

async function refresh(): Promise<void> {
  try {
    const r = await getJson<{ vms: Vm[] }>('/vms');
    vms.value = new Map(r.vms.map((v) => [v.uuid, v]));
    loadError.value = null;
  } catch (e) {
    loadError.value = (e as Error).message;
  }
}

const EVENTS = ['sample', 'placement', 'member_health', 'switch_up', 'switch_down', 'lb_config'];

let source: EventSource | undefined;

export function startLive(): void {
  if (source) return;
  void refresh();
  source = new EventSource('api/v1/events');
  source.onopen = () => {
    connected.value = true;
    void refresh();
  };
  source.onerror = () => {
    connected.value = false;
  };
  source.addEventListener('sample', (e) => {
    const v = JSON.parse((e as MessageEvent<string>).data) as Vm;
    const next = new Map(vms.value);
    next.set(v.uuid, withStaleness(v, Date.now()));
    vms.value = next;
    emit('sample', v);
  });
  for (const name of EVENTS.slice(1)) {
    source.addEventListener(name, (e) => emit(name, JSON.parse((e as MessageEvent<string>).data)));
  }
  // Samples that stop arriving turn stale on the page too, by the same rule as in the API.
  setInterval(() => {
    const now = Date.now();
    let changed = false;
    const next = new Map(vms.value);
    for (const [k, v] of next) {
      const w = withStaleness(v, now);
      if (w !== v) {
        next.set(k, w);
        changed = true;
      }
    }
    if (changed) vms.value = next;
  }, 5000);
}
