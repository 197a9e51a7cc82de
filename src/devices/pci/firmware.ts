// What a BIOS does to the PCI bus before the guest runs (docs/nics.md
// "Firmware"), through configuration cycles only, as real firmware must: size
// each BAR (write all ones, read back), place it in the PCI memory window
// aligned to its size in device, function and BAR order, turn on memory
// decoding and bus mastering, and give each device an interrupt line (2, 3, ...
// in device order; they wrap around and share past 15). A function with an
// SR-IOV capability also gets its VF BARs placed (each one TotalVFs slices,
// after the function's own BARs); VF Enable and VF MSE are the PF driver's.

import type { AccessSize } from '../../machine/device.js';
import { BAR_COUNT, COMMAND, EXT_CAP, PCI } from './config-space.js';
import { SRIOV } from './sriov.js';

/** Configuration cycles on bus 0 (the PciBus, or a monitor's virtual bus). */
export interface ConfigCycles {
  functions(): readonly { device: number; function: number }[];
  configRead(device: number, func: number, offset: number, size?: AccessSize): number;
  configWrite(device: number, func: number, offset: number, size: AccessSize, value: number): void;
}

export const PCI_WINDOW = { base: 0xe000_0000, end: 0xf000_0000 } as const;
export const FIRST_PCI_LINE = 2;
const LAST_LINE = 15;

/** The size a BAR decodes, found as firmware finds it (0: no BAR there). Leaves the BAR as it found it. */
export function sizeBar(bus: ConfigCycles, device: number, func: number, n: number, reg = PCI.BAR0 + 4 * n): number {
  const saved = bus.configRead(device, func, reg, 4);
  bus.configWrite(device, func, reg, 4, 0xffffffff);
  const mask = bus.configRead(device, func, reg, 4) & ~0xf;
  bus.configWrite(device, func, reg, 4, saved);
  return mask === 0 ? 0 : (~mask + 1) >>> 0;
}

/** The offset of the function's extended capability `id`, walking the list from 0x100, or 0. */
export function findExtendedCapability(bus: ConfigCycles, device: number, func: number, id: number): number {
  let p = 0x100;
  for (let guard = 0; p >= 0x100 && guard < 960; guard++) {
    const h = bus.configRead(device, func, p, 4);
    if (h === 0 || h === 0xffffffff) return 0;
    if ((h & 0xffff) === id) return p;
    p = (h >>> 20) & ~3;
  }
  return 0;
}

/** Assign every function's BARs, command bits and interrupt line. A BAR that no longer fits stays at 0, decoding nothing. */
export function assignResources(bus: ConfigCycles): void {
  let next = PCI_WINDOW.base;
  /** Place the BAR at config offset `reg`: `slices` regions of `size`, aligned to `size`; one that does not fit stays 0. */
  const place = (device: number, func: number, reg: number, size: number, slices: number): void => {
    const at = Math.ceil(next / size) * size;
    if (at + size * slices > PCI_WINDOW.end) return;
    bus.configWrite(device, func, reg, 4, at);
    next = at + size * slices;
  };
  const lines = new Map<number, number>();
  for (const { device, function: func } of bus.functions()) {
    for (let n = 0; n < BAR_COUNT; n++) {
      const size = sizeBar(bus, device, func, n);
      if (size !== 0) place(device, func, PCI.BAR0 + 4 * n, size, 1);
    }
    const sriov = findExtendedCapability(bus, device, func, EXT_CAP.SRIOV);
    if (sriov !== 0) {
      const total = bus.configRead(device, func, sriov + SRIOV.TOTAL_VFS, 2);
      for (let n = 0; n < BAR_COUNT; n++) {
        const reg = sriov + SRIOV.VF_BAR0 + 4 * n;
        const size = sizeBar(bus, device, func, n, reg);
        if (size !== 0 && total > 0) place(device, func, reg, size, total);
      }
    }
    if (!lines.has(device)) lines.set(device, FIRST_PCI_LINE + (lines.size % (LAST_LINE - FIRST_PCI_LINE + 1)));
    if (bus.configRead(device, func, PCI.INTERRUPT_PIN, 1) !== 0) bus.configWrite(device, func, PCI.INTERRUPT_LINE, 1, lines.get(device)!);
    const command = bus.configRead(device, func, PCI.COMMAND, 2);
    bus.configWrite(device, func, PCI.COMMAND, 2, command | COMMAND.MEMORY | COMMAND.BUS_MASTER);
  }
}
