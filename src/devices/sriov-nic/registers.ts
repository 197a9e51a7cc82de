// The SR-IOV NIC's identities, register offsets and bits, as docs/nics.md
// "The SR-IOV NIC" lists them. Shaped after Intel's 82576 (igb for the PF,
// igbvf for the VFs): the VF's BAR is igbvf's layout; the PF's keeps igb's
// names but groups each VF's settings in one block, since virtlab's PF has 64
// VFs where the 82576 has 8 (its one-bit-per-VF registers become two words).

export const SRIOV_NIC_VENDOR_ID = 0x8086;
export const PF_DEVICE_ID = 0x10c9; // 82576
export const VF_DEVICE_ID = 0x10ca; // 82576 VF
export const NIC_CLASS = 0x020000;
export const TOTAL_VFS = 64;
export const PF_BAR_SIZE = 0x20000;
/** One VF's slice of VF BAR0: the data path (4 pages a monitor maps straight into a VM). */
export const VF_BAR_SIZE = 0x4000;
/** The VF BAR holding the MSI-X table and PBA (as the 82576 VF's), apart from the data path so that a monitor can trap it alone. */
export const VF_MSIX_BAR = 3;
/** One VF's slice of VF BAR3: one 4 KiB page (the System Page Size, the smallest a monitor can map or trap). */
export const VF_MSIX_BAR_SIZE = 0x1000;
/** Offsets in a VF's BAR3. */
export const VF_MSIX = { TABLE: 0x000, PBA: 0x800 } as const;
/** Routing-ID distance of VF 0 from the PF: the VFs start at the next device number. */
export const FIRST_VF_OFFSET = 8;
export const VF_STRIDE = 1;
export const DEFAULT_PF_MAC = '02:00:00:00:10:00';
/** PF RAR entries (RAL/RAH n): 0 is the PF's own MAC, the others more unicast addresses for the PF port. */
export const PF_RAR_ENTRIES = 16;

/** PF BAR0 (128 KiB). Two-word bitmaps: `_LO` VFs 0..31, `_LO + 4` VFs 32..63. */
export const PF_REG = {
  CTRL: 0x0000,
  STATUS: 0x0008,
  CTRL_EXT: 0x0018,
  ICR: 0x00c0,
  ICS: 0x00c8,
  IMS: 0x00d0,
  IMC: 0x00d8,
  /** VF posted a message (REQ), write 1 to clear. */
  MBVFICR_REQ: 0x0c80,
  /** VF acknowledged a PF message (ACK), write 1 to clear. */
  MBVFICR_ACK: 0x0c88,
  /** VF function-level reset events (FLR or VF CTRL.RST), write 1 to clear. */
  VFLRE: 0x0c90,
  /** VF receive enable. */
  VFRE: 0x0c98,
  /** VF transmit enable. */
  VFTE: 0x0ca0,
  /** Wrong VM behaviour: VFs whose frames were dropped as spoofed, write 1 to clear. */
  WVBR: 0x0cb0,
  /** Spoof events since reset (all VFs). */
  SPOOFCNT: 0x0cb8,
  /** P2VMAILBOX(n) at 0x1000 + 4n. */
  P2VMAILBOX: 0x1000,
  /** VMBMEM(n): VF n's 16 mailbox words at 0x2000 + 0x40n. */
  VMBMEM: 0x2000,
  /** VF n's block at 0x4000 + 0x40n (VF_BLOCK offsets). */
  VF_BLOCK: 0x4000,
  /** RAL(n) / RAH(n) at 0x5400 + 8n. */
  RAL: 0x5400,
  RAH: 0x5404,
} as const;

/** Offsets inside a VF's block of the PF BAR. */
export const VF_BLOCK = {
  SIZE: 0x40,
  /** MAC bytes 0..3. */
  MACL: 0x00,
  /** MAC bytes 4..5 in bits 15..0; bit 31 AV. */
  MACH: 0x04,
  /** Port VLAN (igb's VMVIR): VID in bits 11..0, bit 31 enabled. */
  VMVIR: 0x08,
  /** VF_CTL bits. */
  CTL: 0x0c,
  /** VLAN filter entries 0..3: VID in bits 11..0, bit 31 valid. */
  VLAN: 0x10,
  /** Multicast table: 128 bits, bit (hash12 >> 5) (hash12 as igb's: dst[4] >> 4 | dst[5] << 4). */
  MTA: 0x20,
  /** Counters (read-only, never cleared by reads): frames the VF sent, frames delivered to it, spoofed frames dropped, other drops. */
  GPTC: 0x30,
  GPRC: 0x34,
  SPOOFC: 0x38,
  DROPC: 0x3c,
} as const;

export const VF_VLAN_ENTRIES = 4;
export const MAX_VLAN_ID = 4094;
export const VF_MTA_WORDS = 4;

export const VF_CTL = {
  /** Drop frames whose source MAC is not the VF's. */
  MAC_ANTISPOOF: 1 << 0,
  /** Drop frames tagged with a VLAN the VF may not use. */
  VLAN_ANTISPOOF: 1 << 1,
  /** The PF driver's trust setting (policy only: the device does not look at it). */
  TRUST: 1 << 2,
  /** Multicast promiscuous. */
  MPE: 1 << 3,
  /** Accept broadcast. */
  BAM: 1 << 4,
} as const;
export const VF_CTL_RESET = VF_CTL.MAC_ANTISPOOF | VF_CTL.VLAN_ANTISPOOF | VF_CTL.BAM;
export const VF_CTL_WRITABLE = 0x1f;

export const PF_CTRL_RST = 1 << 26;
/** CTRL_EXT: the PF driver says its reset is done (VFs' RSTI becomes RSTD). */
export const PF_CTRL_EXT_PFRSTD = 1 << 14;
export const STATUS_LU = 1 << 1;
/** virtlab: the VF stopped on a malformed ring. */
export const STATUS_DERR = 0x8000_0000;
export const RAH_AV = 0x8000_0000;
export const VALID = 0x8000_0000;

/** PF interrupt causes (ICR/ICS/IMS/IMC). */
export const PF_INT = {
  /** A VF mailbox request, acknowledgement or function-level reset (igb's VMMB). */
  VMMB: 1 << 8,
  /** A VF's frame dropped as spoofed (igb's malicious driver detection). */
  MDD: 1 << 28,
} as const;

/** VF BAR0 (16 KiB, igbvf's offsets; the MSI-X table and PBA are in BAR3: VF_MSIX). */
export const VF_REG = {
  CTRL: 0x0000,
  STATUS: 0x0008,
  /** VMBMEM: 16 words. */
  VMBMEM: 0x0800,
  V2PMAILBOX: 0x0c40,
  GPRC: 0x0f10,
  GPTC: 0x0f14,
  GORC: 0x0f18,
  GOTC: 0x0f34,
  EICS: 0x1520,
  EIMS: 0x1524,
  EIMC: 0x1528,
  EICR: 0x1580,
  RDBAL: 0x2800,
  RDBAH: 0x2804,
  RDLEN: 0x2808,
  RDH: 0x2810,
  RDT: 0x2818,
  RXDCTL: 0x2828,
  TDBAL: 0x3800,
  TDBAH: 0x3804,
  TDLEN: 0x3808,
  TDH: 0x3810,
  TDT: 0x3818,
  TXDCTL: 0x3828,
} as const;

export const VF_CTRL_RST = 1 << 26;
/** RXDCTL / TXDCTL: the queue is enabled. */
export const QUEUE_ENABLE = 1 << 25;

/** VF interrupt causes (EICR bits) and the MSI-X vector each drives. */
export const VF_INT = {
  RX: 1 << 0,
  TX: 1 << 1,
  /** Mailbox: a PF message, a PF acknowledgement, reset done. */
  MAILBOX: 1 << 2,
  /** virtlab: device error. */
  DERR: 0x8000_0000,
} as const;
export const VF_VECTORS = 3;
export const VF_VECTOR = { RX: 0, TX: 1, OTHER: 2 } as const;

/** V2PMAILBOX bits (the VF's view). */
export const V2P = {
  REQ: 0x01,
  ACK: 0x02,
  VFU: 0x04,
  PFU: 0x08,
  PFSTS: 0x10,
  PFACK: 0x20,
  RSTI: 0x40,
  RSTD: 0x80,
  /** Read to clear: PFSTS, PFACK, RSTD. */
  R2C: 0xb0,
} as const;

/** P2VMAILBOX bits (the PF's view of VF n's mailbox). */
export const P2V = {
  STS: 0x01,
  ACK: 0x02,
  VFU: 0x04,
  PFU: 0x08,
  /** Take the buffer back from a VF that holds it. */
  RVFU: 0x10,
} as const;

export const MAILBOX_WORDS = 16;

/** Mailbox message word 0: type in bits 15..0, info in 23..16, reply flags on top. */
export const MSG = {
  VF_RESET: 0x01,
  SET_MAC_ADDR: 0x02,
  SET_MULTICAST: 0x03,
  SET_VLAN: 0x04,
  SET_LPE: 0x05,
  SET_PROMISC: 0x06,
  ACK: 0x8000_0000,
  NACK: 0x4000_0000,
  CTS: 0x2000_0000,
  INFO_SHIFT: 16,
  INFO_MASK: 0x00ff_0000,
  TYPE_MASK: 0xffff,
} as const;
