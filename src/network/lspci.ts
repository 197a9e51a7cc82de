// `--devices`: the PCI functions a guest can see, as lspci shows them: slot,
// class, vendor:device, the model, each BAR's address and size, and the
// interrupt line. Read through configuration cycles, so it shows what the
// guest's own enumeration would find (after firmware, or after the guest
// moved a BAR).

import { PciBus } from '../devices/pci/bus.js';
import type { MachineDevice } from '../machine/device.js';

const CLASS_NAMES: Record<number, string> = { 0x0200: 'Ethernet controller' };

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/** One line per function of `bus`, plus one per BAR. */
export function describePciBus(bus: PciBus): string[] {
  const lines: string[] = [];
  for (const { device, function: func, fn } of bus.functions()) {
    const id = bus.configRead(device, func, 0x00, 4);
    const klass = bus.configRead(device, func, 0x08, 4) >>> 8;
    const irq = bus.configRead(device, func, 0x3c, 1);
    const name = CLASS_NAMES[klass >>> 8] ?? `class ${hex(klass, 6)}`;
    lines.push(`00:${hex(device, 2)}.${func} ${name} [${hex(klass >>> 8, 4)}]: ${hex(id & 0xffff, 4)}:${hex(id >>> 16, 4)} ${fn.name}, IRQ ${irq}`);
    for (let n = 0; n < 6; n++) {
      const bytes = fn.config.barSize(n);
      if (bytes === 0) continue;
      const at = fn.config.barAddress(n);
      lines.push(`        BAR${n}: memory at ${at === undefined ? '(not decoded)' : '0x' + hex(at, 8)} (${size(bytes)})`);
    }
  }
  return lines;
}

/** The PCI bus among `devices`, if there is one. */
export function findPciBus(devices: readonly MachineDevice[]): PciBus | undefined {
  return devices.find((d): d is PciBus => d instanceof PciBus);
}
