// What a BIOS does to the PCI bus before the guest runs (docs/nics.md
// "Firmware"), through configuration cycles only, as real firmware must: size
// each BAR (write all ones, read back), place it in the PCI memory window
// aligned to its size in device, function and BAR order, turn on memory
// decoding and bus mastering, and give each device an interrupt line (2, 3, ...
// in device order; they wrap around and share past 15).

import type { AccessSize } from '../../machine/device.js';
import { BAR_COUNT, COMMAND, PCI } from './config-space.js';

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
export function sizeBar(bus: ConfigCycles, device: number, func: number, n: number): number {
  const reg = PCI.BAR0 + 4 * n;
  const saved = bus.configRead(device, func, reg, 4);
  bus.configWrite(device, func, reg, 4, 0xffffffff);
  const mask = bus.configRead(device, func, reg, 4) & ~0xf;
  bus.configWrite(device, func, reg, 4, saved);
  return mask === 0 ? 0 : (~mask + 1) >>> 0;
}

/** Assign every function's BARs, command bits and interrupt line. A BAR that no longer fits stays at 0, decoding nothing. */
export function assignResources(bus: ConfigCycles): void {
  let next = PCI_WINDOW.base;
  const lines = new Map<number, number>();
  for (const { device, function: func } of bus.functions()) {
    for (let n = 0; n < BAR_COUNT; n++) {
      const size = sizeBar(bus, device, func, n);
      if (size === 0) continue;
      const at = Math.ceil(next / size) * size;
      if (at + size > PCI_WINDOW.end) continue;
      bus.configWrite(device, func, PCI.BAR0 + 4 * n, 4, at);
      next = at + size;
    }
    if (!lines.has(device)) lines.set(device, FIRST_PCI_LINE + (lines.size % (LAST_LINE - FIRST_PCI_LINE + 1)));
    if (bus.configRead(device, func, PCI.INTERRUPT_PIN, 1) !== 0) bus.configWrite(device, func, PCI.INTERRUPT_LINE, 1, lines.get(device)!);
    const command = bus.configRead(device, func, PCI.COMMAND, 2);
    bus.configWrite(device, func, PCI.COMMAND, 2, command | COMMAND.MEMORY | COMMAND.BUS_MASTER);
  }
}
