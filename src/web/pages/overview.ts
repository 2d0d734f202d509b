// The paper's "latest platform load": every compute host and VM with live CPU, memory and network,
// and a chart of every VM's CPU over the last minutes, growing as samples stream in.

import { h } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useSignal } from '@preact/signals';
import { summariseHosts } from '../../api/host-summary.js';
import type { ComputeHost, Vm } from '../api.js';
import { getSeries } from '../api.js';
import { Chart, PALETTE, align } from '../chart.js';
import { ago, bytes, hostLabel, percent, rate } from '../format.js';
import { onEvent, vms } from '../live.js';
import { href } from '../router.js';
import { Bar, Badge, Empty } from '../widgets.js';

const NUMERIC = new Set(['CPU', 'Memory', 'Net in', 'Net out', 'Sample']);
const WINDOW_S = 600;
const MAX_POINTS = 600;

type Points = Map<string, Array<[number, number]>>;

/** CPU history of every VM: loaded once, then extended by each sample event. */
function useCpuHistory(): Points {
  const [points, setPoints] = useState<Points>(new Map());
  useEffect(() => {
    let alive = true;
    const pending: Points = new Map();
    const add = (uuid: string, t: number, v: number, into: Points) => {
      const arr = into.get(uuid) ?? [];
      if (arr.length === 0 || arr[arr.length - 1]![0] < t) arr.push([t, v]);
      if (arr.length > MAX_POINTS) arr.splice(0, arr.length - MAX_POINTS);
      into.set(uuid, arr);
    };
    const off = onEvent('sample', (d) => {
      const s = d as Vm;
      const v = s.metrics['cpu.percent'];
      if (v === undefined) return;
      setPoints((prev) => {
        const next = new Map(prev);
        next.set(s.uuid, [...(prev.get(s.uuid) ?? [])]);
        add(s.uuid, s.time, v, next);
        return next;
      });
    });
    void (async () => {
      for (const vm of vms.value.values()) {
        try {
          const series = await getSeries(vm.uuid, ['cpu.percent'], WINDOW_S);
          for (const [t, v] of series['cpu.percent'] ?? []) add(vm.uuid, t, v, pending);
        } catch {
          // A VM that vanished in between: nothing to chart.
        }
      }
      if (!alive) return;
      setPoints((prev) => {
        const next = new Map(pending);
        for (const [k, arr] of prev) for (const [t, v] of arr) add(k, t, v, next);
        return next;
      });
    })();
    return () => {
      alive = false;
      off();
    };
  }, []);
  return points;
}

function projectOf(vm: Vm): string {
  return vm.nova?.project?.name ?? vm.nova?.project?.uuid ?? '';
}

function HostCard({ host }: { host: ComputeHost }) {
  return h(
    'section',
    { class: 'card host', 'data-host': host.name },
    h(
      'header',
      null,
      h('h3', { title: host.name }, hostLabel(host.name)),
      h('span', { class: 'muted' }, `${host.vms} VM${host.vms === 1 ? '' : 's'} · ${host.vcpus} vCPU`),
      host.stale > 0 ? h(Badge, { tone: 'warn' }, `${host.stale} stale`) : null,
    ),
    h(
      'dl',
      { class: 'figures' },
      h(
        'div',
        null,
        h('dt', null, 'CPU'),
        h('dd', null, percent(host.cpu_percent)),
        h(Bar, { value: host.cpu_percent ?? 0, max: 100 }),
      ),
      h('div', null, h('dt', null, 'Memory used'), h('dd', null, bytes(host.memory_used_bytes))),
      h('div', null, h('dt', null, 'Network in'), h('dd', null, rate(host.net_rx_bytes_per_s))),
      h('div', null, h('dt', null, 'Network out'), h('dd', null, rate(host.net_tx_bytes_per_s))),
    ),
  );
}

function VmRow({ vm }: { vm: Vm }) {
  const m = vm.metrics;
  const memPct = m['memory.used_percent'];
  return h(
    'tr',
    { 'data-vm': vm.uuid, class: vm.stale ? 'stale' : '' },
    h(
      'td',
      null,
      h('a', { href: href.vm(vm.uuid) }, vm.name),
      vm.stale
        ? h(Badge, { tone: 'warn', title: `no sample for ${Math.round(vm.staleSeconds ?? 0)} s` }, 'stale')
        : null,
    ),
    h('td', { title: vm.host }, hostLabel(vm.host)),
    h('td', null, projectOf(vm) || h('span', { class: 'muted' }, '—')),
    h('td', null, h(Badge, { tone: vm.state === 'running' ? 'ok' : 'muted' }, vm.state ?? 'unknown')),
    h(
      'td',
      { class: 'num' },
      h(
        'div',
        { class: 'cell-bar' },
        h('span', { 'data-field': 'cpu' }, percent(m['cpu.percent'])),
        h(Bar, { value: m['cpu.percent'] ?? 0, max: 100 }),
      ),
    ),
    h(
      'td',
      { class: 'num' },
      h(
        'div',
        { class: 'cell-bar' },
        h('span', null, bytes(m['memory.used_bytes'] ?? m['memory.rss_bytes'])),
        memPct !== undefined ? h(Bar, { value: memPct, max: 100 }) : null,
      ),
    ),
    h('td', { class: 'num' }, rate(m['net.rx_bytes_per_s'])),
    h('td', { class: 'num' }, rate(m['net.tx_bytes_per_s'])),
    h('td', { class: 'num muted' }, ago(vm.time)),
  );
}

export function Overview() {
  if (vms.value.size === 0)
    return h(
      Empty,
      null,
      'No VM samples yet. Vigil shows VMs as soon as the monitor has polled a libvirt host.',
    );
  return h(OverviewBody, null);
}

function OverviewBody() {
  const filter = useSignal('');
  const list = [...vms.value.values()].sort((a, b) => a.name.localeCompare(b.name));
  const q = filter.value.trim().toLowerCase();
  const shown = q
    ? list.filter((v) => `${v.name} ${v.host} ${projectOf(v)} ${v.uuid}`.toLowerCase().includes(q))
    : list;
  const history = useCpuHistory();
  const chartVms = list.slice(0, PALETTE.length);
  const data = useMemo(
    () => align(chartVms.map((v) => history.get(v.uuid) ?? [])),
    [history, chartVms.map((v) => v.uuid).join()],
  );

  return h(
    'div',
    { class: 'page overview' },
    h('h2', null, 'Platform load'),
    h(
      'div',
      { class: 'grid hosts' },
      summariseHosts(list).map((host) => h(HostCard, { key: host.name, host })),
    ),
    h(
      'section',
      { class: 'card' },
      h(Chart, {
        title: 'CPU by VM (last 10 min)',
        series: chartVms.map((v, i) => ({
          label: v.name,
          color: PALETTE[i % PALETTE.length]!,
          format: (x: number) => `${x.toFixed(0)} %`,
        })),
        data,
        yMax: 100,
      }),
    ),
    h(
      'section',
      { class: 'card' },
      h(
        'header',
        null,
        h('h3', null, 'Virtual machines'),
        h('input', {
          type: 'search',
          placeholder: 'Filter by name, host, project…',
          value: filter.value,
          onInput: (e: Event) => (filter.value = (e.target as HTMLInputElement).value),
          'aria-label': 'Filter VMs',
        }),
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'vms' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['VM', 'Host', 'Project', 'State', 'CPU', 'Memory', 'Net in', 'Net out', 'Sample'].map((t) =>
                h('th', { key: t, class: NUMERIC.has(t) ? 'num' : undefined }, t),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            shown.map((vm) => h(VmRow, { key: vm.uuid, vm })),
          ),
        ),
      ),
    ),
  );
}
