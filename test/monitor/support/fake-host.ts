// A scripted libvirt host for the monitor's tests: a fake daemon speaking the real RPC framing with a
// set of running domains whose counters the test moves, lifecycle events on demand, and an outage switch.

import { MessageType, Procedure, REMOTE_PROGRAM, TypedParamType } from '../../../src/libvirt/constants.js';
import type { DomainRef } from '../../../src/libvirt/domain.js';
import { writeLifecycleEvent } from '../../../src/libvirt/lifecycle-event.js';
import { writeGetAllDomainStatsRet, writeListAllDomainsRet } from '../../../src/libvirt/procedures.js';
import type { TypedParam } from '../../../src/libvirt/typed-param.js';
import { FakeDaemon, withHandshake, type FakeConnection } from '../../../src/lab/host/fake-libvirtd.js';

export interface FakeDomain {
  ref: DomainRef;
  xml: string;
  /** Stats as field -> value; strings for names, numbers for counters. */
  stats: Record<string, number | string>;
}

export class FakeHost {
  readonly domains = new Map<string, FakeDomain>();
  /** While true, every new connection is dropped at once and no call is answered. */
  down = false;
  /** While true, stats calls get no answer (a stuck daemon). */
  stallStats = false;
  statsCalls = 0;
  lastStatsFlags = -1;
  private callbackId = 0;
  private daemon!: FakeDaemon;

  static async start(): Promise<FakeHost> {
    const host = new FakeHost();
    host.daemon = await FakeDaemon.start(
      withHandshake((msg, conn) => host.handle(msg.header, msg.body, conn)),
    );
    return host;
  }

  get uri(): string {
    return `qemu+unix:///system?socket=${this.daemon.path}`;
  }

  add(d: FakeDomain): void {
    this.domains.set(d.ref.uuid, d);
  }

  /** Sends a DOMAIN_EVENT_CALLBACK_LIFECYCLE to every open connection. */
  lifecycle(uuid: string, event: number, detail = 0): void {
    const d = this.domains.get(uuid);
    const ref = d?.ref ?? { name: 'gone', uuid, id: -1 };
    for (const c of this.daemon.connections) {
      if (c.socket.destroyed) continue;
      c.event(Procedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE, (w) =>
        writeLifecycleEvent(w, { callbackId: this.callbackId, domain: ref, event, detail }),
      );
    }
  }

  /** An outage: drops every connection and refuses new ones until `up()`. */
  goDown(): void {
    this.down = true;
    this.daemon.dropClients();
  }

  up(): void {
    this.down = false;
  }

  async stop(): Promise<void> {
    await this.daemon.stop();
  }

  private handle(h: Parameters<FakeConnection['reply']>[0], body: Buffer, conn: FakeConnection): void {
    if (this.down) {
      conn.socket.destroy();
      return;
    }
    if (h.program !== REMOTE_PROGRAM || h.type !== MessageType.CALL) return;
    switch (h.procedure) {
      case Procedure.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY:
        return conn.reply(h, (w) => w.int32(++this.callbackId));
      case Procedure.CONNECT_GET_HOSTNAME:
        return conn.reply(h, (w) => w.string('compute-1'));
      case Procedure.CONNECT_LIST_ALL_DOMAINS:
        return conn.reply(h, (w) =>
          writeListAllDomainsRet(
            w,
            [...this.domains.values()].map((d) => d.ref),
          ),
        );
      case Procedure.DOMAIN_GET_XML_DESC: {
        // remote_nonnull_domain: name string, then the 16-byte UUID.
        const nameLen = body.readUInt32BE(0);
        const uuidAt = 4 + Math.ceil(nameLen / 4) * 4;
        const hex = body.subarray(uuidAt, uuidAt + 16).toString('hex');
        const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
        const d = this.domains.get(uuid);
        if (!d) return conn.replyError(h, 42, `Domain not found: no domain with matching uuid '${uuid}'`);
        return conn.reply(h, (w) => w.string(d.xml));
      }
      case Procedure.CONNECT_GET_ALL_DOMAIN_STATS: {
        this.statsCalls++;
        if (this.stallStats) return;
        // args: doms<> (empty), stats, flags
        this.lastStatsFlags = body.readUInt32BE(body.length - 4);
        const records = [...this.domains.values()].map((d) => ({ domain: d.ref, params: toParams(d.stats) }));
        return conn.reply(h, (w) => writeGetAllDomainStatsRet(w, records));
      }
      default:
        return conn.replyError(h, 3, `this fake does not support procedure ${h.procedure}`);
    }
  }
}

function toParams(stats: Record<string, number | string>): TypedParam[] {
  return Object.entries(stats).map(([field, value]): TypedParam =>
    typeof value === 'string'
      ? { field, type: TypedParamType.STRING, value }
      : { field, type: TypedParamType.ULLONG, value },
  );
}

export function domainXml(
  name: string,
  uuid: string,
  nics: Array<{ mac: string; port: string; bridge: string }>,
): string {
  const ifaces = nics
    .map(
      (n) =>
        `<interface type='bridge'><mac address='${n.mac}'/><source bridge='${n.bridge}'/>` +
        `<virtualport type='openvswitch'/><target dev='${n.port}'/><model type='virtio'/></interface>`,
    )
    .join('');
  return `<domain type='qemu' id='1'><name>${name}</name><uuid>${uuid}</uuid><vcpu>1</vcpu><devices>${ifaces}</devices></domain>`;
}
