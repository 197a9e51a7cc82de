// The guest's console: the same registers as the real one (docs/machine.md),
// emulated by the monitor. Bytes go to and come from the real console, which
// is the monitor's backend (as a chardev is QEMU's); the control register and
// so the guest's receive interrupt are virtual: the monitor never enables the
// real console's interrupt line, so the guest's choice cannot raise real
// interrupts the monitor would have to mask.

import { CONSOLE_CONTROL_RX_IRQ, CONSOLE_MMIO_BASE, CONSOLE_MMIO_SIZE, CONSOLE_PORT_BASE, CONSOLE_REGS, CONSOLE_STATUS_INPUT } from '../../devices/console.js';
import { registerViews, type BoardDevice, type BusDevice, type BusMapping } from '../../machine/device.js';
import type { Machine } from '../../machine/machine.js';

export class VirtualConsole implements BoardDevice {
  readonly name = 'console';
  private control = 0;

  /** Port view (one register per port) and MMIO view (one register per 4 bytes). */
  private readonly views = registerViews((reg) => this.readReg(reg), (reg, value) => this.writeReg(reg, value));
  readonly pio: BusDevice = this.views.pio;
  readonly mmio: BusDevice = this.views.mmio;
  /** The real console's ranges, in the guest's port and guest-physical spaces. */
  readonly mappings: readonly BusMapping[] = [
    { space: 'pio', base: CONSOLE_PORT_BASE, length: 3, device: this.pio },
    { space: 'mmio', base: CONSOLE_MMIO_BASE, length: CONSOLE_MMIO_SIZE, device: this.mmio },
  ];

  constructor(private readonly machine: Machine) {}

  reset(): void {
    this.control = 0;
  }

  /** Level of the guest's receive interrupt line: enabled and input waiting in the backend. */
  level(): boolean {
    if ((this.control & CONSOLE_CONTROL_RX_IRQ) === 0) return false;
    return (this.machine.portRead(CONSOLE_PORT_BASE + CONSOLE_REGS.status) & CONSOLE_STATUS_INPUT) !== 0;
  }

  save(): number {
    return this.control;
  }

  restore(control: unknown): void {
    this.control = control as number;
  }

  private readReg(reg: number): number {
    switch (reg) {
      case CONSOLE_REGS.data:
      case CONSOLE_REGS.status:
        return this.machine.portRead(CONSOLE_PORT_BASE + reg) >>> 0;
      case CONSOLE_REGS.control: return this.control;
      default: return 0;
    }
  }

  private writeReg(reg: number, value: number): void {
    switch (reg) {
      case CONSOLE_REGS.data: this.machine.portWrite(CONSOLE_PORT_BASE + reg, value); break;
      case CONSOLE_REGS.control: this.control = value & CONSOLE_CONTROL_RX_IRQ; break;
    }
  }
}
