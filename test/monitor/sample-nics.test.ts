import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDomainInventory } from '../../src/monitor/domain-inventory.js';
import { sampleNics } from '../../src/monitor/sample-nics.js';

const parsed = parseDomainInventory(
  readFileSync(new URL('./fixtures/nova-domain.xml', import.meta.url), 'utf8'),
);
if (!parsed.ok) throw new Error(parsed.error);
const { vnics } = parsed.inventory;

describe('sampleNics', () => {
  it('lists every vNIC of the domain XML, with rates only where libvirt reported statistics', () => {
    const nics = sampleNics(
      [
        { name: 'vnet9', rxBytesPerSec: 10 },
        { name: 'tap5e0c1d2a-7f', rxBytesPerSec: 2000, txBytesPerSec: 30, rxBytes: 5000 },
      ],
      vnics,
    );
    expect(nics).toEqual([
      {
        portName: 'tap5e0c1d2a-7f',
        mac: 'fa:16:3e:4b:2c:11',
        openvswitch: false,
        rxBytesPerSec: 2000,
        txBytesPerSec: 30,
      },
      {
        portName: 'tap77aa1d2a-7f',
        mac: 'fa:16:3e:4b:2c:12',
        bridge: 'br-int',
        openvswitch: true,
        interfaceId: '77aa1d2a-7f3b-4c9e-8d1a-6b2c3d4e5f61',
      },
      // Statistics of a device the XML does not list (not read yet) still show, by device.
      { portName: 'vnet9', rxBytesPerSec: 10 },
    ]);
  });

  it('lists the XML’s vNICs when there are no statistics at all, and statistics when there is no XML', () => {
    expect(sampleNics([], vnics).map((n) => [n.portName, n.mac])).toEqual([
      ['tap5e0c1d2a-7f', 'fa:16:3e:4b:2c:11'],
      ['tap77aa1d2a-7f', 'fa:16:3e:4b:2c:12'],
    ]);
    expect(sampleNics([{ name: 'vnet0', txBytesPerSec: 1 }])).toEqual([
      { portName: 'vnet0', txBytesPerSec: 1 },
    ]);
  });

  it('keeps a vNIC the XML gives no device, and its network', () => {
    const nics = sampleNics(
      [{ name: 'vnet0', rxBytesPerSec: 1 }],
      [{ mac: '52:54:00:00:00:01', type: 'network', network: 'default', openvswitch: false }],
    );
    expect(nics).toEqual([
      { mac: '52:54:00:00:00:01', network: 'default', openvswitch: false },
      { portName: 'vnet0', rxBytesPerSec: 1 },
    ]);
  });
});
