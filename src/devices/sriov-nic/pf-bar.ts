// The PF's BAR0 (128 KiB, 32-bit accesses; docs/nics.md "The SR-IOV NIC"):
// the registers the PF driver uses to run the VFs, decoded onto the SriovNic's
// state. Unlisted offsets read 0 and ignore writes.

import type { SriovNic } from './pf.js';
import {
  MAILBOX_WORDS, MAX_VLAN_ID, PF_CTRL_EXT_PFRSTD, PF_CTRL_RST, PF_RAR_ENTRIES, PF_REG, RAH_AV, STATUS_LU, TOTAL_VFS, VALID,
  VF_BLOCK, VF_CTL_WRITABLE, VF_MTA_WORDS, VF_VLAN_ENTRIES,
} from './registers.js';
import type { VfBitmap } from './bitmap.js';

/** The two-word bitmap registers: which bitmap, and whether writes clear (W1C) or set. */
function bitmapAt(nic: SriovNic, offset: number): { map: VfBitmap; word: number; w1c: boolean } | undefined {
  const table: [number, VfBitmap, boolean][] = [
    [PF_REG.MBVFICR_REQ, nic.mailbox.requests, true],
    [PF_REG.MBVFICR_ACK, nic.mailbox.acks, true],
    [PF_REG.VFLRE, nic.vflre, true],
    [PF_REG.VFRE, nic.vfre, false],
    [PF_REG.VFTE, nic.vfte, false],
    [PF_REG.WVBR, nic.wvbr, true],
  ];
  for (const [base, map, w1c] of table) if (offset === base || offset === base + 4) return { map, word: (offset - base) >>> 2, w1c };
  return undefined;
}

export function pfBarRead(nic: SriovNic, offset: number): number {
  const r = nic.regs;
  switch (offset) {
    case PF_REG.CTRL: return r.ctrl;
    case PF_REG.STATUS: return STATUS_LU;
    case PF_REG.CTRL_EXT: return r.ctrlExt;
    case PF_REG.ICR: {
      const v = r.icr;
      r.icr = 0;
      nic.updateInterrupt();
      return v;
    }
    case PF_REG.IMS: return r.ims;
    case PF_REG.SPOOFCNT: return nic.spoofEvents >>> 0;
    default: break;
  }
  const bits = bitmapAt(nic, offset);
  if (bits) return bits.map.word(bits.word);
  if (offset >= PF_REG.P2VMAILBOX && offset < PF_REG.P2VMAILBOX + 4 * TOTAL_VFS) return nic.boxes[(offset - PF_REG.P2VMAILBOX) >>> 2]!.pfRead();
  if (offset >= PF_REG.VMBMEM && offset < PF_REG.VMBMEM + 0x40 * TOTAL_VFS) {
    const vf = (offset - PF_REG.VMBMEM) >>> 6;
    const i = ((offset - PF_REG.VMBMEM) & 0x3f) >>> 2;
    return i < MAILBOX_WORDS ? nic.boxes[vf]!.mem[i]! : 0;
  }
  if (offset >= PF_REG.VF_BLOCK && offset < PF_REG.VF_BLOCK + VF_BLOCK.SIZE * TOTAL_VFS) return vfBlockRead(nic, (offset - PF_REG.VF_BLOCK) >>> 6, offset & 0x3f);
  if (offset >= PF_REG.RAL && offset < PF_REG.RAL + 8 * PF_RAR_ENTRIES) return nic.rar[(offset - PF_REG.RAL) >>> 2]!;
  return 0;
}

export function pfBarWrite(nic: SriovNic, offset: number, v: number): void {
  const r = nic.regs;
  switch (offset) {
    case PF_REG.CTRL:
      if (v & PF_CTRL_RST) nic.softReset();
      else r.ctrl = v;
      return;
    case PF_REG.CTRL_EXT:
      r.ctrlExt = v & ~PF_CTRL_EXT_PFRSTD;
      if (v & PF_CTRL_EXT_PFRSTD) nic.pfResetDone();
      return;
    case PF_REG.ICR: r.icr &= ~v; nic.updateInterrupt(); return;
    case PF_REG.ICS: nic.cause(v); return;
    case PF_REG.IMS: r.ims |= v; nic.updateInterrupt(); return;
    case PF_REG.IMC: r.ims &= ~v; nic.updateInterrupt(); return;
    default: break;
  }
  const bits = bitmapAt(nic, offset);
  if (bits) {
    if (bits.w1c) bits.map.clearWord(bits.word, v);
    else bits.map.setWord(bits.word, v);
    return;
  }
  if (offset >= PF_REG.P2VMAILBOX && offset < PF_REG.P2VMAILBOX + 4 * TOTAL_VFS) {
    const vf = (offset - PF_REG.P2VMAILBOX) >>> 2;
    if (vf < nic.vfCount) nic.boxes[vf]!.pfWrite(v);
    return;
  }
  if (offset >= PF_REG.VMBMEM && offset < PF_REG.VMBMEM + 0x40 * TOTAL_VFS) {
    const vf = (offset - PF_REG.VMBMEM) >>> 6;
    nic.boxes[vf]!.pfWriteMem(((offset - PF_REG.VMBMEM) & 0x3f) >>> 2, v);
    return;
  }
  if (offset >= PF_REG.VF_BLOCK && offset < PF_REG.VF_BLOCK + VF_BLOCK.SIZE * TOTAL_VFS) return vfBlockWrite(nic, (offset - PF_REG.VF_BLOCK) >>> 6, offset & 0x3f, v);
  if (offset >= PF_REG.RAL && offset < PF_REG.RAL + 8 * PF_RAR_ENTRIES) {
    const i = (offset - PF_REG.RAL) >>> 2;
    nic.rar[i] = (i & 1) === 1 ? v & (RAH_AV | 0xffff) : v;
  }
}

function vfBlockRead(nic: SriovNic, vf: number, off: number): number {
  const a = nic.admin[vf]!;
  const c = nic.counters[vf]!;
  switch (off) {
    case VF_BLOCK.MACL: return a.macLo;
    case VF_BLOCK.MACH: return a.macHi;
    case VF_BLOCK.VMVIR: return a.portVlan === 0 ? 0 : (VALID | a.portVlan) >>> 0;
    case VF_BLOCK.CTL: return a.ctl;
    case VF_BLOCK.GPTC: return c.txFrames >>> 0;
    case VF_BLOCK.GPRC: return c.rxFrames >>> 0;
    case VF_BLOCK.SPOOFC: return (c.spoofMac + c.spoofVlan) >>> 0;
    case VF_BLOCK.DROPC: return (c.txDropped + c.rxDropped) >>> 0;
    default: break;
  }
  if (off >= VF_BLOCK.VLAN && off < VF_BLOCK.VLAN + 4 * VF_VLAN_ENTRIES) return a.vlans[(off - VF_BLOCK.VLAN) >>> 2]!;
  if (off >= VF_BLOCK.MTA && off < VF_BLOCK.MTA + 4 * VF_MTA_WORDS) return a.mta[(off - VF_BLOCK.MTA) >>> 2]!;
  return 0;
}

function vfBlockWrite(nic: SriovNic, vf: number, off: number, v: number): void {
  const a = nic.admin[vf]!;
  switch (off) {
    case VF_BLOCK.MACL: a.macLo = v; return;
    case VF_BLOCK.MACH: a.macHi = (v & (RAH_AV | 0xffff)) >>> 0; return;
    case VF_BLOCK.VMVIR: {
      const vid = v & 0xfff;
      a.portVlan = (v & VALID) !== 0 && vid >= 1 && vid <= MAX_VLAN_ID ? vid : 0;
      return;
    }
    case VF_BLOCK.CTL: a.ctl = v & VF_CTL_WRITABLE; return;
    default: break;
  }
  if (off >= VF_BLOCK.VLAN && off < VF_BLOCK.VLAN + 4 * VF_VLAN_ENTRIES) {
    const vid = v & 0xfff;
    a.vlans[(off - VF_BLOCK.VLAN) >>> 2] = (v & VALID) !== 0 && vid >= 1 && vid <= MAX_VLAN_ID ? (VALID | vid) >>> 0 : 0;
    return;
  }
  if (off >= VF_BLOCK.MTA && off < VF_BLOCK.MTA + 4 * VF_MTA_WORDS) a.mta[(off - VF_BLOCK.MTA) >>> 2] = v;
}
