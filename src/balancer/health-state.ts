// A member's health as a pure state machine over probe results: `rise` consecutive successes bring a
// DOWN member UP, `fall` consecutive failures take an UP member DOWN (Octavia's max_retries and
// max_retries_down; HAProxy's rise and fall). A member starts UP, as HAProxy's servers do, so a new pool
// serves at once; its first `fall` failed probes take it out.

export type HealthStatus = 'UP' | 'DOWN';

export interface HealthState {
  readonly status: HealthStatus;
  /** Consecutive successes (while DOWN) or failures (while UP) counted towards a change. */
  readonly streak: number;
  /** ms since the epoch of the last change, or of the start. */
  readonly since: number;
}

export interface RiseFall {
  rise: number;
  fall: number;
}

export function initialHealth(now: number): HealthState {
  return { status: 'UP', streak: 0, since: now };
}

export function recordProbe(state: HealthState, ok: boolean, rf: RiseFall, now: number): HealthState {
  if (state.status === 'UP') {
    if (ok) return state.streak === 0 ? state : { status: 'UP', streak: 0, since: state.since };
    const streak = state.streak + 1;
    return streak >= rf.fall
      ? { status: 'DOWN', streak: 0, since: now }
      : { status: 'UP', streak, since: state.since };
  }
  if (!ok) return state.streak === 0 ? state : { status: 'DOWN', streak: 0, since: state.since };
  const streak = state.streak + 1;
  return streak >= rf.rise
    ? { status: 'UP', streak: 0, since: now }
    : { status: 'DOWN', streak, since: state.since };
}

/** Parses Octavia's expected_codes ("200", "200-204", "200,302") into a predicate. */
export function expectedCodes(spec: string): (code: number) => boolean {
  const ranges: Array<[number, number]> = [];
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-');
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    if (Number.isInteger(lo) && Number.isInteger(hi)) ranges.push([lo, hi]);
  }
  return (code) => ranges.some(([lo, hi]) => code >= lo && code <= hi);
}
