// What the PF driver sets for each VF (its block in the PF's BAR: MAC, port
// VLAN, anti-spoofing and trust, VLAN filter entries, multicast table), and
// the questions the embedded switch asks of it. Kept by the PF for all 64 VFs,
// whether enabled or not; a VF's reset clears only what the VF asked for
// through the mailbox (VLAN filters, multicast table, MPE), not what the
// administrator gave it (MAC, port VLAN, anti-spoofing, trust).

import { RAH_AV, VALID, VF_CTL, VF_CTL_RESET, VF_MTA_WORDS, VF_VLAN_ENTRIES } from './registers.js';

export interface VfAdmin {
  /** MAC bytes 0..3 (MACL) and 4..5 with AV in bit 31 (MACH). */
  macLo: number;
  macHi: number;
  /** Port VLAN (1..4094), 0 for none. */
  portVlan: number;
  ctl: number;
  /** VLAN filter entries: VID | VALID, or 0. */
  vlans: number[];
  mta: number[];
}

export function resetAdmin(): VfAdmin {
  return { macLo: 0, macHi: 0, portVlan: 0, ctl: VF_CTL_RESET, vlans: new Array<number>(VF_VLAN_ENTRIES).fill(0), mta: new Array<number>(VF_MTA_WORDS).fill(0) };
}

/** The VF's own requests forgotten (its function-level reset). */
export function clearVfFilters(a: VfAdmin): void {
  a.vlans.fill(0);
  a.mta.fill(0);
  a.ctl &= ~VF_CTL.MPE;
}

export function isResetAdmin(a: VfAdmin): boolean {
  return a.macLo === 0 && a.macHi === 0 && a.portVlan === 0 && a.ctl === VF_CTL_RESET && a.vlans.every((v) => v === 0) && a.mta.every((v) => v === 0);
}

export function copyAdmin(a: VfAdmin): VfAdmin {
  return { ...a, vlans: [...a.vlans], mta: [...a.mta] };
}

/** Whether the VF has a valid MAC equal to the 6 bytes of `frame` at `offset`. */
export function macMatches(a: VfAdmin, frame: Uint8Array, offset: number): boolean {
  if ((a.macHi & RAH_AV) === 0) return false;
  const lo = a.macLo;
  const hi = a.macHi;
  return frame[offset] === (lo & 0xff) && frame[offset + 1] === ((lo >>> 8) & 0xff) && frame[offset + 2] === ((lo >>> 16) & 0xff)
    && frame[offset + 3] === (lo >>> 24) && frame[offset + 4] === (hi & 0xff) && frame[offset + 5] === ((hi >>> 8) & 0xff);
}

export function macBytesOf(a: VfAdmin): Uint8Array | undefined {
  if ((a.macHi & RAH_AV) === 0) return undefined;
  return Uint8Array.of(a.macLo & 0xff, (a.macLo >>> 8) & 0xff, (a.macLo >>> 16) & 0xff, a.macLo >>> 24, a.macHi & 0xff, (a.macHi >>> 8) & 0xff);
}

export function setMac(a: VfAdmin, mac: Uint8Array | undefined): void {
  if (!mac) {
    a.macLo = 0;
    a.macHi = 0;
    return;
  }
  a.macLo = (mac[0]! | (mac[1]! << 8) | (mac[2]! << 16) | (mac[3]! << 24)) >>> 0;
  a.macHi = (mac[4]! | (mac[5]! << 8) | RAH_AV) >>> 0;
}

/** Whether the VF may send tagged with VLAN `vid` (anti-spoofing). */
export function vfMayUse(a: VfAdmin, vid: number): boolean {
  if (a.portVlan !== 0) return vid === a.portVlan;
  return a.vlans.some((v) => (v & VALID) !== 0 && (v & 0xfff) === vid);
}

/** Whether frames of `vlan` (0: the untagged network) reach the VF. */
export function vfAccepts(a: VfAdmin, vlan: number): boolean {
  if (a.portVlan !== 0) return vlan === a.portVlan;
  return vlan === 0 || vfMayUse(a, vlan);
}

/** igb's 12-bit multicast hash (filter type 0) of the destination MAC. */
export function multicastHash(frame: Uint8Array): number {
  return ((frame[4]! >>> 4) | (frame[5]! << 4)) & 0xfff;
}

/** Whether the destination's hash has its bit (hash >> 5) set in the VF's 128-bit table. */
export function mtaHit(a: VfAdmin, frame: Uint8Array): boolean {
  const bit = multicastHash(frame) >>> 5;
  return (a.mta[bit >>> 5]! & (1 << (bit & 31))) !== 0;
}
