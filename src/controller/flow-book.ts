// Flow bookkeeping per switch: what Vigil installed and what the switch reported removed, per app (the
// cookie's tag and app id; the low 32 bits an app may vary freely would make the book grow without
// bound). The switch's flow table is the truth (see the statistics poller); this is the controller's
// running account, cheap enough to keep on the packet-in path.

import type { FlowMod, FlowRemoved } from '../openflow/index.js';
import { OFPRR } from '../openflow/index.js';
import { APP_COOKIE_MASK } from './cookies.js';

export interface CookieAccount {
  /** The app's cookie with the app-defined low 32 bits cleared. */
  cookie: bigint;
  added: number;
  deletesSent: number;
  removedIdle: number;
  removedHard: number;
  removedDelete: number;
  /** added minus removals the switch reported (flows without SEND_FLOW_REM are never reported). */
  live: number;
}

export class FlowBook {
  private readonly bySwitch = new Map<bigint, Map<bigint, CookieAccount>>();
  // One-entry cache: a burst of flow-mods mostly comes from one app to one switch.
  private lastDp = -1n;
  private lastCookie = -1n;
  private last: CookieAccount | undefined;

  private account(datapathId: bigint, cookie: bigint): CookieAccount {
    if (this.last !== undefined && datapathId === this.lastDp && cookie === this.lastCookie) return this.last;
    let m = this.bySwitch.get(datapathId);
    if (!m) {
      m = new Map();
      this.bySwitch.set(datapathId, m);
    }
    const key = cookie & APP_COOKIE_MASK;
    let a = m.get(key);
    if (!a) {
      a = {
        cookie: key,
        added: 0,
        deletesSent: 0,
        removedIdle: 0,
        removedHard: 0,
        removedDelete: 0,
        live: 0,
      };
      m.set(key, a);
    }
    this.lastDp = datapathId;
    this.lastCookie = cookie;
    this.last = a;
    return a;
  }

  sent(datapathId: bigint, fm: FlowMod): void {
    if (fm.command === 'add') {
      const a = this.account(datapathId, fm.cookie);
      a.added++;
      a.live++;
    } else if (fm.command === 'delete' || fm.command === 'deleteStrict') {
      this.account(datapathId, fm.cookie).deletesSent++;
    }
  }

  removed(datapathId: bigint, fr: FlowRemoved): void {
    const a = this.account(datapathId, fr.cookie);
    if (fr.reason === OFPRR.IDLE_TIMEOUT) a.removedIdle++;
    else if (fr.reason === OFPRR.HARD_TIMEOUT) a.removedHard++;
    else a.removedDelete++;
    if (a.live > 0) a.live--;
  }

  forget(datapathId: bigint): void {
    this.bySwitch.delete(datapathId);
    if (datapathId === this.lastDp) this.last = undefined;
  }

  accounts(datapathId: bigint): CookieAccount[] {
    return [...(this.bySwitch.get(datapathId)?.values() ?? [])];
  }
}
