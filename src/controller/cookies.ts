// Every flow Vigil installs carries a cookie that names the app that owns it, so `ovs-ofctl dump-flows`
// shows whose a flow is and an app can delete its own flows with a cookie mask (OF1.3 spec 7.3.4.1)
// without touching anyone else's. Layout: 0x5647 ("VG") | app id (16 bits) | app-defined (32 bits).

export const VIGIL_COOKIE_TAG = 0x5647n;
/** Matches the tag and the app id: every flow of one app. */
export const APP_COOKIE_MASK = 0xffff_ffff_0000_0000n;
/** Matches the tag only: every flow Vigil installed. */
export const VIGIL_COOKIE_MASK = 0xffff_0000_0000_0000n;

/** App ids used by the apps in this repository. */
export const APP_ID = {
  CORE: 1,
  L2_LEARNING: 2,
  ARP_RESPONDER: 3,
  LINK_DISCOVERY: 4,
  LOAD_BALANCER: 5,
} as const;

export function appCookie(appId: number, value = 0): bigint {
  return (VIGIL_COOKIE_TAG << 48n) | (BigInt(appId & 0xffff) << 32n) | BigInt(value >>> 0);
}

export function cookieAppId(cookie: bigint): number | undefined {
  if (cookie >> 48n !== VIGIL_COOKIE_TAG) return undefined;
  return Number((cookie >> 32n) & 0xffffn);
}
