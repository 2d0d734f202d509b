// What a member's VM can do for its clients, from the libvirt domain state its monitor reported:
//   running    serves; takes new clients
//   suspended  paused (by an operator, or for a live migration) or being moved to another host: it keeps
//              its clients, whose packets wait for it, and takes no new ones
//   gone       shut off, crashed, undefined: its clients are placed again at once

export type VmServing = 'running' | 'suspended' | 'gone';

const SERVING: Readonly<Record<string, VmServing>> = {
  running: 'running',
  blocked: 'running',
  unknown: 'running',
  paused: 'suspended',
  pmsuspended: 'suspended',
  nostate: 'gone',
  shutdown: 'gone',
  shutoff: 'gone',
  crashed: 'gone',
};

/** A libvirt domain state name (absent: running, as a sample without a state is taken to be). */
export function vmServing(state: string | undefined): VmServing {
  return state === undefined ? 'running' : (SERVING[state] ?? 'gone');
}
