// Test-only pieces for posted interrupts: a real device that raises its line
// at fixed clock values (an assigned function's interrupt vector, reduced to
// what the interrupt path sees), and a hw VM built around such devices.

import type { Image } from '../../../src/elf/image.js';
import { createInterpreter } from '../../../src/engine/interp/index.js';
import type { Engine } from '../../../src/engine/engine.js';
import { standardBoard } from '../../../src/machine/board.js';
import { registerViews, type BoardDevice, type BusMapping, type DeviceContext, type DeviceFactory } from '../../../src/machine/device.js';
import { Machine } from '../../../src/machine/machine.js';
import { HwMode } from '../../../src/vmm/modes/hw.js';
import { makeLayout, Monitor } from '../../../src/vmm/index.js';

/**
 * At each of its deadlines (machine clock values) an event: the count goes
 * up and the line is raised. Reading register 0 returns the count, clears
 * it and lowers the line (as a VF's interrupt cause register read to clear).
 */
export class PulseDevice implements BoardDevice {
  readonly mappings: readonly BusMapping[];
  private next = 0;
  private count = 0;

  constructor(readonly name: string, private readonly ctx: DeviceContext, base: number, readonly line: number, private readonly deadlines: readonly number[]) {
    const views = registerViews((reg) => (reg === 0 ? this.ack() : 0), () => {});
    this.mappings = [{ space: 'mmio', base, length: 0x1000, device: views.mmio }];
  }

  private ack(): number {
    const n = this.count;
    this.count = 0;
    this.ctx.setIrq(this.line, false);
    return n;
  }

  reset(): void {
    this.next = 0;
    this.count = 0;
  }

  save(): unknown {
    return { next: this.next, count: this.count };
  }

  restore(s: unknown): void {
    Object.assign(this, s as { next: number; count: number });
  }

  nextDeadline(): number {
    return this.deadlines[this.next] ?? Infinity;
  }

  tick(now: number): void {
    while (this.next < this.deadlines.length && this.deadlines[this.next]! <= now) {
      this.next++;
      this.count++;
      this.ctx.setIrq(this.line, true);
    }
  }
}

export interface PulseSpec {
  /** Real line, and the virtual line it is posted to the guest as. */
  line: number;
  vline: number;
  deadlines: readonly number[];
  /** Where the guest finds its register (guest-physical, outside guest RAM). */
  gpa: number;
}

/** Host-physical MMIO of the i-th pulse device (above any RAM these tests use). */
export const pulseHpa = (i: number): number => 0xe000_0000 + i * 0x1000;

export interface PostedVm {
  machine: Machine;
  monitor: Monitor;
  hw: HwMode;
  engine: Engine;
  devices: PulseDevice[];
  run(budget?: number): ReturnType<Engine['run']>;
}

/** A lone hw VM with pulse devices whose registers are mapped straight into the guest and whose lines are posted to it. */
export function postedVm(image: Image, specs: readonly PulseSpec[], posted: boolean, engine: (m: Machine) => Engine = createInterpreter): PostedVm {
  const layout = makeLayout();
  const devices: PulseDevice[] = [];
  const factories: DeviceFactory[] = specs.map((s, i) => (ctx) => {
    const d = new PulseDevice(`pulse${i}`, ctx, pulseHpa(i), s.line, s.deadlines);
    devices.push(d);
    return d;
  });
  const machine = new Machine({ memorySize: layout.ramSize, devices: [...standardBoard({}), ...factories] });
  const monitor = new Monitor(machine, layout, (m) => new HwMode(m, { posted }));
  const hw = monitor.mode as HwMode;
  specs.forEach((s, i) => {
    monitor.guest.assign({ gpa: s.gpa, hpa: pulseHpa(i), length: 0x1000 });
    hw.postLine(s.line, s.vline);
  });
  monitor.load(image);
  const e = engine(machine);
  return {
    machine, monitor, hw, engine: e, devices,
    run(budget = 10_000_000) {
      monitor.beforeRun();
      return e.run(budget);
    },
  };
}
