import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, MAX_CONFIG_BYTES, envName, loadConfig, redact } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has working defaults with no file, environment or flags', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.store.kind).toBe('memory');
    expect(config.controller.listen).toBe('0.0.0.0:6653');
    expect(config.collector.listen).toBe('0.0.0.0:6343');
    expect(config.api.listen).toBe('127.0.0.1:8080');
    expect(config.monitor.intervalSeconds).toBe(5);
  });

  it('takes the file, then the environment, then flags', () => {
    const f = file(
      'p.yaml',
      'controller:\n  listen: 10.0.0.1:1000\n  echoIntervalSeconds: 7\nstore:\n  kind: redis\n',
    );
    const env = {
      VIGIL_CONTROLLER_LISTEN: '10.0.0.2:2000',
      VIGIL_MONITOR_LIBVIRT: 'qemu:///system, test:///default',
    };
    const a = loadConfig({ file: f, env });
    expect(a.config.controller.listen).toBe('10.0.0.2:2000');
    expect(a.config.controller.echoIntervalSeconds).toBe(7);
    expect(a.config.store.kind).toBe('redis');
    expect(a.config.monitor.libvirt).toEqual(['qemu:///system', 'test:///default']);
    expect(a.sources.get('controller.echoIntervalSeconds')).toEqual({ file: f });
    expect(a.sources.get('controller.listen')).toEqual({ env: 'VIGIL_CONTROLLER_LISTEN' });
    const b = loadConfig({ file: f, env, flags: { 'controller.listen': '[::1]:3000' } });
    expect(b.config.controller.listen).toBe('[::1]:3000');
    expect(b.sources.get('controller.listen')).toEqual({ flag: '--listen' });
  });

  it('reads JSON files and finds the file through VIGIL_CONFIG', () => {
    const f = file('c.json', JSON.stringify({ api: { readOnly: true, token: 's3cret' } }));
    const { config } = loadConfig({ env: { VIGIL_CONFIG: f, VIGIL_STORE_SAMPLE_TTL_SECONDS: '30' } });
    expect(config.api.readOnly).toBe(true);
    expect(config.store.sampleTtlSeconds).toBe(30);
    expect(redact(config).api.token).toBe('<redacted>');
    expect(config.api.token).toBe('s3cret');
  });

  it('names the field, the value, its source and what is allowed', () => {
    const f = file('bad.yaml', 'store:\n  kind: mysql\ncontroller:\n  echoTimeoutSeconds: 0\n');
    const issues = issuesOf(() =>
      loadConfig({
        file: f,
        env: { VIGIL_API_READ_ONLY: 'maybe' },
        flags: { 'collector.listen': 'host:70000' },
      }),
    );
    const by = Object.fromEntries(issues.map((i) => [i.field, i]));
    expect(by['store.kind']).toMatchObject({
      value: 'mysql',
      source: { file: f },
      problem: 'must be one of memory, redis',
    });
    expect(by['controller.echoTimeoutSeconds']).toMatchObject({
      value: 0,
      problem: 'must be a number from 1 to 86400',
    });
    expect(by['api.readOnly']).toMatchObject({
      value: 'maybe',
      source: { env: 'VIGIL_API_READ_ONLY' },
      problem: 'must be true or false',
    });
    expect(by['collector.listen']).toMatchObject({
      value: 'host:70000',
      problem: 'port must be from 0 to 65535',
    });
    expect(issues).toHaveLength(4);
  });

  it('refuses unknown fields and unknown VIGIL_ variables (typos)', () => {
    const f = file('typo.yaml', 'store:\n  knd: redis\nstorage: {}\n');
    const issues = issuesOf(() =>
      loadConfig({ file: f, env: { VIGIL_STORE_KINDD: 'redis', VIGIL_DEBUG: '1', VIGIL_SKIP_SETUP: '1' } }),
    );
    expect(issues.map((i) => i.field).sort()).toEqual(['VIGIL_STORE_KINDD', 'storage', 'store.knd']);
    expect(issues.find((i) => i.field === 'store.knd')?.problem).toMatch(
      /unknown field; allowed here: kind, redisUrl/,
    );
  });

  it('refuses unreadable, oversized and malformed files', () => {
    expect(issuesOf(() => loadConfig({ file: join(dir, 'absent.yaml'), env: {} }))[0]!.problem).toMatch(
      /cannot read config file .*absent.yaml/,
    );
    const big = file('big.yaml', '#'.repeat(MAX_CONFIG_BYTES + 1));
    expect(issuesOf(() => loadConfig({ file: big, env: {} }))[0]!.problem).toMatch(/limit is 1048576/);
    const broken = file('broken.yaml', 'store:\n  kind: [redis\n');
    expect(issuesOf(() => loadConfig({ file: broken, env: {} }))[0]!.problem).toMatch(
      /broken.yaml is not valid YAML/,
    );
    const list = file('list.yaml', '- a\n- b\n');
    expect(issuesOf(() => loadConfig({ file: list, env: {} }))[0]!.problem).toMatch(/must hold a mapping/);
    const json = file('bad.json', '{"store": ');
    expect(issuesOf(() => loadConfig({ file: json, env: {} }))[0]!.problem).toMatch(/not valid JSON/);
  });

  it('maps field paths to environment variable names', () => {
    expect(envName(['store', 'redisUrl'])).toBe('VIGIL_STORE_REDIS_URL');
    expect(envName(['controller', 'echoIntervalSeconds'])).toBe('VIGIL_CONTROLLER_ECHO_INTERVAL_SECONDS');
  });

  it('answers any file content with a config or a ConfigError, nothing else', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const f = file('fuzz.json', JSON.stringify(value));
        try {
          loadConfig({ file: f, env: {} });
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          expect((err as ConfigError).issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('names the load balancer that breaks a rule the schema cannot state, by its place in the file', () => {
    const f = file(
      'lbs.yaml',
      [
        'loadBalancers:',
        '  - id: web',
        '    vip_address: 10.213.4.100',
        '    pools:',
        '      - { id: web-pool, protocol: TCP, protocol_port: 80, lb_algorithm: ROUND_ROBIN,',
        '          members: [{ id: m1, address: 10.213.4.11 }, { id: m2, address: 10.213.4.11 }] }',
        '      - { id: web-udp, protocol: UDP, protocol_port: 53, lb_algorithm: ROUND_ROBIN }',
        '  - id: shop',
        '    vip_address: 10.213.4.100',
        '',
      ].join('\n'),
    );
    const issues = issuesOf(() => loadConfig({ file: f, env: {} }));
    expect(issues.map((i) => [i.field, i.problem])).toEqual([
      [
        'loadBalancers.0.pools.0.members.1.address',
        'pool web-pool already has a member at 10.213.4.11 port 80',
      ],
      ['loadBalancers.0.pools.1.protocol', 'Vigil balances TCP: protocol must be TCP'],
      ['loadBalancers.1.vip_address', "VIP 10.213.4.100 is already load balancer web's"],
    ]);
    expect(issues[2]!.value).toBe('10.213.4.100');
  });
});
