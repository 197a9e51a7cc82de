// A small but complete guest for whole-machine tests: paging on, a ring-3 loop
// doing loads, stores and multiplications, system calls that print through
// the console, and timer interrupts every 37 instructions. It exercises every
// kind of state the snapshots and the journal must cover.

import { CR, PTE, STATUS } from '../../src/isa/index.js';
import type { Machine } from '../../src/machine/index.js';
import { boot, enterRing, li, setTvec, type Booted, type Row } from './helpers.js';

export const DIR = 0x80000;
const TABLE = 0x81000;

/** Identity-map the first 1 MiB (user, writable) with the directory at DIR. */
export function identityMap(m: Machine): void {
  m.mem.write32(DIR, TABLE | PTE.P | PTE.W | PTE.U);
  for (let i = 0; i < 256; i++) m.mem.write32(TABLE + i * 4, (i << 12) | PTE.P | PTE.W | PTE.U);
}

export const MINI_OS: Row[] = [
  ...setTvec(),
  ...li('at', DIR), ['mtcr', 'ptbr', 'at'],
  ['addi', 't0', 'zero', 37], ['out', 't0', { offset: 0x20, base: 'zero' }],
  ...enterRing(3, 'user', STATUS.PG | STATUS.PIE),
  'user:',
  ...li('s0', 0x40000),
  ['addi', 's1', 'zero', 0],
  ['addi', 's2', 'zero', 200],
  'uloop:',
  ['mul', 't0', 's1', 's1'],
  ['sw', 't0', { offset: 0, base: 's0' }],
  ['lw', 't1', { offset: 0, base: 's0' }],
  ['mulh', 't1', 't1', 't0'],
  ['sh', 't1', { offset: 2, base: 's0' }],
  ['addi', 's0', 's0', 4],
  ['addi', 's1', 's1', 1],
  ['andi', 't1', 's1', 15],
  ['bne', 't1', 'zero', '@skip'],
  ['addi', 'a0', 'zero', 1],
  ['srli', 'a1', 's1', 4],
  ['addi', 'a1', 'a1', 0x30],
  ['syscall'],
  'skip:',
  ['bne', 's1', 's2', '@uloop'],
  ['addi', 'a0', 'zero', 2],
  ['syscall'],
  'handler:',
  ['mtcr', 'scratch', 't0'],
  ['mfcr', 't0', 'cause'],
  ['blt', 't0', 'zero', '@irq'],
  ['addi', 't0', 'zero', 2],
  ['beq', 'a0', 't0', '@exit'],
  ['out', 'a1', { offset: 0x10, base: 'zero' }],
  ['mfcr', 't0', 'scratch'],
  ['rett'],
  'irq:',
  ['out', 'zero', { offset: 0x21, base: 'zero' }],
  ['addi', 'fp', 'fp', 1],
  ['mfcr', 't0', 'scratch'],
  ['rett'],
  'exit:',
  ['halt', 'fp'],
];

export function bootMiniOs(): Booted {
  const b = boot(MINI_OS);
  identityMap(b.m);
  return b;
}

/** Everything observable about a machine, for equality checks. */
export function fingerprint(m: Machine) {
  return {
    regs: Array.from(m.cpu.regs),
    pc: m.cpu.pc,
    cr: Array.from(m.cpu.cr),
    counters: { ...m.counters },
    tlb: m.tlb.entries(),
    irq: m.irqPending,
    out: m.console?.text(),
    stopped: m.stopped,
    ram: Buffer.from(m.mem.u8).toString('base64'),
  };
}

export { CR };
