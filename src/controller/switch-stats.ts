// Flow and port statistics per switch, as the poller last read them, with port rates computed from the
// previous sample. Kept in memory for the dashboard and the API.

import type { FlowStats, PortStats } from '../openflow/index.js';

export interface PortRate {
  portNo: number;
  rxBytesPerSec: number;
  txBytesPerSec: number;
  rxPacketsPerSec: number;
  txPacketsPerSec: number;
}

export interface SwitchStatsSnapshot {
  datapathId: bigint;
  flows?: { at: number; flows: FlowStats[] };
  ports?: { at: number; ports: PortStats[] };
  portRates: PortRate[];
  polls: number;
  failures: number;
}

/** Per-second rates between two port samples taken `dtMs` apart; counters that went backwards (a reset) give 0. */
export function portRates(prev: readonly PortStats[], cur: readonly PortStats[], dtMs: number): PortRate[] {
  if (dtMs <= 0) return [];
  const before = new Map(prev.map((p) => [p.portNo, p]));
  const out: PortRate[] = [];
  const rate = (a: bigint, b: bigint): number => (b >= a ? (Number(b - a) * 1000) / dtMs : 0);
  for (const p of cur) {
    const q = before.get(p.portNo);
    if (!q) continue;
    out.push({
      portNo: p.portNo,
      rxBytesPerSec: rate(q.rxBytes, p.rxBytes),
      txBytesPerSec: rate(q.txBytes, p.txBytes),
      rxPacketsPerSec: rate(q.rxPackets, p.rxPackets),
      txPacketsPerSec: rate(q.txPackets, p.txPackets),
    });
  }
  return out;
}

export class SwitchStatsStore {
  private readonly bySwitch = new Map<bigint, SwitchStatsSnapshot>();

  private entry(datapathId: bigint): SwitchStatsSnapshot {
    let e = this.bySwitch.get(datapathId);
    if (!e) {
      e = { datapathId, portRates: [], polls: 0, failures: 0 };
      this.bySwitch.set(datapathId, e);
    }
    return e;
  }

  putFlows(datapathId: bigint, at: number, flows: FlowStats[]): void {
    const e = this.entry(datapathId);
    e.flows = { at, flows };
    e.polls++;
  }

  putPorts(datapathId: bigint, at: number, ports: PortStats[]): void {
    const e = this.entry(datapathId);
    if (e.ports) e.portRates = portRates(e.ports.ports, ports, at - e.ports.at);
    e.ports = { at, ports };
  }

  failed(datapathId: bigint): void {
    this.entry(datapathId).failures++;
  }

  get(datapathId: bigint): SwitchStatsSnapshot | undefined {
    return this.bySwitch.get(datapathId);
  }

  all(): SwitchStatsSnapshot[] {
    return [...this.bySwitch.values()];
  }

  forget(datapathId: bigint): void {
    this.bySwitch.delete(datapathId);
  }
}
