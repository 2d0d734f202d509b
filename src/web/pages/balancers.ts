// Load balancing: every load balancer and pool, how clients and traffic spread over the members,
// member health, and the placement log ("client X went to VM Y because ...").

import { h } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  getJson,
  type LoadBalancer,
  type Member,
  type Placement,
  type Pool,
  type PoolStats,
} from '../api.js';
import { PALETTE } from '../chart.js';
import { bytes, clock, count } from '../format.js';
import { onEvent, vms } from '../live.js';
import { href } from '../router.js';
import { Empty, OneLine, Problem, Status } from '../widgets.js';

interface PoolView {
  pool: Pool;
  members: Member[];
  stats: PoolStats | null;
}

interface Model {
  lbs: LoadBalancer[];
  pools: PoolView[];
  placements: Placement[];
}

const NUMERIC = new Set(['Weight', 'Active clients', 'Total clients', 'Bytes in', 'Bytes out']);
const REFRESH_MS = 10_000;
const MAX_LOG = 200;

async function load(): Promise<Model> {
  const [{ loadbalancers }, { pools }, { placements }] = await Promise.all([
    getJson<{ loadbalancers: LoadBalancer[] }>('/loadbalancers'),
    getJson<{ pools: Pool[] }>('/pools'),
    getJson<{ placements: Placement[] }>(`/placements?limit=${MAX_LOG}`),
  ]);
  const views = await Promise.all(
    pools.map(async (pool) => {
      const [{ members }, stats] = await Promise.all([
        getJson<{ members: Member[] }>(`/pools/${encodeURIComponent(pool.id)}/members`),
        getJson<{ stats: PoolStats }>(`/pools/${encodeURIComponent(pool.id)}/stats`).then(
          (r) => r.stats,
          () => null,
        ),
      ]);
      return { pool, members, stats };
    }),
  );
  return { lbs: loadbalancers, pools: views, placements };
}

function vmName(uuid: string | undefined): string | undefined {
  return uuid ? vms.value.get(uuid)?.name : undefined;
}

function memberLabel(m: Member): string {
  return m.name || vmName(m.vm_uuid) || m.address;
}

/** One horizontal bar split in proportion to each member's share. */
function Distribution({
  title,
  members,
  values,
  format,
}: {
  title: string;
  members: Member[];
  values: number[];
  format: (v: number) => string;
}) {
  const total = values.reduce((a, b) => a + b, 0);
  return h(
    'div',
    { class: 'dist' },
    h('div', { class: 'dist-title' }, h('span', null, title), h('span', { class: 'muted' }, format(total))),
    h(
      'div',
      { class: 'dist-bar', role: 'img', 'aria-label': `${title} per member` },
      total === 0
        ? h('span', { class: 'dist-empty' }, 'none yet')
        : members.map((m, i) =>
            values[i]! > 0
              ? h('span', {
                  key: m.id,
                  style: { flexGrow: values[i], background: PALETTE[i % PALETTE.length] },
                  title: `${memberLabel(m)}: ${format(values[i]!)} (${((values[i]! / total) * 100).toFixed(0)} %)`,
                })
              : null,
          ),
    ),
  );
}

function PoolCard({ view }: { view: PoolView }) {
  const { pool, members, stats } = view;
  const byMember = new Map((stats?.members ?? []).map((s) => [s.member_id, s]));
  const clients = members.map((m) => byMember.get(m.id)?.active_clients ?? 0);
  const traffic = members.map(
    (m) => (byMember.get(m.id)?.bytes_in ?? 0) + (byMember.get(m.id)?.bytes_out ?? 0),
  );
  return h(
    'section',
    { class: 'card pool', 'data-pool': pool.id },
    h(
      'header',
      null,
      h(OneLine, { tag: 'h3', text: pool.name || pool.id }),
      h(Status, { status: pool.operating_status }),
      h(
        'span',
        { class: 'muted' },
        `${pool.protocol}${pool.protocol_port ? ` :${pool.protocol_port}` : ''} · ${pool.lb_algorithm} · by ${pool.session_persistence.type === 'SOURCE_IP' ? 'source IP' : 'source MAC'}`,
      ),
    ),
    members.length === 0
      ? h('p', { class: 'muted' }, 'No members yet.')
      : h(
          'div',
          null,
          h(
            'div',
            { class: 'grid two' },
            h(Distribution, { title: 'Active clients', members, values: clients, format: count }),
            h(Distribution, { title: 'Traffic', members, values: traffic, format: bytes }),
          ),
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              null,
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  [
                    '',
                    'Member',
                    'Address',
                    'Weight',
                    'Health',
                    'Active clients',
                    'Total clients',
                    'Bytes in',
                    'Bytes out',
                  ].map((t) => h('th', { key: t, class: NUMERIC.has(t) ? 'num' : undefined }, t)),
                ),
              ),
              h(
                'tbody',
                null,
                members.map((m, i) => {
                  const s = byMember.get(m.id);
                  return h(
                    'tr',
                    { key: m.id, 'data-member': m.id },
                    h(
                      'td',
                      null,
                      h('span', { class: 'swatch', style: { background: PALETTE[i % PALETTE.length] } }),
                    ),
                    h(
                      'td',
                      null,
                      m.vm_uuid && vms.value.has(m.vm_uuid)
                        ? h('a', { href: href.vm(m.vm_uuid) }, memberLabel(m))
                        : memberLabel(m),
                    ),
                    h(
                      'td',
                      null,
                      h('code', null, `${m.address}${m.protocol_port ? `:${m.protocol_port}` : ''}`),
                    ),
                    h('td', { class: 'num' }, String(m.weight)),
                    h('td', null, h(Status, { status: m.operating_status })),
                    h('td', { class: 'num' }, count(s?.active_clients)),
                    h('td', { class: 'num' }, count(s?.total_clients)),
                    h('td', { class: 'num' }, bytes(s?.bytes_in)),
                    h('td', { class: 'num' }, bytes(s?.bytes_out)),
                  );
                }),
              ),
            ),
          ),
        ),
  );
}

function PlacementLog({ placements, members }: { placements: Placement[]; members: Map<string, Member> }) {
  if (placements.length === 0) return h('p', { class: 'muted' }, 'No client has been placed yet.');
  return h(
    'ol',
    { class: 'log' },
    placements.map((p, i) => {
      const m = members.get(p.member_id);
      const target =
        p.vm_name ?? vmName(p.vm_uuid) ?? (m ? memberLabel(m) : undefined) ?? p.member_address ?? p.member_id;
      return h(
        'li',
        { key: `${p.time}-${p.client}-${i}` },
        h('time', null, clock(p.time)),
        h(
          'span',
          null,
          'client ',
          h('code', null, p.client),
          ' went to ',
          h('strong', null, target),
          ' because ',
          p.reason,
          h('span', { class: 'muted' }, ` (${p.algorithm})`),
        ),
      );
    }),
  );
}

export function Balancers() {
  const [model, setModel] = useState<Model | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    load().then(
      (m) => {
        setModel(m);
        setError(null);
      },
      (e: Error) =>
        setError(
          e instanceof ApiError && e.status === 503
            ? 'The load balancer is not running in this Vigil.'
            : e.message,
        ),
    );
  }, []);

  useEffect(() => {
    reload();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Bursts of events cause one reload.
    const soon = () => {
      if (timer === undefined) timer = setTimeout(() => ((timer = undefined), reload()), 300);
    };
    const offs = [
      onEvent('lb_config', soon),
      onEvent('member_health', soon),
      // The placement log is read back in the API's words (with the reason spelt out).
      onEvent('placement', soon),
    ];
    const every = setInterval(reload, REFRESH_MS);
    return () => {
      offs.forEach((off) => off());
      clearInterval(every);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [reload]);

  if (error) return h(Problem, { message: error });
  if (!model) return h(Empty, null, 'Loading…');
  if (model.lbs.length === 0)
    return h(
      Empty,
      null,
      'No load balancer is configured. Create one with POST /api/v1/loadbalancers (see /docs).',
    );
  const members = new Map(model.pools.flatMap((p) => p.members.map((m) => [m.id, m] as const)));
  return h(
    'div',
    { class: 'page balancers' },
    h('h2', null, 'Load balancing'),
    model.lbs.map((lb) =>
      h(
        'div',
        { class: 'lb', key: lb.id, 'data-lb': lb.id },
        h(
          'header',
          { class: 'lb-head' },
          h(OneLine, { tag: 'h3', text: lb.name || lb.id }),
          h('code', { class: 'vip' }, `VIP ${lb.vip_address}`),
          h(Status, { status: lb.operating_status }),
        ),
        model.pools
          .filter((p) => p.pool.loadbalancer_id === lb.id)
          .map((view) => h(PoolCard, { key: view.pool.id, view })),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h3', null, 'Placement log'),
      h(PlacementLog, { placements: model.placements, members }),
    ),
  );
}
