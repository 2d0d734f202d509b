import { describe, expect, it } from 'vitest';
import { parseArpBinding } from '../../src/cli/commands/controller.js';
import { spawnController } from './cli-runner.js';
import { FakeSwitch, until } from './fake-switch.js';

describe('vigil controller command', () => {
  it('parses ARP bindings, refusing bad ones', () => {
    expect(parseArpBinding('10.213.1.100=0a:00:00:00:00:fe')).toEqual([0x0ad50164, 0x0a00000000fe]);
    expect(() => parseArpBinding('10.213.1.100')).toThrow(/IP=MAC/);
    expect(() => parseArpBinding('10.213.1.300=0a:00:00:00:00:fe')).toThrow(/IP=MAC/);
    expect(() => parseArpBinding('010.213.1.100=0a:00:00:00:00:fe')).toThrow(/IP=MAC/);
  });

  it('trims spaces around the IP and MAC of an ARP binding (the parsers themselves do not)', () => {
    expect(parseArpBinding(' 10.213.1.100 = 0a:00:00:00:00:fe ')).toEqual([0x0ad50164, 0x0a00000000fe]);
  });

  it('listens where --listen says, serves a switch, and stops cleanly on SIGTERM', async () => {
    const proc = spawnController(['--listen', '127.0.0.1:0', '--log-level', 'info']);
    await until(() => proc.count('OpenFlow controller listening') === 1, 20_000, 'listening log line');
    const line = proc
      .output()
      .split('\n')
      .find((l) => l.includes('OpenFlow controller listening'))!;
    const { port, address } = JSON.parse(line) as { port: number; address: string };
    expect(address).toBe('127.0.0.1');
    const sw = await FakeSwitch.connect(port, { datapathId: 0x42n, version: 4 });
    await until(() => proc.count('switch connected') === 1, 5000, 'switch connected log line');
    expect(proc.output()).toContain('"dpid":"0000000000000042"');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    sw.close();
  }, 40_000);

  it('refuses a bad --listen with a usage error', async () => {
    const proc = spawnController(['--listen', 'nowhere']);
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toMatch(/invalid configuration[\s\S]*controller\.listen[\s\S]*nowhere/);
  }, 30_000);
});
