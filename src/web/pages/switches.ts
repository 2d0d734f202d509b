// Switches: each datapath with its ports and counters, and its flow table.

import { h } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, type Datapath, type FlowEntry } from '../api.js';
import { ago, bytes, count } from '../format.js';
import { onEvent } from '../live.js';
import { Badge, Empty, Problem } from '../widgets.js';

const NUMERIC = new Set([
  'Table',
  'Priority',
  'Packets',
  'Bytes',
  'Age',
  'Idle / hard',
  'Port',
  'Rx',
  'Tx',
  'Rx pkts',
  'Tx pkts',
  'Drops',
  'Errors',
]);
const REFRESH_MS = 5000;

interface Model {
  switches: Datapath[];
  flows: Map<string, FlowEntry[] | string>;
}

async function load(): Promise<Model> {
  const { switches } = await getJson<{ switches: Datapath[] }>('/switches');
  const flows = new Map<string, FlowEntry[] | string>();
  await Promise.all(
    switches.map(async (s) => {
      try {
        flows.set(
          s.datapath_id,
          (await getJson<{ flows: FlowEntry[] }>(`/switches/${s.datapath_id}/flows`)).flows,
        );
      } catch (e) {
        flows.set(s.datapath_id, (e as Error).message);
      }
    }),
  );
  return { switches, flows };
}

function matchText(m: Record<string, string>): string {
  const parts = Object.entries(m).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(', ') : '*';
}

function FlowTable({ flows }: { flows: FlowEntry[] }) {
  const sorted = [...flows].sort((a, b) => a.table_id - b.table_id || b.priority - a.priority);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'flows' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Table', 'Priority', 'Match', 'Actions', 'Packets', 'Bytes', 'Age', 'Idle / hard', 'Owner'].map(
            (t) => h('th', { key: t, class: NUMERIC.has(t) ? 'num' : undefined }, t),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        sorted.map((f, i) =>
          h(
            'tr',
            { key: `${f.table_id}-${f.priority}-${f.cookie}-${i}` },
            h('td', { class: 'num' }, String(f.table_id)),
            h('td', { class: 'num' }, String(f.priority)),
            h('td', null, h('code', null, matchText(f.match))),
            h('td', null, h('code', null, f.actions.join(', ') || 'drop')),
            h('td', { class: 'num' }, count(f.packet_count)),
            h('td', { class: 'num' }, bytes(f.byte_count)),
            h('td', { class: 'num' }, `${Math.round(f.duration_sec)} s`),
            h('td', { class: 'num' }, `${f.idle_timeout} / ${f.hard_timeout}`),
            h('td', null, f.owner ?? h('span', { class: 'muted' }, f.cookie)),
          ),
        ),
      ),
    ),
  );
}

function SwitchCard({ dp, flows }: { dp: Datapath; flows: FlowEntry[] | string | undefined }) {
  return h(
    'section',
    { class: 'card switch', 'data-dpid': dp.datapath_id },
    h(
      'header',
      null,
      h('h3', null, h('code', null, dp.datapath_id)),
      h(Badge, { tone: 'info' }, `OpenFlow ${dp.version}`),
      h('span', { class: 'muted' }, `${dp.peer} · connected ${ago(dp.connected_at)}`),
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'ports' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['Port', 'Name', 'Link', 'Rx', 'Tx', 'Rx pkts', 'Tx pkts', 'Drops', 'Errors'].map((t) =>
              h('th', { key: t, class: NUMERIC.has(t) ? 'num' : undefined }, t),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          dp.ports.map((p) =>
            h(
              'tr',
              { key: p.port_no },
              h('td', { class: 'num' }, String(p.port_no)),
              h('td', null, p.name),
              h(
                'td',
                null,
                p.admin_down
                  ? h(Badge, { tone: 'muted' }, 'admin down')
                  : p.link_down
                    ? h(Badge, { tone: 'bad' }, 'down')
                    : h(Badge, { tone: 'ok' }, 'up'),
              ),
              h('td', { class: 'num' }, bytes(p.stats?.rx_bytes)),
              h('td', { class: 'num' }, bytes(p.stats?.tx_bytes)),
              h('td', { class: 'num' }, count(p.stats?.rx_packets)),
              h('td', { class: 'num' }, count(p.stats?.tx_packets)),
              h('td', { class: 'num' }, p.stats ? count(p.stats.rx_dropped + p.stats.tx_dropped) : '–'),
              h('td', { class: 'num' }, p.stats ? count(p.stats.rx_errors + p.stats.tx_errors) : '–'),
            ),
          ),
        ),
      ),
    ),
    h('h4', null, `Flow table${Array.isArray(flows) ? ` (${flows.length})` : ''}`),
    typeof flows === 'string' ? h(Problem, { message: flows }) : h(FlowTable, { flows: flows ?? [] }),
  );
}

export function Switches() {
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
            ? 'The OpenFlow controller is not running in this Vigil.'
            : e.message,
        ),
    );
  }, []);
  useEffect(() => {
    reload();
    const offs = [onEvent('switch_up', reload), onEvent('switch_down', reload)];
    const every = setInterval(reload, REFRESH_MS);
    return () => {
      offs.forEach((off) => off());
      clearInterval(every);
    };
  }, [reload]);

  if (error) return h(Problem, { message: error });
  if (!model) return h(Empty, null, 'Loading…');
  if (model.switches.length === 0) return h(Empty, null, 'No switch is connected to the controller.');
  return h(
    'div',
    { class: 'page switches' },
    h('h2', null, 'Switches'),
    model.switches.map((dp) =>
      h(SwitchCard, { key: dp.datapath_id, dp, flows: model.flows.get(dp.datapath_id) }),
    ),
  );
}
