// Two Vigil processes' worth of parts sharing one redis-server, as they run at scale: the sFlow datagrams
// reach one runtime's collector, the inventory is what a monitor elsewhere wrote, and the traffic is read
// through the other runtime's API. Neither runtime has a libvirt host.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';
import { VigilRuntime } from '../../src/runtime/vigil-runtime.js';
import { storeName } from '../../src/store/checked.js';
import { HOST_INVENTORY_RECORD } from '../../src/store/host-inventory.js';
import { sendFlowDatagrams } from '../sflow/support/flow-datagrams.js';
import { RedisServer } from '../support/redis-server.js';

const CLIENT = { mac: '02:00:00:00:00:0a', ip: '10.213.2.10' };
const VM = { mac: '52:54:00:00:00:0b', ip: '10.213.2.11', uuid: '6f1c6a52-3333-4c1e-9a51-00000000000b' };
const HOST = 'qemu+tcp://compute-9/system';

let redis: RedisServer;
let collecting: VigilRuntime;
let serving: VigilRuntime;

function config() {
  return loadConfig({
    env: {},
    flags: {
      'store.kind': 'redis',
      'store.redisUrl': redis.url,
      'store.keyPrefix': `shared${process.pid}`,
      'controller.listen': '127.0.0.1:0',
      'collector.listen': '127.0.0.1:0',
      'api.listen': '127.0.0.1:0',
    },
  }).config;
}

beforeAll(async () => {
  redis = await RedisServer.start();
  const opts = { logger: silentLogger(), version: 'test', webRoot: '/nonexistent' };
  collecting = await VigilRuntime.start({ ...opts, config: config() });
  serving = await VigilRuntime.start({ ...opts, config: config() });
}, 60_000);

afterAll(async () => {
  await serving?.stop();
  await collecting?.stop();
  await redis?.destroy();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
async function get(rt: VigilRuntime, path: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${rt.addresses.api.port}/api/v1${path}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('parts of Vigil in two processes, meeting in Redis', () => {
  it('serves sFlow traffic that another process collected, joined to VMs by the stored inventory', async () => {
    // The inventory as a monitor on the compute host wrote it.
    await collecting.store.putRecord(
      HOST_INVENTORY_RECORD,
      storeName(HOST),
      { host: HOST, time: Date.now(), domains: [{ uuid: VM.uuid, name: 'web-b', vnics: [{ mac: VM.mac }] }] },
      { ttlMs: 60_000 },
    );
    await sendFlowDatagrams(collecting.addresses.collector.port, CLIENT, VM, 10);

    await expect
      .poll(async () => (await get(serving, '/traffic/vms')).vms, { timeout: 10_000, interval: 100 })
      .toEqual(
        expect.arrayContaining([
          expect.objectContaining({ mac: VM.mac, vm_uuid: VM.uuid, vm_name: 'web-b', tx_bytes_per_s: 0 }),
          expect.objectContaining({ mac: CLIENT.mac, rx_bytes_per_s: 0 }),
        ]),
      );
    const vms = (await get(serving, '/traffic/vms')).vms as Array<{ mac: string; rx_bytes_per_s: number }>;
    expect(vms.find((m) => m.mac === VM.mac)!.rx_bytes_per_s).toBeGreaterThan(0);
    const flows = await get(serving, '/traffic/flows?limit=5&by=packets');
    expect(flows.window_seconds).toBe(10);
    expect(flows.flows).toMatchObject([
      { src_ip: CLIENT.ip, dst_ip: VM.ip, src_port: 40000, dst_port: 5001 },
    ]);
    // The collecting runtime's API reads the same store, so it answers the same.
    expect((await get(collecting, '/traffic/flows?limit=5')).flows).toMatchObject(flows.flows);
    // Per-VM traffic is in the store for a monitor (in any process) to add to the VM's samples.
    expect(await serving.store.getRecord('vm-traffic', VM.uuid)).toMatchObject({
      name: 'web-b',
      joinedBy: 'mac',
    });
  });
});
