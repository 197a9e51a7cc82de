// The guest's console: the same registers as the real one (docs/machine.md),
// emulated by the monitor. Bytes go to and come from the real console, which
// is the monitor's backend (as a chardev is QEMU's); the control register and
// so the guest's receive interrupt are virtual: the monitor never enables the
// real console's interrupt line, so the guest's choice cannot raise real
// interrupts the monitor would have to mask.

import { CONSOLE_CONTROL_RX_IRQ, CONSOLE_PORT_BASE, CONSOLE_REGS, CONSOLE_STATUS_INPUT } from '../../devices/console.js';
import type { AccessSize, BusDevice } from '../../machine/device.js';
import type { Machine } from '../../machine/machine.js';

export class VirtualConsole {
  readonly name = 'console';
  private control = 0;

  /** Port view: one register per port. */
  readonly pio: BusDevice = {
    read: (offset) => this.readReg(offset),
    write: (offset, _size, value) => this.writeReg(offset, value),
  };
  /** MMIO view: one register per 4 bytes. */
  readonly mmio: BusDevice = {
    read: (offset, _size: AccessSize) => (offset & 3) === 0 ? this.readReg(offset >>> 2) : 0,
    write: (offset, _size, value) => { if ((offset & 3) === 0) this.writeReg(offset >>> 2, value); },
  };

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

  restore(control: number): void {
    this.control = control;
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
