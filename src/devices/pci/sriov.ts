// The SR-IOV extended capability (PCIe Base Specification §9.3.3), for a
// physical function's configuration space: how many virtual functions it has
// and enables, where they sit (First VF Offset and VF Stride, in routing IDs
// after the PF's own), their device ID, and the VF BARs: each VF BAR n is one
// region of TotalVFs equal slices, VF i's BAR n at base + i * size. Sizing a VF
// BAR works as for a header BAR (all ones reads back ~(size - 1), the size of
// one VF's slice); firmware places them (firmware.ts), the PF driver writes
// NumVFs and sets VF Enable and VF MSE.

import { BAR_COUNT, EXT_CAP, type ConfigSpace } from './config-space.js';

/** Field offsets from the capability. */
export const SRIOV = {
  CAPABILITIES: 0x04,
  CONTROL: 0x08,
  STATUS: 0x0a,
  INITIAL_VFS: 0x0c,
  TOTAL_VFS: 0x0e,
  NUM_VFS: 0x10,
  FUNCTION_DEPENDENCY: 0x12,
  FIRST_VF_OFFSET: 0x14,
  VF_STRIDE: 0x16,
  VF_DEVICE_ID: 0x1a,
  SUPPORTED_PAGE_SIZES: 0x1c,
  SYSTEM_PAGE_SIZE: 0x20,
  VF_BAR0: 0x24,
  MIGRATION_STATE: 0x3c,
  LENGTH: 0x40,
} as const;

/** SR-IOV Control bits. */
export const SRIOV_CONTROL = { VF_ENABLE: 1 << 0, VF_MSE: 1 << 3 } as const;

export interface SriovOptions {
  totalVfs: number;
  /** Routing ID of VF 1 minus the PF's (PCIe: First VF Offset). */
  firstVfOffset: number;
  /** Routing ID distance between consecutive VFs. */
  vfStride: number;
  vfDeviceId: number;
  /** Size of each VF's slice of VF BAR n (powers of two, at least 16; 0: none). */
  vfBars: readonly number[];
}

/** The capability, as the PF (and its driver in the monitor) reads it. */
export class SriovCapability {
  private readonly sizes: number[] = [0, 0, 0, 0, 0, 0];

  constructor(private readonly config: ConfigSpace, readonly offset: number) {}

  get totalVfs(): number { return this.config.get16(this.offset + SRIOV.TOTAL_VFS); }
  /** NumVFs as written (the PF may refuse more than TotalVFs: see enabledVfs). */
  get numVfs(): number { return this.config.get16(this.offset + SRIOV.NUM_VFS); }
  get control(): number { return this.config.get16(this.offset + SRIOV.CONTROL); }
  get vfEnabled(): boolean { return (this.control & SRIOV_CONTROL.VF_ENABLE) !== 0; }
  get vfMemoryEnabled(): boolean { return (this.control & SRIOV_CONTROL.VF_MSE) !== 0; }
  /** The VFs that exist now: NumVFs (at most TotalVFs) while VF Enable is set, else 0. */
  get enabledVfs(): number { return this.vfEnabled ? Math.min(this.numVfs, this.totalVfs) : 0; }
  get firstVfOffset(): number { return this.config.get16(this.offset + SRIOV.FIRST_VF_OFFSET); }
  get vfStride(): number { return this.config.get16(this.offset + SRIOV.VF_STRIDE); }
  get vfDeviceId(): number { return this.config.get16(this.offset + SRIOV.VF_DEVICE_ID); }

  /** The routing ID (bus << 8 | device << 3 | function) of VF `index` (0-based) of the PF at `pfRoutingId`. */
  vfRoutingId(pfRoutingId: number, index: number): number {
    return pfRoutingId + this.firstVfOffset + index * this.vfStride;
  }

  /** The size of one VF's slice of VF BAR n (0: none). */
  vfBarSize(n: number): number {
    return this.sizes[n] ?? 0;
  }

  /** Where VF `index`'s BAR n decodes, or undefined (no such BAR, unassigned, VF MSE off, index past the enabled VFs). */
  vfBarAddress(n: number, index: number): number | undefined {
    const size = this.vfBarSize(n);
    if (size === 0 || !this.vfMemoryEnabled || index < 0 || index >= this.enabledVfs) return undefined;
    const base = this.config.get32(this.offset + SRIOV.VF_BAR0 + 4 * n) & ~(size - 1) & ~0xf;
    return base === 0 ? undefined : (base + index * size) >>> 0;
  }

  /** Set the size of VF BAR n's slices (the builder does this). */
  defineVfBar(n: number, size: number): void {
    if (!Number.isInteger(n) || n < 0 || n >= BAR_COUNT) throw new RangeError(`SR-IOV: no VF BAR ${n}`);
    if (!Number.isInteger(size) || size < 16 || size > 0x8000_0000 || (size & (size - 1)) !== 0) {
      throw new RangeError(`SR-IOV: VF BAR size ${size} is not a power of two from 16 to 2 GiB`);
    }
    this.sizes[n] = size;
    this.config.setWritable(this.offset + SRIOV.VF_BAR0 + 4 * n, 4, ~(size - 1) & ~0xf);
  }
}

/** Append the SR-IOV capability to `config`'s extended list (at 0x100 if it is the first). */
export function addSriovCapability(config: ConfigSpace, o: SriovOptions): SriovCapability {
  if (!Number.isInteger(o.totalVfs) || o.totalVfs < 1 || o.totalVfs > 0xffff) throw new RangeError(`SR-IOV: TotalVFs ${o.totalVfs}`);
  const off = config.addExtendedCapability(EXT_CAP.SRIOV, 1, SRIOV.LENGTH);
  config.set16(off + SRIOV.INITIAL_VFS, o.totalVfs);
  config.set16(off + SRIOV.TOTAL_VFS, o.totalVfs);
  config.set16(off + SRIOV.FIRST_VF_OFFSET, o.firstVfOffset);
  config.set16(off + SRIOV.VF_STRIDE, o.vfStride);
  config.set16(off + SRIOV.VF_DEVICE_ID, o.vfDeviceId);
  config.set32(off + SRIOV.SUPPORTED_PAGE_SIZES, 1); // 4 KiB only
  config.set32(off + SRIOV.SYSTEM_PAGE_SIZE, 1);
  config.setWritable(off + SRIOV.CONTROL, 2, SRIOV_CONTROL.VF_ENABLE | SRIOV_CONTROL.VF_MSE);
  config.setWritable(off + SRIOV.NUM_VFS, 2, 0xffff);
  const cap = new SriovCapability(config, off);
  o.vfBars.forEach((size, n) => { if (size) cap.defineVfBar(n, size); });
  return cap;
}
