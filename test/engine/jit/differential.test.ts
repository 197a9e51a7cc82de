// The JIT against the reference interpreter on random programs: a loop (so
// its blocks get hot and compiled) over random instructions of every kind —
// ALU, loads and stores into a data area and sometimes anywhere (faults,
// MMIO, self-modifying stores into the loop itself), forward branches, jal,
// jalr, and now and then any word at all (system instructions, undefined
// ones) — with paging on or off, at ring 0 or 3, a timer interrupting, a trap
// handler that skips the faulting instruction, and runs cut into random
// budgets. Registers, pc, control registers, RAM, counters, stops and the
// sequence of traps must be identical.

import { describe, expect, it } from 'vitest';
import { createInterpreter } from '../../../src/engine/interp/index.js';
import { createJit, type JitEngine } from '../../../src/engine/jit/index.js';
import type { Engine } from '../../../src/engine/engine.js';
import { encode, INSTRUCTIONS, PTE, STATUS, type InsnDef, type OperandValue } from '../../../src/isa/index.js';
import { Machine } from '../../../src/machine/index.js';
import { assemble, li, type Row } from '../../machine/helpers.js';
import { randomWord, rng } from '../../support/random-code.js';

const BODY = 0x4000;
const DATA = 0x8000;
const DIR = 0x10000;
const PT = 0x11000;
const HANDLER = 0x2000;

const NON_SYSTEM = INSTRUCTIONS.filter((d) => d.sem.kind !== 'system');

/** One random instruction of the loop body at index i of n. */
function bodyWord(next: () => number, i: number, n: number, smc: boolean, back: boolean): number {
  const roll = next() % 100;
  if (roll < 3) return randomWord(next); // anything: system instructions, undefined words, faults
  const def: InsnDef = NON_SYSTEM[next() % NON_SYSTEM.length]!;
  const dst = 1 + (next() % 11); // r1..r11: s0 (data pointer), s1 (loop counter), s2, at stay intact
  const values: OperandValue[] = def.operands.map((spec, k) => {
    switch (spec.kind) {
      case 'reg': return k === 0 && def.sem.kind !== 'store' && def.sem.kind !== 'branch' ? dst : next() % 12;
      case 'simm16': return def.sem.kind === 'jalr' ? BODY + 4 * Math.max(0, i + (back ? (next() % 7) - 3 : 1 + (next() % 3))) : (next() % 64) - 32;
      case 'uimm16': return next() % 0x10000;
      case 'shamt': return next() % 32;
      case 'mem': {
        const r = next() % 10;
        if (r < 7) return { offset: (next() % 2048) & ~(r < 6 ? 3 : 0), base: 12 }; // data area, sometimes misaligned
        if (r < 8 && smc) return { offset: BODY + 4 * (next() % n), base: 0 }; // into the loop itself
        return { offset: (next() % 0x10000) - 0x8000, base: next() % 12 };
      }
      // Forward inside the body; with `back`, also backward and onto itself (loops the budget ends).
      case 'branch': return back ? 4 * (Math.max(-i, (next() % 9) - 4)) : 4 * (1 + (next() % 4));
      case 'jump': return back ? 4 * (Math.max(-i, (next() % 9) - 4)) : 4 * (1 + (next() % 4));
      default: return 0;
    }
  });
  if (def.sem.kind === 'jalr') values[1] = 0;
  return encode(def, values);
}

interface Setup { paging: boolean; ring: number; timer: number; smc: boolean; back?: boolean }

function build(seed: number, s: Setup): Machine {
  const next = rng(seed);
  const m = new Machine({ memorySize: 1 << 20, });
  const n = 24 + (next() % 40);
  const body: number[] = [];
  for (let i = 0; i < n; i++) body.push(bodyWord(next, i, n, s.smc, s.back ?? false));
  // The loop: s1 counts down; the body may have skipped or rewritten anything.
  const tail = assemble([['addi', 's1', 's1', -1], ['bne', 's1', 'zero', -(4 * (n + 1))], ['halt', 'a0']], BODY + 4 * n).words;
  [...body, ...tail].forEach((w, i) => m.mem.write32(BODY + 4 * i, w));
  for (let a = DATA; a < DATA + 0x1000; a += 4) m.mem.write32(a, next() | 0);

  const handler: Row[] = [
    ['mfcr', 'at', 'cause'], ['blt', 'at', 'zero', '@irq'],
    ['mfcr', 'at', 'epc'], ['addi', 'at', 'at', 4], ['mtcr', 'epc', 'at'], ['rett'],
    'irq:', ['out', 'zero', { offset: 0x21, base: 'zero' }], ['rett'],
  ];
  assemble(handler, HANDLER).words.forEach((w, i) => m.mem.write32(HANDLER + 4 * i, w));

  if (s.paging) {
    m.mem.write32(DIR, PT | PTE.P | PTE.W | PTE.U);
    for (let p = 0; p < 256; p++) {
      let e = (p << 12) | PTE.P | PTE.W | PTE.U;
      if (p === 0x9) e = 0; // not present
      if (p === 0xa) e &= ~PTE.W; // read-only
      if (p === 0xb) e = 0x200000 | PTE.P | PTE.W | PTE.U; // outside RAM
      if (p === 0xc) e &= ~PTE.U; // supervisor only
      m.mem.write32(PT + 4 * p, e);
    }
  }
  const status = (s.paging ? STATUS.PG : 0) | (s.timer ? STATUS.PIE : 0);
  const setup: Row[] = [
    ...li('at', HANDLER), ['mtcr', 'tvec', 'at'],
    ...li('s0', DATA), ['addi', 's1', 'zero', 200 + (next() % 200)],
    ...li('at', s.timer), ['out', 'at', { offset: 0x20, base: 'zero' }],
    ...li('at', DIR), ['mtcr', 'ptbr', 'at'],
    ...li('at', BODY), ['mtcr', 'epc', 'at'],
    ...li('at', (s.ring << 3) | status), ['mtcr', 'status', 'at'], ['rett'],
  ];
  assemble(setup, 0x1000).words.forEach((w, i) => m.mem.write32(0x1000 + 4 * i, w));
  m.reset(0x1000);
  return m;
}

function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function runWith(engine: (m: Machine) => Engine, seed: number, s: Setup) {
  const m = build(seed, s);
  const traps: string[] = [];
  m.trapHook = (mm, t) => { traps.push(`${mm.counters.steps}:${t.cause.toString(16)}@${t.pc.toString(16)}`); return 'deliver'; };
  const eng = engine(m);
  const next = rng(seed ^ 0x5a5a);
  const chunks: string[] = [];
  let total = 0;
  while (total < 60_000 && !m.stopped) {
    const r = eng.run(1 + (next() % 3000));
    chunks.push(`${r.stop.kind}:${r.steps}`);
    total += r.steps;
    if (r.steps === 0) break;
  }
  return {
    state: {
      regs: Array.from(m.cpu.regs), pc: m.cpu.pc, cr: Array.from(m.cpu.cr), ram: fnv(m.mem.u8),
      counters: { ...m.counters }, stopped: m.stopped, chunks, traps, console: m.console?.text() ?? '',
    },
    compiled: (eng as JitEngine).stats?.compiled ?? 0,
    blocks: (eng as JitEngine).stats?.blocks ?? 0,
  };
}

const SETUPS: Setup[] = [
  { paging: false, ring: 0, timer: 0, smc: false },
  { paging: false, ring: 0, timer: 700, smc: true },
  { paging: true, ring: 0, timer: 0, smc: false },
  { paging: true, ring: 3, timer: 500, smc: false },
  { paging: true, ring: 3, timer: 0, smc: true },
  { paging: false, ring: 3, timer: 300, smc: true },
  { paging: true, ring: 0, timer: 400, smc: true, back: true },
  { paging: true, ring: 3, timer: 0, smc: false, back: true },
];

describe('jit against interp on random programs', () => {
  for (const s of SETUPS) {
    it(`paging ${s.paging ? 'on' : 'off'}, ring ${s.ring}, timer ${s.timer || 'off'}${s.smc ? ', self-modifying' : ''}${s.back ? ', backward jumps' : ''}`, () => {
      let compiled = 0;
      let blocks = 0;
      let faults = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const a = runWith(createInterpreter, seed * 7919 + s.ring, s);
        const b = runWith(createJit, seed * 7919 + s.ring, s);
        expect(b.state, `seed ${seed}`).toEqual(a.state);
        compiled += b.compiled;
        blocks += b.blocks;
        faults += a.state.counters.exceptions;
      }
      // The comparison means something only if code got compiled and faults happened.
      expect(compiled).toBeGreaterThan(10);
      expect(blocks).toBeGreaterThan(2 * compiled); // regions chain blocks, not one block each
      expect(faults).toBeGreaterThan(0);
    });
  }
});
