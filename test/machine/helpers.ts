// Tiny program builder for machine tests (the assembler is a separate part):
// a program is a list of `[mnemonic, ...operands]` rows and `'label:'` strings.
// Operands: numbers; register names ('a0', 'r5'); control-register names
// ('status'); `{ offset, base }` for mem/port operands (base may be a name);
// '@label' for branch/jump operands (made pc-relative) or, elsewhere, the
// label's absolute address.

import type { Image } from '../../src/elf/image.js';
import { CR_NAMES, encode, lookupMnemonic, regNumber, type OperandValue } from '../../src/isa/index.js';
import { Interpreter } from '../../src/engine/interp/index.js';
import { loadImage, Machine, type MachineOptions } from '../../src/machine/index.js';

export type Operand = number | string | { offset: number; base: number | string };
export type Row = readonly [string, ...Operand[]] | string;

export const ORG = 0x1000;

function reg(v: number | string): number {
  if (typeof v === 'number') return v;
  const r = regNumber(v);
  if (r === undefined) throw new Error(`not a register: ${v}`);
  return r;
}

export function assemble(rows: readonly Row[], org = ORG): { words: number[]; labels: Map<string, number> } {
  const labels = new Map<string, number>();
  let pc = org;
  for (const row of rows) {
    if (typeof row === 'string') labels.set(row.replace(/:$/, ''), pc);
    else pc += 4;
  }
  const words: number[] = [];
  pc = org;
  for (const row of rows) {
    if (typeof row === 'string') continue;
    const [mnemonic, ...ops] = row;
    const def = lookupMnemonic(mnemonic);
    if (!def) throw new Error(`unknown mnemonic ${mnemonic}`);
    const values: OperandValue[] = def.operands.map((spec, i) => {
      const v = ops[i];
      if (v === undefined) throw new Error(`${mnemonic}: missing operand ${i + 1}`);
      const label = (s: string): number => {
        const a = labels.get(s.slice(1));
        if (a === undefined) throw new Error(`unknown label ${s}`);
        return a;
      };
      switch (spec.kind) {
        case 'reg': return reg(v as number | string);
        case 'cr': return typeof v === 'string' ? CR_NAMES.indexOf(v as never) : v as number;
        case 'mem': case 'port': {
          const m = v as { offset: number; base: number | string };
          return { offset: m.offset, base: reg(m.base) };
        }
        case 'branch': case 'jump': return typeof v === 'string' ? label(v) - pc : v as number;
        default: return typeof v === 'string' ? label(v) : v as number;
      }
    });
    words.push(encode(def, values));
    pc += 4;
  }
  return { words, labels };
}

export function wordsToBytes(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return out;
}

export function textImage(words: readonly number[], org = ORG, extra: Image['sections'] = []): Image {
  const data = wordsToBytes(words);
  return {
    entry: org,
    sections: [{ name: '.text', addr: org, data, size: data.length, flags: { read: true, write: false, exec: true } }, ...extra],
    symbols: [],
    lines: [],
  };
}

export interface Booted {
  m: Machine;
  eng: Interpreter;
  labels: Map<string, number>;
}

/** Assemble rows at ORG, load them into a fresh machine, return it with an interpreter. */
export function boot(rows: readonly Row[], options: MachineOptions = {}): Booted {
  const { words, labels } = assemble(rows);
  const m = new Machine({ memorySize: 1 << 20, ...options });
  loadImage(m, textImage(words));
  return { m, eng: new Interpreter(m), labels };
}

/** Load a 32-bit constant into a register (lui + ori). */
export function li(rd: string, value: number): Row[] {
  return [['lui', rd, (value >>> 16) & 0xffff], ['ori', rd, rd, value & 0xffff]];
}

export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** Point TVEC at `label` (clobbers at). */
export function setTvec(label = 'handler'): Row[] {
  return [['ori', 'at', 'zero', '@' + label], ['mtcr', 'tvec', 'at']];
}

/** From ring 0, `rett` into `ring` at `label`, with extra STATUS bits (e.g. PG, PIE). Clobbers at. */
export function enterRing(ring: number, label: string, status = 0): Row[] {
  return [
    ['ori', 'at', 'zero', '@' + label], ['mtcr', 'epc', 'at'],
    ...li('at', (ring << 3) | status), ['mtcr', 'status', 'at'],
    ['rett'],
  ];
}

/** A trap handler that halts with exit code 0x7e, leaving CAUSE/EPC/FAULTADDR for the test to read. */
export const HALTING_HANDLER: Row[] = ['handler:', ['addi', 'a3', 'zero', 0x7e], ['halt', 'a3']];

/** Control registers of a machine, unsigned, by name. */
export function crs(m: Machine): { status: number; tvec: number; ptbr: number; faultaddr: number; cause: number; epc: number; scratch: number } {
  const c = m.cpu.cr;
  return { status: c[0]! >>> 0, tvec: c[1]! >>> 0, ptbr: c[2]! >>> 0, faultaddr: c[3]! >>> 0, cause: c[4]! >>> 0, epc: c[5]! >>> 0, scratch: c[6]! >>> 0 };
}
