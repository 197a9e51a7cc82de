// The virtio-style NIC as a driver sees it (docs/nics.md "The virtio-style
// NIC"; virtio 1.x §4.1 and §5.1): PCI identity, BAR0's layout, the common
// configuration's fields, features, status bits, the net header.

export const VIRTIO_VENDOR_ID = 0x1af4;
/** 0x1040 + the virtio device type (1: network): a modern-only device. */
export const VIRTIO_NET_DEVICE_ID = 0x1041;
export const VIRTIO_NET_CLASS = 0x020000;
export const VIRTIO_NET_REVISION = 1;
/** Subsystem IDs as QEMU gives its virtio devices (Red Hat / Qumranet, 0x1100). */
export const VIRTIO_SUBSYSTEM_VENDOR_ID = 0x1af4;
export const VIRTIO_SUBSYSTEM_ID = 0x1100;

/** BAR0: 16 KiB holding every structure. */
export const BAR0_SIZE = 0x4000;
export const REGION = {
  COMMON: 0x0000,
  NOTIFY: 0x1000,
  ISR: 0x2000,
  DEVICE: 0x3000,
  MSIX_TABLE: 0x3800,
  MSIX_PBA: 0x3c00,
} as const;
export const COMMON_LENGTH = 0x38;
/** notify_off_multiplier: queue q's doorbell is at NOTIFY + 4 × queue_notify_off (= q). */
export const NOTIFY_MULTIPLIER = 4;
export const ISR_LENGTH = 1;
export const DEVICE_LENGTH = 8;
export const MSIX_VECTORS = 2;

/** virtio_pci_cap cfg_type values (§4.1.4). */
export const CFG_TYPE = { COMMON: 1, NOTIFY: 2, ISR: 3, DEVICE: 4 } as const;

/** Common configuration offsets (§4.1.4.3) and their widths. */
export const COMMON = {
  DEVICE_FEATURE_SELECT: 0x00,
  DEVICE_FEATURE: 0x04,
  DRIVER_FEATURE_SELECT: 0x08,
  DRIVER_FEATURE: 0x0c,
  CONFIG_MSIX_VECTOR: 0x10,
  NUM_QUEUES: 0x12,
  DEVICE_STATUS: 0x14,
  CONFIG_GENERATION: 0x15,
  QUEUE_SELECT: 0x16,
  QUEUE_SIZE: 0x18,
  QUEUE_MSIX_VECTOR: 0x1a,
  QUEUE_ENABLE: 0x1c,
  QUEUE_NOTIFY_OFF: 0x1e,
  QUEUE_DESC_LO: 0x20,
  QUEUE_DESC_HI: 0x24,
  QUEUE_DRIVER_LO: 0x28,
  QUEUE_DRIVER_HI: 0x2c,
  QUEUE_DEVICE_LO: 0x30,
  QUEUE_DEVICE_HI: 0x34,
} as const;

/** Feature bits (numbers, 0..63). */
export const FEATURE = { NET_MAC: 5, RING_EVENT_IDX: 29, VERSION_1: 32 } as const;
/** What the device offers, as two 32-bit words (bits 0..31, 32..63). */
export const OFFERED_FEATURES: readonly [number, number] = [
  ((1 << FEATURE.NET_MAC) | (1 << FEATURE.RING_EVENT_IDX)) >>> 0,
  1 << (FEATURE.VERSION_1 - 32),
];

/** device_status bits (§2.1). */
export const STATUS = {
  ACKNOWLEDGE: 1,
  DRIVER: 2,
  DRIVER_OK: 4,
  FEATURES_OK: 8,
  DEVICE_NEEDS_RESET: 0x40,
  FAILED: 0x80,
} as const;

/** ISR status bits (read to clear). */
export const ISR = { QUEUE: 1, CONFIG: 2 } as const;

/** The device's MSI-X vector "none" (queue_msix_vector / config_msix_vector). */
export const NO_VECTOR = 0xffff;

export const QUEUE_COUNT = 2;
export const RX_QUEUE = 0;
export const TX_QUEUE = 1;

/** virtio_net_hdr with VERSION_1: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers. */
export const NET_HDR_LENGTH = 12;
/** Ethernet header (14) and the largest payload (1500); an 802.1Q-tagged frame can be 4 bytes longer (1518). */
export const MAX_FRAME = 1514;
/** Without VIRTIO_NET_F_MRG_RXBUF each receive chain must hold a header and the largest frame (§5.1.6.3.1). */
export const MIN_RX_CHAIN = NET_HDR_LENGTH + MAX_FRAME;

/** Device configuration: mac (6) at 0, status (2) at 6 (bit 0: link up). */
export const DEVICE_CONFIG = { MAC: 0, STATUS: 6 } as const;
export const NET_S_LINK_UP = 1;
