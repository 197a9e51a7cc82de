// The timer device on its own, against a fake clock.

import { describe, expect, test } from 'vitest';
import { Timer } from '../../src/devices/timer.js';
import { WindowDma } from '../../src/machine/dma.js';
import { PhysicalMemory } from '../../src/machine/memory.js';

function fake() {
  const ctx = {
    now: 0, lines: new Map<number, boolean>(), dma: new WindowDma(new PhysicalMemory(4096), 0, 4096),
    clock() { return this.now; }, setIrq(line: number, level: boolean) { this.lines.set(line, level); },
  };
  return { ctx, timer: new Timer(ctx) };
}

describe('timer', () => {
  test('period write arms a deadline N ticks after the current clock', () => {
    const { ctx, timer } = fake();
    ctx.now = 7;
    timer.write(0, 4, 10);
    expect(timer.nextDeadline()).toBe(17);
    expect(timer.read(0, 4)).toBe(10);
    ctx.now = 17;
    timer.tick(17);
    expect(ctx.lines.get(0)).toBe(true);
    expect(timer.read(1, 4)).toBe(1);
    expect(timer.nextDeadline()).toBe(27);
  });
  test('ack lowers the line; period 0 disables', () => {
    const { ctx, timer } = fake();
    timer.write(0, 4, 5);
    timer.tick(5);
    timer.write(1, 4, 0);
    expect(ctx.lines.get(0)).toBe(false);
    timer.write(0, 4, 0);
    expect(timer.nextDeadline()).toBe(Infinity);
  });
  test('a tick long after the deadline skips whole periods', () => {
    const { timer } = fake();
    timer.write(0, 4, 10);
    timer.tick(35);
    expect(timer.nextDeadline()).toBe(40);
  });
  test('the clock register reads the low 32 bits', () => {
    const { ctx, timer } = fake();
    ctx.now = 2 ** 32 + 5;
    expect(timer.read(2, 4)).toBe(5);
  });
  test('save/restore', () => {
    const { timer } = fake();
    timer.write(0, 4, 3);
    const s = timer.save();
    timer.write(0, 4, 0);
    timer.restore(s);
    expect(timer.nextDeadline()).toBe(3);
  });
});
