// A compute host's domain inventory as the store keeps it: each running domain's UUID and name, its vNICs
// (guest MAC, host-side device = the OVS port name, bridge, Neutron port) and its Nova metadata. The
// monitor of the host writes it; whoever joins sFlow traffic to VMs (the collector's enricher, in any
// process) reads it back. Declared once as a schema; every value read back is checked against it.

import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { checked, STORE_NAME_PATTERN, type Checked } from './checked.js';

/** Record kind of one host's inventory (id: the host's name, storeName(host)). */
export const HOST_INVENTORY_RECORD = 'host-inventory';

const Text = Type.String({ maxLength: 1024 });
const Ref = Type.Object({ uuid: Type.Optional(Text), name: Type.Optional(Text) });

/** OpenStack Nova's instance metadata from the domain XML (`<nova:instance>`). */
export const NovaInstance = Type.Object({
  namespace: Text,
  name: Type.Optional(Text),
  creationTime: Type.Optional(Text),
  flavor: Type.Optional(
    Type.Object({
      name: Type.Optional(Text),
      memoryMiB: Type.Optional(Type.Number()),
      diskGiB: Type.Optional(Type.Number()),
      swapMiB: Type.Optional(Type.Number()),
      ephemeralGiB: Type.Optional(Type.Number()),
      vcpus: Type.Optional(Type.Number()),
    }),
  ),
  project: Type.Optional(Ref),
  /** Nova calls the owning user "owner/user". */
  user: Type.Optional(Ref),
  root: Type.Optional(Type.Object({ type: Type.Optional(Text), uuid: Type.Optional(Text) })),
  ports: Type.Optional(
    Type.Array(
      Type.Object({
        uuid: Type.Optional(Text),
        ips: Type.Array(
          Type.Object({
            type: Type.Optional(Text),
            address: Type.Optional(Text),
            ipVersion: Type.Optional(Type.Number()),
          }),
        ),
      }),
    ),
  ),
});
export type NovaInstance = Static<typeof NovaInstance>;

export const InventoryVnic = Type.Object({
  /** Lower-case colon-separated MAC of the guest's NIC. */
  mac: Type.String({ pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$' }),
  /** Host-side device name (target dev): the OVS port name when attached to OVS. */
  portName: Type.Optional(Text),
  bridge: Type.Optional(Text),
  openvswitch: Type.Optional(Type.Boolean()),
  /** OVS external_ids:iface-id (Neutron port UUID). */
  interfaceId: Type.Optional(Text),
});
export type InventoryVnic = Static<typeof InventoryVnic>;

export const InventoryDomain = Type.Object({
  uuid: Type.String({ pattern: STORE_NAME_PATTERN }),
  name: Text,
  vnics: Type.Array(InventoryVnic, { maxItems: 4096 }),
  nova: Type.Optional(NovaInstance),
});
export type InventoryDomain = Static<typeof InventoryDomain>;

export const HostInventory = Type.Object({
  /** The monitor's name of the host (its libvirt URI as configured). */
  host: Type.String({ minLength: 1, maxLength: 1024 }),
  /** The daemon's own hostname, once connected. */
  hostname: Type.Optional(Text),
  /** When the monitor wrote it, ms since the epoch. */
  time: Type.Number(),
  domains: Type.Array(InventoryDomain),
});
export type HostInventory = Static<typeof HostInventory>;

const hostInventory = Compile(HostInventory);

export function parseHostInventory(value: unknown): Checked<HostInventory> {
  return checked(hostInventory, value);
}
