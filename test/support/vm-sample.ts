// A VM sample with only the fields a test is about; the others as the monitor gives them for a VM that
// reports nothing more.

import type { VmSample } from '../../src/store/vm-sample.js';

export function vmSample(fields: Pick<VmSample, 'uuid' | 'time' | 'metrics'> & Partial<VmSample>): VmSample {
  return {
    name: fields.uuid,
    host: 'compute-1',
    pollIntervalMs: 5000,
    stale: false,
    state: 'unknown',
    counterReset: false,
    memory: { guestReported: false },
    nics: [],
    disks: [],
    ...fields,
  };
}
