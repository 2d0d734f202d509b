// libvirt's own byte counters of each lab VM's vNIC, read over libvirt's RPC protocol (read-only socket):
// virConnectGetAllDomainStats, interface group. libvirt reports them from the guest's side: tx.bytes
// are bytes the VM sent.

import { LibvirtClient, LibvirtConnectionError } from '../libvirt/index.js';
import { DomainStatsGroup } from '../libvirt/constants.js';
import { parseDomainStats } from '../monitor/domain-stats.js';

export interface VnicCounters {
  txBytes: number;
  rxBytes: number;
  txPackets: number;
  rxPackets: number;
  /** Guest CPU time so far (ns). */
  cpuTimeNs: number;
}

/** Reads vNIC counters; reconnects when libvirtd went away (restarted) since the last read. */
export class VnicCounterReader {
  private conn: Promise<LibvirtClient> | undefined;
  reconnects = 0;

  private constructor(private readonly uri: string) {}

  static async open(uri: string): Promise<VnicCounterReader> {
    const r = new VnicCounterReader(uri);
    await r.connection();
    return r;
  }

  private connection(): Promise<LibvirtClient> {
    if (!this.conn) {
      const attempt = LibvirtClient.connect(this.uri, { readOnly: true }).then((c) => {
        c.once('close', () => {
          if (this.conn === attempt) this.conn = undefined;
        });
        return c;
      });
      attempt.catch(() => {
        if (this.conn === attempt) this.conn = undefined;
      });
      this.conn = attempt;
    }
    return this.conn;
  }

  /** Counters of the named domains' vNICs (by OVS port name); domains not running are left out. */
  async read(vnics: ReadonlyMap<string, string>): Promise<Map<string, VnicCounters>> {
    try {
      return await this.readOnce(await this.connection(), vnics);
    } catch (err) {
      if (!(err instanceof LibvirtConnectionError)) throw err;
      this.conn = undefined;
      this.reconnects++;
      return this.readOnce(await this.connection(), vnics);
    }
  }

  private async readOnce(
    conn: LibvirtClient,
    vnics: ReadonlyMap<string, string>,
  ): Promise<Map<string, VnicCounters>> {
    const records = await conn.getAllDomainStats({
      stats: DomainStatsGroup.INTERFACE | DomainStatsGroup.CPU_TOTAL,
      timeoutMs: 10_000,
    });
    const out = new Map<string, VnicCounters>();
    for (const rec of records) {
      const port = vnics.get(rec.domain.name);
      if (port === undefined) continue;
      const stats = parseDomainStats({ name: rec.domain.name, uuid: '', params: rec.params });
      const nic = stats.nets.find((n) => n.name === port);
      // A domain being destroyed can still be listed with its vNIC but without counters: no reading.
      if (nic?.txBytes === undefined || nic.rxBytes === undefined) continue;
      out.set(rec.domain.name, {
        txBytes: nic.txBytes,
        rxBytes: nic.rxBytes,
        txPackets: nic.txPackets ?? 0,
        rxPackets: nic.rxPackets ?? 0,
        cpuTimeNs: stats.cpuTimeNs ?? 0,
      });
    }
    return out;
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    if (c) await (await c.catch(() => undefined))?.close();
  }
}
