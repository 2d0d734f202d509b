// Each VIP answers ARP with a MAC of its own, so switches and hosts never see one MAC behind many
// addresses. The MAC is locally administered (IEEE 802: bit 1 of the first octet set, bit 0 clear for
// unicast) and carries the VIP's IPv4 address: 02:56:A:B:C:D for A.B.C.D.

export const VIP_MAC_PREFIX = 0x0256_0000_0000;

export function vipMac(ipv4: number): number {
  return VIP_MAC_PREFIX + (ipv4 >>> 0);
}

export function isVipMac(mac: number): boolean {
  return mac >= VIP_MAC_PREFIX && mac <= VIP_MAC_PREFIX + 0xffff_ffff;
}
