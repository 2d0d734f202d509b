import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { ConfigLoadBalancer } from '../../src/balancer/objects.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { emptyState, type LabState } from '../../src/lab/lab-state.js';
import { labLoadBalancer, vigilConfig } from '../../src/lab/vigil-config.js';
import { vigilCommand } from '../../src/lab/lab-up.js';

function state(redisUrl?: string): LabState {
  const s = emptyState({
    prefix: 'vlab',
    vip: '10.213.10.10',
    target: 'vip',
    libvirtUri: 'qemu:///system',
    options: {
      vms: 2,
      clients: 2,
      memoryMiB: 96,
      controllerPort: 16653,
      collectorPort: 16343,
      recorderPort: 16344,
      apiPort: 18080,
      algorithm: 'ROUND_ROBIN',
      ...(redisUrl ? { redisUrl } : {}),
    },
  });
  s.domains.push(
    {
      name: 'vlab-vm1',
      uuid: '0b5e0a3c-6a4e-4d7e-9b53-2f1f7a0c1a01',
      ip: '10.213.10.11',
      mac: '52:54:00:d5:0a:0b',
      bridge: 'vlab-n1',
      port: 'vlab-vm1',
      consoleLog: 'x',
    },
    {
      name: 'vlab-vm2',
      ip: '10.213.10.12',
      mac: '52:54:00:d5:0a:0c',
      bridge: 'vlab-n2',
      port: 'vlab-vm2',
      consoleLog: 'x',
    },
  );
  return s;
}

describe('Vigil configuration for the lab', () => {
  it('one load balancer: the VIP in front of every lab VM, valid by the balancer’s own schema', () => {
    const lb = labLoadBalancer(state());
    expect(
      Value.Check(ConfigLoadBalancer, lb),
      JSON.stringify([...Value.Errors(ConfigLoadBalancer, lb)].slice(0, 3)),
    ).toBe(true);
    expect(lb.vip_address).toBe('10.213.10.10');
    expect(lb.pools).toHaveLength(1);
    const pool = lb.pools[0]!;
    expect(pool.lb_algorithm).toBe('ROUND_ROBIN');
    expect(pool.session_persistence?.type).toBe('SOURCE_MAC');
    expect(pool.members.map((m) => [m.address, m.mac_address, m.vm_uuid])).toEqual([
      ['10.213.10.11', '52:54:00:d5:0a:0b', '0b5e0a3c-6a4e-4d7e-9b53-2f1f7a0c1a01'],
      ['10.213.10.12', '52:54:00:d5:0a:0c', undefined],
    ]);
  });

  it('listeners on loopback at the lab’s ports, valid by the config schema; Redis when asked', () => {
    const { loadBalancers: _lbs, ...rest } = vigilConfig(state(), 'tok');
    expect(
      Value.Check(ConfigSchema, Value.Default(ConfigSchema, structuredClone(rest))),
      JSON.stringify([...Value.Errors(ConfigSchema, rest)].slice(0, 3)),
    ).toBe(true);
    expect(rest.controller.listen).toBe('127.0.0.1:16653');
    expect(rest.collector.listen).toBe('127.0.0.1:16343');
    expect(rest.api).toEqual({ listen: '127.0.0.1:18080', token: 'tok' });
    expect(rest.store.kind).toBe('memory');
    const r = vigilConfig(state('redis://127.0.0.1:6390'), 't');
    expect(r.store).toEqual({ kind: 'redis', redisUrl: 'redis://127.0.0.1:6390', keyPrefix: 'vlab' });
  });

  it('starts `vigil --config FILE up`', () => {
    const argv = vigilCommand('/state/vigil.json');
    expect(argv[0]).toBe(process.execPath);
    expect(argv[1]).toMatch(/bin\/vigil\.js$/);
    expect(argv.slice(2)).toEqual(['--config', '/state/vigil.json', 'up']);
  });
});
