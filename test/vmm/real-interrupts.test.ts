// Real interrupts from any device of the board reach the monitor: a backend
// that claimed the line acknowledges it; a line nobody claimed stops the run
// with a message instead of interrupting the monitor for ever.

import { describe, expect, test } from 'vitest';
import { createInterpreter } from '../../src/engine/interp/index.js';
import { standardBoard } from '../../src/machine/board.js';
import type { BoardDevice, DeviceContext } from '../../src/machine/device.js';
import { Machine } from '../../src/machine/index.js';
import { Monitor } from '../../src/vmm/monitor.js';
import { makeLayout } from '../../src/vmm/layout.js';
import { TrapMode } from '../../src/vmm/modes/trap.js';
import { kernel } from './helpers.js';

const LINE = 5;

/** A real device that raises its line at a given machine clock, and lowers it when acknowledged. */
class Doorbell implements BoardDevice {
  readonly name = 'doorbell';
  readonly mappings = [];
  constructor(private readonly ctx: DeviceContext, private at: number) {}
  nextDeadline(): number { return this.at; }
  tick(): void { this.at = Infinity; this.ctx.setIrq(LINE, true); }
  ack(): void { this.ctx.setIrq(LINE, false); }
  reset(): void {}
  save(): unknown { return this.at; }
  restore(s: unknown): void { this.at = s as number; }
}

// A guest that counts to 2000 and halts with 7: the doorbell rings at clock 500.
const image = kernel(`
        li      t0, 0
        li      t1, 2000
1:      addi    t0, t0, 1
        blt     t0, t1, 1b
        li      a0, 7
        halt    a0
`);

function hostWithDoorbell() {
  const layout = makeLayout(1 << 20);
  let bell!: Doorbell;
  const machine = new Machine({ memorySize: layout.ramSize, devices: [...standardBoard(), (ctx) => (bell = new Doorbell(ctx, 500))] });
  const monitor = new Monitor(machine, layout, (m) => new TrapMode(m));
  monitor.load(image);
  return { machine, monitor, bell: () => bell, engine: createInterpreter(machine) };
}

describe('real interrupts of other devices', () => {
  test('a claimed line: its backend acknowledges it and the guest runs on, unaware', () => {
    const h = hostWithDoorbell();
    let rings = 0;
    h.monitor.claimRealLine(LINE, () => { rings++; h.bell().ack(); });
    const { stop } = h.engine.run(100_000);
    expect(stop).toMatchObject({ kind: 'halted', code: 7 });
    expect(rings).toBe(1);
    expect(h.monitor.counters.trapInterrupt).toBe(1);
    expect(h.monitor.counters.injected).toBe(0); // the guest never saw it
  });

  test('an unclaimed line stops the run with a message naming it', () => {
    const h = hostWithDoorbell();
    const { stop } = h.engine.run(100_000);
    expect(stop).toMatchObject({ kind: 'requested', reason: expect.stringMatching(/line 5, which no backend of the monitor claimed/) });
  });

  test('a backend that leaves its line raised is stopped rather than re-entered for ever', () => {
    const h = hostWithDoorbell();
    h.monitor.claimRealLine(LINE, () => {});
    const { stop } = h.engine.run(100_000);
    expect(stop).toMatchObject({ kind: 'requested', reason: expect.stringMatching(/line 5 left it raised/) });
  });

  test('a line is claimed once; the timer line is the monitor\'s own', () => {
    const h = hostWithDoorbell();
    expect(() => h.monitor.claimRealLine(0, () => {})).toThrow(/claimed already/);
    h.monitor.claimRealLine(LINE, () => {});
    expect(() => h.monitor.claimRealLine(LINE, () => {})).toThrow(/claimed already/);
  });
});
