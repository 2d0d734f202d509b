// The served pools (balancer/served-pool.ts) as the policy keeps them: a VIP port comes up (its trap flows
// on every switch, its gratuitous ARP), changes in place (members, algorithm, timeouts — clients keep their
// members), or goes down (its flows deleted, its clients forgotten).

import { createAlgorithm } from '../../balancer/algorithm-registry.js';
import type { ServedPool } from '../../balancer/served-pool.js';
import { APP_ID, appCookie, APP_COOKIE_MASK } from '../../controller/cookies.js';
import { ETH_TYPE_IPV4 } from '../../net/ethernet.js';
import { formatMac, parseMac } from '../../net/mac-address.js';
import { applyActions, flowMod, output } from '../../openflow/builders.js';
import { OFPP } from '../../openflow/model.js';
import { flowsGone } from './clients.js';
import { send, type LbAction } from './lb-actions.js';
import {
  addMember,
  keepsClients,
  newVip,
  VIP_COOKIE_MASK,
  vipCookie,
  type LbState,
  type VipRuntime,
} from './lb-state.js';
import { locateFromCache, memberGone } from './members.js';
import { vipArpFlows } from './vip-arp.js';

/**
 * Brings the state in line with `pools`: new VIP ports come up, removed ones go down, changed ones are
 * updated in place where they can be (see sameService).
 */
export function applyPools(state: LbState, now: number, pools: readonly ServedPool[]): LbAction[] {
  const out: LbAction[] = [];
  const wanted = new Map(pools.map((p) => [p.id, p]));
  for (const [id, v] of state.vips) {
    const p = wanted.get(id);
    if (!p || !sameService(v.pool, p)) {
      withdrawVip(state, v, out);
      state.vips.delete(id);
      if (!p) state.traffic.forgetPool(id);
    }
  }
  for (const p of pools) {
    const v = state.vips.get(p.id);
    if (!v) {
      const nv = newVip(state, p);
      for (const m of nv.members) locateFromCache(state, m);
      state.vips.set(p.id, nv);
      state.reindex();
      if (p.adminStateUp) announceVip(state, nv, out);
    } else {
      updatePool(state, v, p, out);
    }
  }
  state.reindex();
  return out;
}

/**
 * Whether a served pool can change in place. Its VIP address, port and MAC, its admin state and its client
 * key cannot: the clients' flows and affinity entries are bound to them. Anything else can (members, the
 * algorithm, timeouts), and the clients keep their members.
 */
function sameService(a: ServedPool, b: ServedPool): boolean {
  return (
    a.vip.address === b.vip.address &&
    a.vip.port === b.vip.port &&
    a.vip.mac === b.vip.mac &&
    a.adminStateUp === b.adminStateUp &&
    a.persistence.type === b.persistence.type
  );
}

function updatePool(state: LbState, v: VipRuntime, p: ServedPool, out: LbAction[]): void {
  if (p.algorithm !== v.pool.algorithm) v.algorithm = createAlgorithm(p.algorithm, state.settings);
  v.pool = p;
  v.timeoutMs = p.persistence.timeoutSeconds * 1000;
  const wanted = new Map(p.members.map((m) => [m.id, m]));
  for (const m of [...v.members]) {
    const c = wanted.get(m.id);
    if (!c || c.address !== m.config.address || c.port !== m.config.port) {
      memberGone(state, v, m, c ? 'changed' : 'deleted', out);
      v.members.splice(v.members.indexOf(m), 1);
      v.memberById.delete(m.id);
      v.memberBySlot.delete(m.slot);
      if (!c) state.traffic.forgetMember(p.id, m.id);
    }
  }
  p.members.forEach((c, position) => {
    const m = v.memberById.get(c.id);
    if (!m) {
      locateFromCache(state, addMember(state, v, c, position));
      return;
    }
    const wasKeeping = keepsClients(m);
    m.config = c;
    m.position = position;
    if (c.mac !== undefined) m.mac = parseMac(c.mac);
    if (wasKeeping && !keepsClients(m)) memberGone(state, v, m, 'disabled', out);
  });
  v.members.sort((a, b) => a.position - b.position);
  v.candidates = undefined;
}

function withdrawVip(state: LbState, v: VipRuntime, out: LbAction[]): void {
  for (const dp of state.datapaths) {
    out.push(
      send(dp, flowMod({ command: 'delete', cookie: vipCookie(v.index), cookieMask: VIP_COOKIE_MASK })),
    );
  }
  const t = v.clients;
  for (let c = 0; c < t.end; c++)
    if (t.live(c)) out.push({ kind: 'forget', pool: v.pool.id, client: t.keyText[c]! });
  t.clear();
  for (const m of v.members) {
    m.clients = 0;
    m.connections = 0;
  }
  out.push({
    kind: 'event',
    event: {
      type: 'vip-down',
      loadBalancer: v.pool.loadBalancerId,
      pool: v.pool.id,
      address: v.pool.vip.address,
    },
  });
}

function announceVip(state: LbState, v: VipRuntime, out: LbAction[]): void {
  for (const dp of state.datapaths) vipFlows(state, v, dp, out);
  out.push({
    kind: 'event',
    event: {
      type: 'vip-up',
      loadBalancer: v.pool.loadBalancerId,
      pool: v.pool.id,
      address: v.pool.vip.address,
      mac: formatMac(v.mac),
    },
  });
}

/** One VIP port's flows on one switch: its ARP (vip-arp.ts), and its packets to the controller. */
function vipFlows(state: LbState, v: VipRuntime, dp: bigint, out: LbAction[]): void {
  vipArpFlows(state, v, dp, out);
  // Below the clients' flows: only packets of clients without flows reach the controller.
  out.push(
    send(
      dp,
      flowMod({
        cookie: vipCookie(v.index),
        priority: state.settings.flowPriority - 1,
        match: { ethType: ETH_TYPE_IPV4, ipv4Dst: v.ip },
        instructions: [applyActions(output(OFPP.CONTROLLER))],
      }),
    ),
  );
}

/** A switch connected: start clean (our old flows there may be stale) and install every VIP's flows. */
export function switchUp(state: LbState, now: number, datapathId: bigint): LbAction[] {
  state.datapaths.add(datapathId);
  const out: LbAction[] = [removeAllFrom(datapathId)];
  for (const v of state.vips.values()) {
    if (!v.pool.adminStateUp) continue;
    vipFlows(state, v, datapathId, out);
    const t = v.clients;
    for (let c = 0; c < t.end; c++)
      if (t.live(c) && (t.datapathId[c] === datapathId || t.member[c]!.datapathId === datapathId))
        flowsGone(v, c, now);
  }
  return out;
}

export function switchDown(state: LbState, datapathId: bigint): void {
  state.datapaths.delete(datapathId);
  state.traffic.switchDown(datapathId);
}

/** Every flow of every VIP on every switch (the app stops). */
export function removeAll(state: LbState): LbAction[] {
  return [...state.datapaths].map(removeAllFrom);
}

function removeAllFrom(datapathId: bigint): LbAction {
  return send(
    datapathId,
    flowMod({ command: 'delete', cookie: appCookie(APP_ID.LOAD_BALANCER), cookieMask: APP_COOKIE_MASK }),
  );
}
