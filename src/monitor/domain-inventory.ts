// A VM's inventory from its libvirt domain XML (virDomainGetXMLDesc): UUID, name, vNICs (MAC, bridge,
// host-side device = OVS port name, Neutron port id), disks, and OpenStack Nova's metadata when present.
//
// Pure: malformed or oversized XML becomes an error value, never an exception.

import { XMLParser } from 'fast-xml-parser';
import type { NovaInstance } from '../store/host-inventory.js';

export type { NovaInstance };

/** Nova writes its metadata under one of these namespaces (1.1 added the ports list). */
export const NOVA_NAMESPACE_PREFIX = 'http://openstack.org/xmlns/libvirt/nova/';

/** Domain XML beyond this size is refused. */
export const MAX_DOMAIN_XML_BYTES = 1024 * 1024;

export interface VnicInventory {
  /** Lower-case colon-separated MAC of the guest's NIC. */
  mac: string;
  /** libvirt interface type: bridge, ethernet, network, vhostuser, ... */
  type: string;
  /** Bridge the vNIC joins (source bridge, or the network's bridge in live XML). */
  bridge?: string;
  network?: string;
  /** Host-side device name (target dev): the OVS port name when attached to OVS. */
  portName?: string;
  /** True for <virtualport type='openvswitch'>. */
  openvswitch: boolean;
  /** OVS external_ids:iface-id (Neutron port UUID) from the virtualport parameters. */
  interfaceId?: string;
  model?: string;
}

export interface DiskInventory {
  /** Guest device name (target dev), e.g. vda. */
  target: string;
  device: string;
  source?: string;
}

export interface DomainInventory {
  uuid: string;
  name: string;
  /** libvirt domain type: kvm, qemu, ... */
  type?: string;
  vcpus?: number;
  memoryKiB?: number;
  vnics: VnicInventory[];
  disks: DiskInventory[];
  nova?: NovaInstance;
}

export type InventoryResult = { ok: true; inventory: DomainInventory } | { ok: false; error: string };

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  alwaysCreateTextNode: true,
  // Every element becomes an array so that one and many look the same.
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  processEntities: true,
  htmlEntities: false,
  maxNestedTags: 64,
});

function kids(node: Node | undefined, tag: string): Node[] {
  const v = node?.[tag];
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as Node[]) : [];
}

function kid(node: Node | undefined, tag: string): Node | undefined {
  return kids(node, tag)[0];
}

function text(node: Node | undefined): string | undefined {
  const t = node?.['#text'];
  return typeof t === 'string' && t !== '' ? t : typeof t === 'number' ? String(t) : undefined;
}

function attr(node: Node | undefined, name: string): string | undefined {
  const v = node?.[`@${name}`];
  return typeof v === 'string' ? v : undefined;
}

function int(s: string | undefined): number | undefined {
  if (s === undefined || !/^\s*\d+\s*$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Normalises a MAC to lower-case aa:bb:cc:dd:ee:ff; undefined if it is not one. */
export function normaliseMac(mac: string | undefined): string | undefined {
  if (mac === undefined) return undefined;
  const m = mac.trim().toLowerCase();
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(m) ? m : undefined;
}

export function parseDomainInventory(xml: string): InventoryResult {
  if (typeof xml !== 'string') return { ok: false, error: 'domain XML is not a string' };
  if (Buffer.byteLength(xml) > MAX_DOMAIN_XML_BYTES) {
    return { ok: false, error: `domain XML larger than ${MAX_DOMAIN_XML_BYTES} bytes` };
  }
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (e) {
    return { ok: false, error: `domain XML does not parse: ${(e as Error).message}` };
  }
  const domain = kid(doc, 'domain');
  if (!domain) return { ok: false, error: 'no <domain> element' };
  const name = text(kid(domain, 'name'));
  const uuid = text(kid(domain, 'uuid'))?.toLowerCase();
  if (!name) return { ok: false, error: 'domain has no <name>' };
  if (!uuid || !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/.test(uuid)) {
    return { ok: false, error: `domain ${name} has no valid <uuid>` };
  }

  const inv: DomainInventory = { uuid, name, vnics: [], disks: [] };
  const type = attr(domain, 'type');
  if (type) inv.type = type;
  const vcpus = int(text(kid(domain, 'vcpu')));
  if (vcpus !== undefined) inv.vcpus = vcpus;
  const memNode = kid(domain, 'memory');
  const mem = int(text(memNode));
  if (mem !== undefined) inv.memoryKiB = toKiB(mem, attr(memNode, 'unit'));

  const devices = kid(domain, 'devices');
  for (const iface of kids(devices, 'interface')) {
    const mac = normaliseMac(attr(kid(iface, 'mac'), 'address'));
    if (!mac) continue;
    const source = kid(iface, 'source');
    const virtualport = kid(iface, 'virtualport');
    const vnic: VnicInventory = {
      mac,
      type: attr(iface, 'type') ?? 'unknown',
      openvswitch: attr(virtualport, 'type') === 'openvswitch',
    };
    const bridge = attr(source, 'bridge');
    if (bridge) vnic.bridge = bridge;
    const network = attr(source, 'network');
    if (network) vnic.network = network;
    const port = attr(kid(iface, 'target'), 'dev');
    if (port) vnic.portName = port;
    const ifaceId = attr(kid(virtualport, 'parameters'), 'interfaceid');
    if (ifaceId) vnic.interfaceId = ifaceId;
    const model = attr(kid(iface, 'model'), 'type');
    if (model) vnic.model = model;
    inv.vnics.push(vnic);
  }
  for (const disk of kids(devices, 'disk')) {
    const target = attr(kid(disk, 'target'), 'dev');
    if (!target) continue;
    const d: DiskInventory = { target, device: attr(disk, 'device') ?? 'disk' };
    const src = kid(disk, 'source');
    const source = attr(src, 'file') ?? attr(src, 'dev') ?? attr(src, 'name') ?? attr(src, 'volume');
    if (source) d.source = source;
    inv.disks.push(d);
  }

  const nova = parseNova(kid(domain, 'metadata'));
  if (nova) inv.nova = nova;
  return { ok: true, inventory: inv };
}

function toKiB(value: number, unit: string | undefined): number {
  switch ((unit ?? 'KiB').toLowerCase()) {
    case 'b':
    case 'bytes':
      return Math.floor(value / 1024);
    case 'mib':
    case 'm':
      return value * 1024;
    case 'gib':
    case 'g':
      return value * 1024 * 1024;
    default:
      return value;
  }
}

/** Finds <P:instance xmlns:P="http://openstack.org/xmlns/libvirt/nova/1.x"> whatever its prefix P. */
function parseNova(metadata: Node | undefined): NovaInstance | undefined {
  if (!metadata) return undefined;
  for (const key of Object.keys(metadata)) {
    const colon = key.indexOf(':');
    const prefix = colon >= 0 ? key.slice(0, colon) : '';
    if (key.slice(colon + 1) !== 'instance') continue;
    for (const inst of kids(metadata, key)) {
      const ns = attr(inst, prefix ? `xmlns:${prefix}` : 'xmlns');
      if (!ns?.startsWith(NOVA_NAMESPACE_PREFIX)) continue;
      return novaInstance(inst, prefix ? `${prefix}:` : '', ns);
    }
  }
  return undefined;
}

function novaInstance(inst: Node, p: string, namespace: string): NovaInstance {
  const out: NovaInstance = { namespace };
  const name = text(kid(inst, `${p}name`));
  if (name) out.name = name;
  const created = text(kid(inst, `${p}creationTime`));
  if (created) out.creationTime = created;
  const flavor = kid(inst, `${p}flavor`);
  if (flavor) {
    const f: NonNullable<NovaInstance['flavor']> = {};
    const fname = attr(flavor, 'name');
    if (fname) f.name = fname;
    const fields = [
      ['memoryMiB', 'memory'],
      ['diskGiB', 'disk'],
      ['swapMiB', 'swap'],
      ['ephemeralGiB', 'ephemeral'],
      ['vcpus', 'vcpus'],
    ] as const;
    for (const [field, tag] of fields) {
      const v = int(text(kid(flavor, `${p}${tag}`)));
      if (v !== undefined) f[field] = v;
    }
    out.flavor = f;
  }
  const owner = kid(inst, `${p}owner`);
  const user = kid(owner, `${p}user`);
  if (user) out.user = named(user);
  const project = kid(owner, `${p}project`);
  if (project) out.project = named(project);
  const root = kid(inst, `${p}root`);
  if (root) {
    out.root = {};
    const t = attr(root, 'type');
    if (t) out.root.type = t;
    const u = attr(root, 'uuid');
    if (u) out.root.uuid = u;
  }
  const ports = kid(inst, `${p}ports`);
  if (ports) {
    out.ports = kids(ports, `${p}port`).map((port) => {
      const ips = kids(port, `${p}ip`).map((ip) => {
        const o: { type?: string; address?: string; ipVersion?: number } = {};
        const t = attr(ip, 'type');
        if (t) o.type = t;
        const a = attr(ip, 'address');
        if (a) o.address = a;
        const v = int(attr(ip, 'ipVersion'));
        if (v !== undefined) o.ipVersion = v;
        return o;
      });
      const u = attr(port, 'uuid');
      return u ? { uuid: u, ips } : { ips };
    });
  }
  return out;
}

function named(node: Node): { uuid?: string; name?: string } {
  const o: { uuid?: string; name?: string } = {};
  const u = attr(node, 'uuid');
  if (u) o.uuid = u;
  const n = text(node);
  if (n) o.name = n;
  return o;
}
