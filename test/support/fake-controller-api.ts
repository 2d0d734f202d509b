// A controller API for an app under test: every message the app sends is recorded, nothing else happens.

import type { ControllerApi, SwitchMessage } from '../../src/controller/app-api.js';

export function recordingControllerApi(record: (m: SwitchMessage) => void): ControllerApi {
  return {
    send: (m) => (record(m), true),
    sendAll: (ms) => ms.forEach(record),
    deleteFlows: () => true,
    requestStats: async () => [],
    barrier: async () => undefined,
    datapath: () => undefined,
    datapaths: () => [],
    floodPorts: () => undefined,
    acceptsFrom: () => true,
    links: () => [],
  };
}
