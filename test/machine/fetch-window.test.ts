// The fetch window (a monitor's translation cache): supervisor fetches inside
// it bypass the page tables, data accesses and ring-3 fetches do not.

import { describe, expect, test } from 'vitest';
import { CAUSE, EXC, PTE, STATUS, encode, lookupMnemonic, regNumber, type OperandValue } from '../../src/isa/index.js';
import { boot, crs, enterRing, HALTING_HANDLER, li, setTvec, type Row } from './helpers.js';

const DIR = 0x80000;
const WINDOW = 0xffc00000;
const CODE = 0x40000; // host-physical home of the window

function word(mnemonic: string, ...ops: OperandValue[]): number {
  return encode(lookupMnemonic(mnemonic)!, ops);
}
const reg = (name: string): number => regNumber(name)!;

/** Identity-map the first 1 MiB for every ring; nothing maps the window's virtual range. */
function identityMap(m: ReturnType<typeof boot>['m']): void {
  m.mem.write32(DIR, 0x81000 | PTE.P | PTE.W | PTE.U);
  for (let i = 0; i < 256; i++) m.mem.write32(0x81000 + 4 * i, (i << 12) | PTE.P | PTE.W | PTE.U);
}

const PAGING_ON: Row[] = [...li('at', DIR), ['mtcr', 'ptbr', 'at'], ...li('at', STATUS.PG), ['mtcr', 'status', 'at']];

describe('fetch window', () => {
  test('a supervisor jump into the window runs the code at its physical home; a load from it still faults', () => {
    const b = boot([...setTvec(), ...PAGING_ON, ...li('a0', WINDOW), ['jalr', 'zero', 'a0', 0], ...HALTING_HANDLER]);
    identityMap(b.m);
    b.m.fetchWindow = { base: WINDOW, size: 0x1000, phys: CODE };
    // In the window: s0 = 7, then a load from the window's own first word.
    [word('addi', reg('s0'), 0, 7), word('lw', reg('s1'), { offset: 0, base: reg('a0') })].forEach((w, i) => b.m.mem.write32(CODE + 4 * i, w));
    const r = b.eng.run(1000);
    expect(r.stop.kind).toBe('halted');
    expect(b.m.cpu.regs[reg('s0')]).toBe(7);
    const c = crs(b.m);
    expect(c.cause & CAUSE.CODE_MASK).toBe(EXC.PAGE_FAULT);
    expect(c.faultaddr).toBe(WINDOW);
    expect(c.epc).toBe(WINDOW + 4); // the load, at its window address
    expect(b.m.fetchPaddr(WINDOW + 4)).toBe(CODE + 4);
  });

  test('ring 3 does not see the window: its fetch there is an ordinary page fault', () => {
    const b = boot([...setTvec(), ...PAGING_ON, ...li('a0', WINDOW), ['mtcr', 'scratch', 'a0'],
      ...enterRing(3, 'user', STATUS.PG), 'user:', ['jalr', 'zero', 'a0', 0], ...HALTING_HANDLER]);
    identityMap(b.m);
    b.m.fetchWindow = { base: WINDOW, size: 0x1000, phys: CODE };
    b.m.mem.write32(CODE, word('addi', reg('s0'), 0, 7));
    const r = b.eng.run(1000);
    expect(r.stop.kind).toBe('halted');
    expect(b.m.cpu.regs[reg('s0')]).toBe(0);
    const c = crs(b.m);
    expect(c.cause).toBe((EXC.PAGE_FAULT | CAUSE.FETCH | CAUSE.USER) >>> 0);
    expect(c.epc).toBe(WINDOW);
  });

  test('without a window the same supervisor jump faults', () => {
    const b = boot([...setTvec(), ...PAGING_ON, ...li('a0', WINDOW), ['jalr', 'zero', 'a0', 0], ...HALTING_HANDLER]);
    identityMap(b.m);
    b.eng.run(1000);
    expect(crs(b.m).cause).toBe((EXC.PAGE_FAULT | CAUSE.FETCH) >>> 0);
    expect(b.m.fetchPaddr(WINDOW)).toBeUndefined();
  });
});
