// The guest's platform: its own bus (the same port and guest-physical MMIO map
// as the real machine, rust-vmm IoManager style), built from a board of virtual
// devices as the machine is built from its own (by default a virtual interval
// timer and a virtual console), and the virtual interrupt lines they drive.
// Its devices reach memory through a DMA window of the VM's guest-physical RAM.
//
// The virtual timer is the machine's Timer model attached to a virtual context:
// its clock is the guest's clock (instructions the guest retired plus idle
// ticks), its line a virtual one. So a virtual tick falls at exactly the guest
// instruction count at which the real timer would have fired natively.

import { CONSOLE_IRQ } from '../../devices/console.js';
import { isPciFunctionHost } from '../../devices/pci/function.js';
import { Timer } from '../../devices/timer.js';
import { IRQ } from '../../isa/index.js';
import { buildBoard } from '../../machine/board.js';
import { Bus } from '../../machine/bus.js';
import type { AccessSize, BoardDevice, DeviceContext, DeviceFactory } from '../../machine/device.js';
import { WindowDma } from '../../machine/dma.js';
import type { Machine } from '../../machine/machine.js';
import type { VmLayout } from '../layout.js';
import { realConsoleBackend, VirtualConsole } from './virtual-console.js';

export interface PlatformState {
  lines: number;
  /** Each device's state by its name. */
  devices: Record<string, unknown>;
}

/** The devices every VM has: an interval timer, and a console if the machine has one to be its backend. */
export function virtualBoard(machine: Machine): DeviceFactory[] {
  const board: DeviceFactory[] = [(ctx) => new Timer(ctx)];
  if (machine.console) board.push(() => new VirtualConsole(realConsoleBackend(machine)));
  return board;
}

export class VirtualPlatform {
  readonly bus: Bus;
  readonly devices: readonly BoardDevice[];
  readonly timer: Timer;
  readonly console: VirtualConsole | undefined;
  /** Virtual lines raised by devices that drive them (the timer); the console's level is polled. */
  private lines = 0;

  /**
   * The guest's clock: instructions this VM retired plus its idle ticks. With
   * one VM on the machine it is the machine's clock (the default); on a host of
   * several, each VM's own, which stands still while other VMs run.
   */
  readonly clock: () => number;

  constructor(machine: Machine, layout: VmLayout, board: readonly DeviceFactory[] = virtualBoard(machine), clock?: () => number) {
    this.bus = new Bus(layout.guestSize);
    this.clock = clock ?? (() => machine.clock());
    const ctx: DeviceContext = {
      clock: this.clock,
      setIrq: (line, level) => {
        if (line < 0 || line >= IRQ.LINES) throw new RangeError(`interrupt line ${line} does not exist`);
        this.lines = level ? this.lines | (1 << line) : this.lines & ~(1 << line);
      },
      // A virtual device reaches guest-physical RAM only: the VM's window of host RAM.
      dma: new WindowDma(machine.mem, layout.base, layout.guestSize),
    };
    this.devices = buildBoard(this.bus, ctx, board);
    const timer = this.devices.find((d): d is Timer => d instanceof Timer);
    if (!timer) throw new Error('a virtual platform needs a timer: the guest clock drives it');
    this.timer = timer;
    this.console = this.devices.find((d): d is VirtualConsole => d instanceof VirtualConsole);
  }

  reset(): void {
    this.lines = 0;
    for (const d of this.devices) d.reset();
  }

  /** Virtual interrupt lines now raised (bit n = line n). */
  pendingLines(): number {
    return this.console?.level() ? this.lines | (1 << CONSOLE_IRQ) : this.lines;
  }

  /** Let the virtual timer catch up with the guest clock (a deadline reached raises its line). */
  catchUp(): void {
    const now = this.clock();
    if (this.timer.nextDeadline() <= now) this.timer.tick(now);
  }

  /** Whether the virtual timer's line is raised (and not yet acknowledged by the guest). */
  timerLineHigh(): boolean {
    return (this.lines & (1 << this.timer.line)) !== 0;
  }

  /** Guest clock value of the next virtual timer deadline, or Infinity. */
  nextDeadline(): number {
    return this.timer.nextDeadline();
  }

  /** A guest `in`: unmapped ports read all ones, as on the machine. Returns int32. */
  portRead(port: number): number {
    const r = this.bus.pioAt(port);
    return r ? r.device.read(port - r.base, 4) | 0 : -1;
  }

  portWrite(port: number, value: number): void {
    const r = this.bus.pioAt(port);
    if (r) r.device.write(port - r.base, 4, value >>> 0);
  }

  /** A guest load from a guest-physical address outside RAM; zero-extended to `size`. */
  mmioRead(gpa: number, size: AccessSize): number {
    const r = this.bus.mmioAt(gpa >>> 0);
    const v = r ? r.device.read((gpa >>> 0) - r.base, size) : 0xffffffff;
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  mmioWrite(gpa: number, size: AccessSize, value: number): void {
    const r = this.bus.mmioAt(gpa >>> 0);
    const v = size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
    if (r) r.device.write((gpa >>> 0) - r.base, size, v);
  }

  /** A pv `net_notify`: the queue notification of the PCI function at `routingId`; false if nothing answers it. */
  notifyPci(routingId: number, queue: number): boolean {
    for (const d of this.devices) if (isPciFunctionHost(d) && d.notifyFunction(routingId, queue)) return true;
    return false;
  }

  save(): PlatformState {
    return { lines: this.lines, devices: Object.fromEntries(this.devices.map((d) => [d.name, d.save()])) };
  }

  restore(s: PlatformState): void {
    this.lines = s.lines;
    for (const d of this.devices) d.restore(s.devices[d.name]);
  }
}
