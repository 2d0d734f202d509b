// Writes VM samples to the store without waiting, the way the monitor's callers need it: a failure
// (Redis down) is logged once per outage, and its end once, not once per VM and poll.

import type { Logger } from '../log/logger.js';
import type { Store, StoredSample } from './store.js';

export function sampleWriter(store: Store, log: Logger): (sample: StoredSample) => void {
  let failures = 0;
  return (sample) => {
    store.putSample(sample).then(
      () => {
        if (failures > 0) log.info({ failures }, 'store writes work again');
        failures = 0;
      },
      (err: Error) => {
        if (failures++ === 0)
          log.warn({ err: err.message, vm: sample.name ?? sample.uuid }, 'store write failed');
      },
    );
  };
}
