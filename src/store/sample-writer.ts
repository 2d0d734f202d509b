// Writes VM samples to the store without waiting, the way the monitor's callers need it: each sample
// carries sFlow's traffic of its VM when a collector's enricher (in this process or another) has written
// some, and a failure (Redis down) is logged once per outage, and its end once, not once per VM and poll.

import type { Logger } from '../log/logger.js';
import { listChecked } from './checked.js';
import type { Store } from './store.js';
import { withSflowTraffic, type VmSample } from './vm-sample.js';
import { parseVmTraffic, VM_TRAFFIC_RECORD, type VmTraffic } from './vm-traffic.js';

/** The VMs' traffic is read from the store at most this often (a poll's samples share one read). */
const TRAFFIC_READ_MS = 500;

export function sampleWriter(store: Store, log: Logger): (sample: VmSample) => void {
  let failures = 0;
  let traffic: { at: number; byUuid: Promise<Map<string, VmTraffic>> } | undefined;
  const trafficByUuid = (now: number) => {
    if (!traffic || now - traffic.at > TRAFFIC_READ_MS) {
      traffic = {
        at: now,
        byUuid: listChecked(store, VM_TRAFFIC_RECORD, parseVmTraffic, log).then(
          (list) => new Map(list.map((t) => [t.uuid, t])),
          // Without it the samples go out as the monitor made them; the write reports the outage.
          () => new Map(),
        ),
      };
    }
    return traffic.byUuid;
  };
  return (sample) => {
    trafficByUuid(Date.now())
      .then((byUuid) => {
        const t = byUuid.get(sample.uuid);
        return store.putSample(t ? withSflowTraffic(sample, t) : sample);
      })
      .then(
        () => {
          if (failures > 0) log.info({ failures }, 'store writes work again');
          failures = 0;
        },
        (err: Error) => {
          if (failures++ === 0) log.warn({ err: err.message, vm: sample.name }, 'store write failed');
        },
      );
  };
}
