// An instruction fetch whose guest page-table walk reaches outside guest RAM
// is the page fault the bare machine raises (the walk reads the missing table
// as not present), in every mode: under hw with EPT the walk itself exits
// (EPT violation) and the monitor must deliver the fault the guest's own walk
// implies, as it does for loads and stores (docs/virtualization.md).

import { describe, expect, test } from 'vitest';
import { CAUSE, CR, EXC } from '../../src/isa/index.js';
import type { Vm } from '../../src/vmm/index.js';
import { kernel, runVm, symbol } from './helpers.js';

/** The guest's trap registers as it sees them: natively the CPU's, under a monitor the mode's guest view. */
function guestTrap(vm: Vm) {
  const cr = (n: number) => (vm.monitor ? vm.monitor.guestCr(n) : vm.machine.cpu.cr[n]!) >>> 0;
  return { cause: cr(CR.cause), epc: cr(CR.epc), faultaddr: cr(CR.faultaddr) };
}

const MODES = [
  { name: 'trap', mode: 'trap' }, { name: 'bt', mode: 'bt' },
  { name: 'hw (EPT)', mode: 'hw', hw: { ept: true } }, { name: 'hw (no EPT)', mode: 'hw', hw: { ept: false } },
] as const;

// Paging on with a table base past the end of guest RAM (16 MiB): the next fetch walks nothing.
const image = kernel(`
        la      t0, handler
        mtcr    tvec, t0
        li      t0, 0x01000000
        mtcr    ptbr, t0
        mfcr    t0, status
        ori     t0, t0, 64              ; STATUS.PG
        mtcr    status, t0
after:  nop
        halt    zero
handler:
        halt    zero
`);

describe('a fetch through guest tables outside guest RAM', () => {
  const native = runVm(image, 'native', 50);
  const expected = guestTrap(native.vm);

  test('natively: a page fault on the fetch (cause 0x203), again at each fetch of the handler', () => {
    // The first fault is at `after`; the handler's own fetch walks the same missing tables.
    const handler = symbol(image, 'handler');
    expect(native.vm.machine.counters.excPageFault).toBeGreaterThan(10);
    expect(expected).toEqual({ cause: (EXC.PAGE_FAULT | CAUSE.FETCH) >>> 0, epc: handler, faultaddr: handler });
    expect(expected.cause).toBe(0x203);
  });

  test.each(MODES)('$name: the same fault as natively', (m) => {
    const v = runVm(image, m.mode, 50, 'hw' in m ? { hw: m.hw } : {});
    expect(guestTrap(v.vm)).toEqual(expected);
    expect(v.vm.monitor!.counters.reflectPageFault).toBeGreaterThan(0);
    expect(v.vm.monitor!.counters.reflectUndefined).toBe(0);
  });
});
