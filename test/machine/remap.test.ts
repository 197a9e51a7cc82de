// The machine's interrupt-remapping table (remapLine): a remapped line is
// message-signalled; posted to its VMCS's descriptor, or one request at the CPU.

import { describe, expect, test } from 'vitest';
import { Machine } from '../../src/machine/machine.js';
import { Vmcs, type VmxCounters } from '../../src/machine/vmx.js';

function setup(posted: boolean) {
  const m = new Machine({ console: false });
  const counters = { postedInterrupts: 0, postedWhileNotRunning: 0 } as VmxCounters;
  const vmcs = new Vmcs(counters);
  vmcs.controls.postedInterrupts = posted;
  m.remapLine(5, { vmcs, vline: 2 });
  return { m, vmcs, counters };
}

describe('remapped lines', () => {
  test('posted: each rising edge sets the PIR bit, nothing reaches the CPU; posted while not running sets ON', () => {
    const { m, vmcs, counters } = setup(true);
    m.setIrq(5, true);
    expect(m.irqPending).toBe(0);
    expect(vmcs.pid).toEqual({ pir: 1 << 2, on: true });
    m.setIrq(5, true); // still high: no new message
    expect(counters.postedWhileNotRunning).toBe(1);
    m.setIrq(5, false);
    m.setIrq(5, true);
    expect(counters.postedWhileNotRunning).toBe(2);
    expect(vmcs.takePosted()).toBe(2);
    expect(vmcs.pid).toEqual({ pir: 0, on: false });
    expect(counters.postedInterrupts).toBe(1);
  });

  test('not posted: one request per rising edge, acknowledged by taking it although the line stays high', () => {
    const { m, vmcs } = setup(false);
    m.cpu.cr[1] = 0x1000; // a vector to take it to
    m.setIrq(5, true);
    expect(m.irqPending).toBe(1 << 5);
    expect(vmcs.pid.pir).toBe(0);
    m.takeInterrupt();
    expect(m.cpu.cr[4]! >>> 0).toBe((0x80000000 | 5) >>> 0);
    expect(m.irqPending).toBe(0);
    m.setIrq(5, true);
    expect(m.irqPending).toBe(0);
    // A plain line is level-triggered: taking it does not lower it.
    m.setIrq(6, true);
    m.takeInterrupt();
    expect(m.irqPending).toBe(1 << 6);
  });

  test('a line high when remapped sends nothing until its next edge; removed, it is a plain line again', () => {
    const { m, vmcs } = setup(true);
    m.setIrq(7, true);
    m.remapLine(7, { vmcs, vline: 3 });
    expect(m.irqPending).toBe(0);
    expect(vmcs.pid.pir).toBe(0);
    m.setIrq(7, false);
    m.setIrq(7, true);
    expect(vmcs.pid.pir).toBe(1 << 3);
    m.remapLine(7, undefined);
    m.setIrq(7, true);
    expect(m.irqPending).toBe(1 << 7);
    expect(m.routeOf(7)).toBeUndefined();
  });

  test('one VMCS per line; lines that do not exist are refused', () => {
    const { m } = setup(true);
    const other = new Vmcs({} as VmxCounters);
    expect(() => m.remapLine(5, { vmcs: other, vline: 1 })).toThrow('machine: real line 5 is posted to another VMCS already');
    expect(() => m.remapLine(16, { vmcs: other, vline: 1 })).toThrow('interrupt line 16 does not exist');
    expect(() => m.remapLine(4, { vmcs: other, vline: 16 })).toThrow('virtual line 16 does not exist');
  });
});
