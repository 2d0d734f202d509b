// Compute hosts and VMs as the monitor stores them (the VM sample: src/store/vm-sample.ts).

import Type, { type Static } from 'typebox';
import { EpochMs } from './common.js';

/** A VM's latest sample: the store's VM sample, with `stale` as the staleness rule has it now. */
export { VmSample as Vm } from '../../store/vm-sample.js';

export const ComputeHost = Type.Object({
  name: Type.String(),
  vms: Type.Integer({ minimum: 0 }),
  running: Type.Integer({ minimum: 0 }),
  stale: Type.Integer({ minimum: 0, description: 'VMs whose latest sample is stale' }),
  vcpus: Type.Number({ minimum: 0 }),
  cpu_percent: Type.Union([Type.Number(), Type.Null()], {
    description: 'mean CPU use of its VMs, weighted by vCPUs',
  }),
  memory_used_bytes: Type.Number({ minimum: 0 }),
  net_rx_bytes_per_s: Type.Number({ minimum: 0 }),
  net_tx_bytes_per_s: Type.Number({ minimum: 0 }),
  last_sample: Type.Union([EpochMs, Type.Null()]),
});
export type ComputeHost = Static<typeof ComputeHost>;

export const MetricName = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' });

export const SeriesQuery = Type.Object(
  {
    metrics: Type.String({
      pattern: '^[A-Za-z0-9_.-]{1,128}(,[A-Za-z0-9_.-]{1,128}){0,15}$',
      description: 'comma-separated metric names, at most 16 (e.g. cpu.percent,memory.used_bytes)',
    }),
    from: Type.Optional(Type.Number({ minimum: 0, description: 'window start, ms since the epoch' })),
    to: Type.Optional(
      Type.Number({ minimum: 0, description: 'window end, ms since the epoch (default now)' }),
    ),
    window: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 7 * 86_400,
        description: 'window length in seconds ending at `to` (default 900)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SeriesQuery = Static<typeof SeriesQuery>;

export const Series = Type.Object({
  uuid: Type.String(),
  from: EpochMs,
  to: EpochMs,
  series: Type.Record(
    Type.String(),
    Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[time ms, value]' })),
    {
      description: 'metric -> [time ms, value] pairs, oldest first',
    },
  ),
});
