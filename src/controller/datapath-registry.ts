// Every switch in main state, by datapath id. A switch that reconnects (or a second connection claiming
// the same datapath id) replaces the old session, which is closed.

import type { DatapathInfo } from './app-api.js';
import type { SwitchSession } from './switch-session.js';

export interface Datapath extends DatapathInfo {
  session: SwitchSession;
}

export class DatapathRegistry {
  private readonly byId = new Map<bigint, Datapath>();
  // One-entry cache for the send path: replies mostly go to the switch that just spoke.
  private lastId = -1n;
  private last: Datapath | undefined;

  /** Registers a session that reached main state; returns the session it displaced, if any. */
  add(session: SwitchSession): SwitchSession | undefined {
    const id = session.datapathId!;
    const old = this.byId.get(id);
    this.last = undefined;
    this.byId.set(id, {
      datapathId: id,
      version: session.version!,
      ports: session.ports,
      peer: session.peer,
      connectedAt: session.connectedAt,
      session,
    });
    return old && old.session !== session ? old.session : undefined;
  }

  /** Removes the datapath only if `session` is still the one registered for it. */
  remove(session: SwitchSession): boolean {
    const id = session.datapathId;
    if (id === undefined) return false;
    const cur = this.byId.get(id);
    if (cur?.session !== session) return false;
    this.byId.delete(id);
    this.last = undefined;
    return true;
  }

  get(id: bigint): Datapath | undefined {
    if (this.last !== undefined && id === this.lastId) return this.last;
    const dp = this.byId.get(id);
    if (dp !== undefined) {
      this.lastId = id;
      this.last = dp;
    }
    return dp;
  }

  values(): IterableIterator<Datapath> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }
}
