// One VM: its inventory and its metrics over a chosen window, loaded from the API and then extended
// live by its samples.

import { h, type ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { getSeries, type Series, type Vm } from '../api.js';
import { Chart, align } from '../chart.js';
import { ago, bytes, hostLabel, percent, rate } from '../format.js';
import { onEvent, vms } from '../live.js';
import { href } from '../router.js';
import { Badge, Empty, Problem } from '../widgets.js';

const WINDOWS: Array<[string, number]> = [
  ['5 min', 300],
  ['15 min', 900],
  ['1 h', 3600],
  ['6 h', 21_600],
];

const CHARTS: Array<{
  title: string;
  metrics: Array<[string, string, string]>;
  format: (v: number) => string;
  yMax?: number;
}> = [
  {
    title: 'CPU',
    metrics: [['cpu.percent', 'CPU', '#4e79a7']],
    format: (v) => `${v.toFixed(0)} %`,
    yMax: 100,
  },
  {
    title: 'Memory',
    metrics: [
      ['memory.used_bytes', 'used', '#59a14f'],
      ['memory.rss_bytes', 'QEMU RSS', '#b07aa1'],
    ],
    format: bytes,
  },
  {
    title: 'Network',
    metrics: [
      ['net.rx_bytes_per_s', 'in', '#f28e2b'],
      ['net.tx_bytes_per_s', 'out', '#4e79a7'],
    ],
    format: (v) => rate(v),
  },
  {
    title: 'Disk',
    metrics: [
      ['disk.read_bytes_per_s', 'read', '#76b7b2'],
      ['disk.write_bytes_per_s', 'write', '#e15759'],
    ],
    format: (v) => rate(v),
  },
];
const ALL_METRICS = CHARTS.flatMap((c) => c.metrics.map((m) => m[0]));

export function VmPage({ uuid }: { uuid: string }) {
  const vm = vms.value.get(uuid);
  const [windowS, setWindowS] = useState(900);
  const [series, setSeries] = useState<Series>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    setError(null);
    getSeries(uuid, ALL_METRICS, windowS).then(
      (s) => alive && setSeries(s),
      (e: Error) => alive && setError(e.message),
    );
    const off = onEvent('sample', (d) => {
      const s = d as Vm;
      if (s.uuid !== uuid) return;
      setSeries((prev) => {
        const next: Series = {};
        const from = s.time - windowS * 1000;
        for (const m of ALL_METRICS) {
          const pts = (prev[m] ?? []).filter((p) => p[0] >= from);
          const v = s.metrics[m];
          if (v !== undefined && (pts.length === 0 || pts[pts.length - 1]![0] < s.time))
            pts.push([s.time, v]);
          next[m] = pts;
        }
        return next;
      });
    });
    return () => {
      alive = false;
      off();
    };
  }, [uuid, windowS]);

  const charts = useMemo(
    () => CHARTS.map((c) => ({ ...c, data: align(c.metrics.map(([m]) => series[m] ?? [])) })),
    [series],
  );

  if (!vm)
    return h(
      Empty,
      null,
      h('p', null, `No current sample of VM ${uuid}.`),
      h('a', { href: href.overview }, 'Back to the overview'),
    );
  const m = vm.metrics;
  const project = vm.nova?.project?.name ?? vm.nova?.project?.uuid;
  return h(
    'div',
    { class: 'page vm' },
    h('nav', { class: 'crumbs' }, h('a', { href: href.overview }, 'Overview'), ' / ', vm.name),
    h(
      'header',
      { class: 'page-head' },
      h(
        'h2',
        null,
        vm.name,
        ' ',
        h(Badge, { tone: vm.state === 'running' ? 'ok' : 'muted' }, vm.state ?? 'unknown'),
        vm.stale ? h(Badge, { tone: 'warn' }, `stale ${Math.round(vm.staleSeconds ?? 0)} s`) : null,
      ),
      h(
        'div',
        { class: 'windows', role: 'group', 'aria-label': 'Time window' },
        WINDOWS.map(([label, s]) =>
          h(
            'button',
            {
              key: label,
              type: 'button',
              class: s === windowS ? 'on' : '',
              'aria-pressed': s === windowS,
              onClick: () => setWindowS(s),
            },
            label,
          ),
        ),
      ),
    ),
    h(
      'dl',
      { class: 'facts card' },
      fact('UUID', h('code', null, vm.uuid)),
      fact('Host', h('span', { title: vm.host }, hostLabel(vm.host))),
      project ? fact('Project', project) : null,
      vm.nova?.flavor?.name ? fact('Flavor', vm.nova.flavor.name) : null,
      fact('vCPUs', String(m['vcpu.count'] ?? vm.vcpus ?? '–')),
      fact('CPU', percent(m['cpu.percent'])),
      fact(
        'Memory',
        `${bytes(m['memory.used_bytes'])} of ${bytes(m['memory.available_bytes'] ?? m['memory.current_bytes'])}`,
      ),
      fact('Last sample', ago(vm.time)),
    ),
    error ? h(Problem, { message: `History unavailable: ${error}` }) : null,
    h(
      'div',
      { class: 'grid charts' },
      charts.map((c) =>
        h(
          'section',
          { class: 'card', key: c.title },
          h(Chart, {
            title: c.title,
            data: c.data,
            yMax: c.yMax,
            series: c.metrics.map(([, label, color]) => ({ label, color, format: c.format })),
          }),
        ),
      ),
    ),
    h(
      'div',
      { class: 'grid two' },
      h(
        'section',
        { class: 'card' },
        h('h3', null, 'Network interfaces'),
        h(
          'table',
          null,
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, 'Device'),
              h('th', null, 'MAC'),
              h('th', null, 'Bridge'),
              h('th', { class: 'num' }, 'In'),
              h('th', { class: 'num' }, 'Out'),
            ),
          ),
          h(
            'tbody',
            null,
            (vm.nics ?? []).map((n) =>
              h(
                'tr',
                { key: n.portName ?? n.mac },
                h('td', null, n.portName ?? '–'),
                h('td', null, h('code', null, n.mac ?? '–')),
                h('td', null, n.bridge ?? '–'),
                h('td', { class: 'num' }, rate(n.rxBytesPerSec)),
                h('td', { class: 'num' }, rate(n.txBytesPerSec)),
              ),
            ),
          ),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h3', null, 'Disks'),
        h(
          'table',
          null,
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, 'Device'),
              h('th', null, 'Path'),
              h('th', { class: 'num' }, 'Read'),
              h('th', { class: 'num' }, 'Write'),
            ),
          ),
          h(
            'tbody',
            null,
            (vm.disks ?? []).map((d) =>
              h(
                'tr',
                { key: d.name },
                h('td', null, d.name),
                h('td', { class: 'path' }, d.path ?? '–'),
                h('td', { class: 'num' }, rate(d.readBytesPerSec)),
                h('td', { class: 'num' }, rate(d.writeBytesPerSec)),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function fact(label: string, value: ComponentChildren) {
  return h('div', { key: label }, h('dt', null, label), h('dd', null, value));
}
