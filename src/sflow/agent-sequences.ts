// Per-agent datagram sequence tracking (sflow_version_5.txt: sequence_number increments with each datagram
// an agent (sub-agent) sends; an agent restart resets it and the uptime). Pure: no clock, no I/O.

import { uptimeDelta } from '../counters/counter-rate.js';

export type SequenceEvent = 'first' | 'in-order' | 'gap' | 'late' | 'restart';

export interface AgentSequenceStats {
  agent: string;
  subAgentId: number;
  datagrams: number;
  /** Datagrams never received (sum of gaps, less those that arrived late). */
  lost: number;
  late: number;
  restarts: number;
  lastSequence: number;
  lastUptimeMs: number;
  lastSeenMs: number;
}

/** A forward jump larger than this is treated as a restart, not as loss. */
const MAX_GAP = 100_000;
/** A backward step up to this is a reordered (late) datagram, beyond it a restart. */
const MAX_REORDER = 1_000;
/** A datagram whose uptime is this much older than the newest one's comes from a restarted agent. */
const MAX_UPTIME_REORDER_MS = 10_000;

export class AgentSequences {
  private readonly agents = new Map<string, AgentSequenceStats>();

  constructor(private readonly maxAgents = 10_000) {}

  observe(
    agent: string,
    subAgentId: number,
    sequence: number,
    uptimeMs: number,
    nowMs: number,
  ): SequenceEvent {
    const key = subAgentId === 0 ? agent : `${agent}#${subAgentId}`;
    const s = this.agents.get(key);
    if (!s) {
      if (this.agents.size < this.maxAgents) {
        this.agents.set(key, {
          agent,
          subAgentId,
          datagrams: 1,
          lost: 0,
          late: 0,
          restarts: 0,
          lastSequence: sequence,
          lastUptimeMs: uptimeMs,
          lastSeenMs: nowMs,
        });
      }
      return 'first';
    }
    s.datagrams++;
    s.lastSeenMs = nowMs;
    const delta = (sequence - s.lastSequence) >>> 0;
    // a reordered datagram is a little older; a restarted agent's uptime starts again from zero
    const uptimeBack = -uptimeDelta(s.lastUptimeMs, uptimeMs) > MAX_UPTIME_REORDER_MS;
    let event: SequenceEvent;
    if (uptimeBack) event = 'restart';
    else if (delta === 1) event = 'in-order';
    else if (delta !== 0 && delta <= MAX_GAP) {
      event = 'gap';
      s.lost += delta - 1;
    } else if (delta === 0 || 0x1_0000_0000 - delta <= MAX_REORDER) {
      s.late++;
      if (s.lost > 0) s.lost--;
      return 'late';
    } else event = 'restart';
    if (event === 'restart') s.restarts++;
    s.lastSequence = sequence;
    s.lastUptimeMs = uptimeMs;
    return event;
  }

  stats(): AgentSequenceStats[] {
    return [...this.agents.values()].map((s) => ({ ...s }));
  }

  /** Forget agents silent since before `cutoffMs`. */
  sweep(cutoffMs: number): void {
    for (const [k, s] of this.agents) if (s.lastSeenMs < cutoffMs) this.agents.delete(k);
  }
}
