import { describe, expect, it } from 'vitest';
import { LibvirtUriError, parseLibvirtUri } from '../../src/libvirt/uri.js';

describe('parseLibvirtUri', () => {
  const cases: [
    string,
    { transport: string; host: string | null; port: number | null; name: string; socket?: string | null },
  ][] = [
    ['qemu:///system', { transport: 'unix', host: null, port: null, name: 'qemu:///system' }],
    ['test:///default', { transport: 'unix', host: null, port: null, name: 'test:///default' }],
    ['test+unix:///default', { transport: 'unix', host: null, port: null, name: 'test:///default' }],
    ['test:///tmp/vmon-x.xml', { transport: 'unix', host: null, port: null, name: 'test:///tmp/vmon-x.xml' }],
    [
      'qemu+unix:///system?socket=/run/vmon/sock',
      { transport: 'unix', host: null, port: null, name: 'qemu:///system', socket: '/run/vmon/sock' },
    ],
    [
      'qemu+tcp://node1:16600/system',
      { transport: 'tcp', host: 'node1', port: 16600, name: 'qemu:///system' },
    ],
    ['qemu+tcp://node1/system', { transport: 'tcp', host: 'node1', port: 16509, name: 'qemu:///system' }],
    [
      'qemu+tls://node2.example/system',
      { transport: 'tls', host: 'node2.example', port: 16514, name: 'qemu:///system' },
    ],
    ['qemu://node3/system', { transport: 'tls', host: 'node3', port: 16514, name: 'qemu:///system' }],
    [
      'qemu+tcp://[fd00::1]:1234/system',
      { transport: 'tcp', host: 'fd00::1', port: 1234, name: 'qemu:///system' },
    ],
    // Parameters libvirt's client consumes are not forwarded; others are.
    [
      'qemu+tls://h/system?no_verify=1&pkipath=/etc/vmon&extra=x',
      { transport: 'tls', host: 'h', port: 16514, name: 'qemu:///system?extra=x' },
    ],
    [
      'qemu+unix:///system?name=qemu:///embed',
      { transport: 'unix', host: null, port: null, name: 'qemu:///embed' },
    ],
  ];
  for (const [uri, want] of cases) {
    it(uri, () => {
      const got = parseLibvirtUri(uri);
      expect(got.transport).toBe(want.transport);
      expect(got.host).toBe(want.host);
      expect(got.port).toBe(want.port);
      expect(got.name).toBe(want.name);
      if (want.socket !== undefined) expect(got.socket).toBe(want.socket);
    });
  }

  it('reads the tls parameters', () => {
    const u = parseLibvirtUri('qemu+tls://h/system?no_verify=1&pkipath=/etc/vmon');
    expect(u.noVerify).toBe(true);
    expect(u.pkiPath).toBe('/etc/vmon');
    expect(parseLibvirtUri('qemu+tls://h/system').noVerify).toBe(false);
  });

  for (const bad of [
    '',
    'system',
    'qemu+ssh://h/system',
    'qemu+unix://h/system',
    'qemu+tcp:///system',
    'qemu+tcp://u@h/system',
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      expect(() => parseLibvirtUri(bad)).toThrow(LibvirtUriError);
    });
  }
});
