// The e1000-like NIC's registers and bits, as docs/nics.md "The emulated NIC"
// lists them (Intel 8254x SDM §13 names). Offsets are into BAR0.

export const E1000_VENDOR_ID = 0x8086;
export const E1000_DEVICE_ID = 0x100e; // 82540EM
export const E1000_CLASS = 0x020000; // network controller, Ethernet
export const E1000_BAR_SIZE = 0x20000; // 128 KiB
/** QEMU's default MAC, used when the platform gives none. */
export const E1000_DEFAULT_MAC = '52:54:00:12:34:56';

export const REG = {
  CTRL: 0x0000,
  STATUS: 0x0008,
  ICR: 0x00c0,
  ICS: 0x00c8,
  IMS: 0x00d0,
  IMC: 0x00d8,
  RCTL: 0x0100,
  TCTL: 0x0400,
  RDBAL: 0x2800,
  RDBAH: 0x2804,
  RDLEN: 0x2808,
  RDH: 0x2810,
  RDT: 0x2818,
  TDBAL: 0x3800,
  TDBAH: 0x3804,
  TDLEN: 0x3808,
  TDH: 0x3810,
  TDT: 0x3818,
  GPRC: 0x4074,
  GPTC: 0x4080,
  RAL0: 0x5400,
  RAH0: 0x5404,
} as const;

export const CTRL_RST = 1 << 26;
export const STATUS_LU = 1 << 1;
/** virtlab: the device stopped on a malformed descriptor. */
export const STATUS_DERR = 1 << 31;

/** Interrupt causes (ICR, ICS, IMS, IMC bits). */
export const INT = {
  TXDW: 0x01,
  LSC: 0x04,
  RXO: 0x40,
  RXT0: 0x80,
  /** virtlab: device error. */
  DERR: 0x8000,
} as const;

export const RCTL = { EN: 1 << 1, UPE: 1 << 3, MPE: 1 << 4, BAM: 1 << 15 } as const;
export const TCTL_EN = 1 << 1;
export const RAH_AV = 1 << 31;

export const DESCRIPTOR_SIZE = 16;
/** RDLEN and TDLEN are multiples of this. */
export const RING_LENGTH_UNIT = 128;
export const RX_BUFFER_SIZE = 2048;
/** The longest frame the device sends or takes (a tagged 1500-byte payload, no FCS). */
export const MAX_FRAME = 1518;

/** TX descriptor CMD (byte 11) and STA (byte 12) bits. */
export const TX_CMD = { EOP: 0x01, IFCS: 0x02, RS: 0x08 } as const;
export const TX_STA_DD = 0x01;
/** RX descriptor status (byte 12) bits. */
export const RX_STA = { DD: 0x01, EOP: 0x02 } as const;
