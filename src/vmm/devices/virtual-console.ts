// The guest's console: the same registers as the real one (docs/machine.md),
// emulated by the monitor. Bytes go to and come from a backend (as a chardev is
// QEMU's): the real console when the VM is alone on the machine, a console of
// its own per VM on a host of several; the control register and
// so the guest's receive interrupt are virtual: the monitor never enables the
// real console's interrupt line, so the guest's choice cannot raise real
// interrupts the monitor would have to mask.

import { CONSOLE_CONTROL_RX_IRQ, CONSOLE_PORT_BASE, CONSOLE_REGS, CONSOLE_STATUS_INPUT, consoleMappings } from '../../devices/console.js';
import { registerViews, type BoardDevice, type BusDevice } from '../../machine/device.js';
import type { Machine } from '../../machine/machine.js';

/** Where the guest's bytes go and come from: the data and status registers of a console model. */
export interface ConsoleBackend {
  read(reg: number): number;
  write(reg: number, value: number): void;
}

/** The real console on the machine's ports (a VM alone on the machine). */
export function realConsoleBackend(machine: Machine): ConsoleBackend {
  return {
    read: (reg) => machine.portRead(CONSOLE_PORT_BASE + reg),
    write: (reg, value) => machine.portWrite(CONSOLE_PORT_BASE + reg, value),
  };
}

export class VirtualConsole implements BoardDevice {
  readonly name = 'console';
  private control = 0;

  /** Port view (one register per port) and MMIO view (one register per 4 bytes). */
  private readonly views = registerViews((reg) => this.readReg(reg), (reg, value) => this.writeReg(reg, value));
  readonly pio: BusDevice = this.views.pio;
  readonly mmio: BusDevice = this.views.mmio;
  /** The real console's ranges, in the guest's port and guest-physical spaces. */
  readonly mappings = consoleMappings(this.pio, this.mmio);

  constructor(private readonly backend: ConsoleBackend) {}

  reset(): void {
    this.control = 0;
  }

  /** Level of the guest's receive interrupt line: enabled and input waiting in the backend. */
  level(): boolean {
    if ((this.control & CONSOLE_CONTROL_RX_IRQ) === 0) return false;
    return (this.backend.read(CONSOLE_REGS.status) & CONSOLE_STATUS_INPUT) !== 0;
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
        return this.backend.read(reg) >>> 0;
      case CONSOLE_REGS.control: return this.control;
      default: return 0;
    }
  }

  private writeReg(reg: number, value: number): void {
    switch (reg) {
      case CONSOLE_REGS.data: this.backend.write(reg, value); break;
      case CONSOLE_REGS.control: this.control = value & CONSOLE_CONTROL_RX_IRQ; break;
    }
  }
}
