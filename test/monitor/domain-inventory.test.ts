import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_DOMAIN_XML_BYTES,
  normaliseMac,
  parseDomainInventory,
  type DomainInventory,
} from '../../src/monitor/domain-inventory.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const liveXml = fixture('qemu-live-domain.xml');
const novaXml = fixture('nova-domain.xml');

function ok(xml: string): DomainInventory {
  const r = parseDomainInventory(xml);
  if (!r.ok) throw new Error(r.error);
  return r.inventory;
}

describe('parseDomainInventory', () => {
  it('reads a live QEMU domain: UUID, name, vNIC on OVS with its port, disk', () => {
    const inv = ok(liveXml);
    expect(inv.uuid).toBe('4c32becd-1d01-4a8a-b11d-d93447cb0a2f');
    expect(inv.name).toBe('vmon-try');
    expect(inv.type).toBe('qemu');
    expect(inv.vcpus).toBe(1);
    expect(inv.memoryKiB).toBe(98304);
    expect(inv.vnics).toEqual([
      {
        mac: '52:54:00:13:03:99',
        type: 'bridge',
        bridge: 'vmon9',
        portName: 'vnet0',
        openvswitch: true,
        interfaceId: '408a16fe-74d4-4ab0-af24-dfdc7fb9a54b',
        model: 'virtio',
      },
    ]);
    expect(inv.disks).toEqual([
      { target: 'vda', device: 'disk', source: '/var/lib/libvirt/images/vmon-try.img' },
    ]);
    expect(inv.nova).toBeUndefined();
  });

  it('reads a Nova-created domain: metadata 1.1 with flavor, owner, ports; tap devices', () => {
    const inv = ok(novaXml);
    expect(inv.uuid).toBe('9f0b7c1e-3d44-4e0b-9d5a-2b1c0e6f7a81');
    expect(inv.name).toBe('instance-0000002a');
    expect(inv.nova).toEqual({
      namespace: 'http://openstack.org/xmlns/libvirt/nova/1.1',
      name: 'web-frontend-1',
      creationTime: '2024-03-18 09:12:44',
      flavor: { name: 'm1.small', memoryMiB: 2048, diskGiB: 20, swapMiB: 0, ephemeralGiB: 0, vcpus: 1 },
      user: { uuid: '5c2d0f3c8a1e4b7d9e6f1a2b3c4d5e6f', name: 'alice' },
      project: { uuid: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', name: 'shop' },
      root: { type: 'image', uuid: '0d5e2c1b-8a7f-4e3d-9c6b-5a4f3e2d1c0b' },
      ports: [
        {
          uuid: '5e0c1d2a-7f3b-4c9e-8d1a-6b2c3d4e5f60',
          ips: [{ type: 'fixed', address: '10.213.3.21', ipVersion: 4 }],
        },
        {
          uuid: '77aa1d2a-7f3b-4c9e-8d1a-6b2c3d4e5f61',
          ips: [
            { type: 'fixed', address: '10.213.4.21', ipVersion: 4 },
            { type: 'floating', address: '10.213.9.21', ipVersion: 4 },
          ],
        },
      ],
    });
    // MACs are normalised to lower case; an interface without a valid MAC is left out.
    expect(inv.vnics.map((v) => [v.mac, v.type, v.portName, v.bridge, v.openvswitch])).toEqual([
      ['fa:16:3e:4b:2c:11', 'ethernet', 'tap5e0c1d2a-7f', undefined, false],
      ['fa:16:3e:4b:2c:12', 'bridge', 'tap77aa1d2a-7f', 'br-int', true],
    ]);
    expect(inv.disks.map((d) => [d.target, d.device, d.source])).toEqual([
      ['vda', 'disk', '/var/lib/nova/instances/9f0b7c1e-3d44-4e0b-9d5a-2b1c0e6f7a81/disk'],
      ['sda', 'cdrom', 'volumes/volume-1'],
    ]);
  });

  it('finds Nova metadata 1.0 under any prefix, and ignores a look-alike in another namespace', () => {
    const v10 = novaXml
      .replaceAll('nova:', 'os:')
      .replace(
        'xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1"',
        'xmlns:os="http://openstack.org/xmlns/libvirt/nova/1.0"',
      );
    const inv = ok(v10);
    expect(inv.nova?.namespace).toBe('http://openstack.org/xmlns/libvirt/nova/1.0');
    expect(inv.nova?.name).toBe('web-frontend-1');
    expect(inv.nova?.flavor?.name).toBe('m1.small');
    expect(inv.nova?.project?.name).toBe('shop');
    const foreign = novaXml.replace(
      'http://openstack.org/xmlns/libvirt/nova/1.1',
      'http://example.org/not-nova',
    );
    expect(ok(foreign).nova).toBeUndefined();
  });

  it('converts memory units to KiB', () => {
    const xml = (unit: string, v: string): string =>
      `<domain type='kvm'><name>m</name><uuid>4c32becd-1d01-4a8a-b11d-d93447cb0a2f</uuid><memory unit='${unit}'>${v}</memory></domain>`;
    expect(ok(xml('MiB', '96')).memoryKiB).toBe(96 * 1024);
    expect(ok(xml('GiB', '2')).memoryKiB).toBe(2 * 1024 * 1024);
    expect(ok(xml('b', '1048576')).memoryKiB).toBe(1024);
    expect(ok(xml('KiB', 'lots')).memoryKiB).toBeUndefined();
  });

  it('returns an error value for broken, foreign, nameless or UUID-less XML', () => {
    const cases: Array<[string, RegExp]> = [
      ['<domain><name>x</name>', /parse|uuid/i],
      ['<network><name>x</name></network>', /no <domain>/],
      ['<domain><uuid>4c32becd-1d01-4a8a-b11d-d93447cb0a2f</uuid></domain>', /no <name>/],
      ['<domain><name>x</name><uuid>nope</uuid></domain>', /uuid/],
      ['', /no <domain>|parse/],
    ];
    for (const [xml, re] of cases) {
      const r = parseDomainInventory(xml);
      expect(r.ok, xml).toBe(false);
      if (!r.ok) expect(r.error).toMatch(re);
    }
  });

  it('refuses XML over the size limit', () => {
    const big = liveXml.replace(
      '</domain>',
      `<description>${'x'.repeat(MAX_DOMAIN_XML_BYTES)}</description></domain>`,
    );
    const r = parseDomainInventory(big);
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/larger than/) });
  });

  it('normalises MACs', () => {
    expect(normaliseMac(' FA:16:3E:4B:2C:11 ')).toBe('fa:16:3e:4b:2c:11');
    expect(normaliseMac('fa-16-3e-4b-2c-11')).toBeUndefined();
    expect(normaliseMac('fa:16:3e:4b:2c')).toBeUndefined();
  });

  it('never throws on random strings or mutated domain XML (fuzz)', () => {
    const mutated = fc
      .tuple(fc.constantFrom(liveXml, novaXml), fc.nat(), fc.nat({ max: 200 }), fc.string({ maxLength: 20 }))
      .map(([xml, at, cut, insert]) => {
        const i = at % xml.length;
        return xml.slice(0, i) + insert + xml.slice(i + cut);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated), (xml) => {
        const r = parseDomainInventory(xml);
        if (r.ok) {
          expect(typeof r.inventory.uuid).toBe('string');
          for (const v of r.inventory.vnics) expect(normaliseMac(v.mac)).toBe(v.mac);
        } else {
          expect(typeof r.error).toBe('string');
        }
      }),
      { numRuns: 400 },
    );
  });
});
