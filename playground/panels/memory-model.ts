// The memory panel's rows, without the DOM: 16 bytes a row, hex and ASCII,
// `??` for a byte that is not mapped or not RAM (as the debugger's `x`
// prints it, src/debug/views.ts memoryView); and where the view goes when it
// follows a register.

import { NUM_REGS } from '../../src/isa/arch.js';
import { regName } from '../../src/isa/registers.js';
import type { CpuView } from './registers-model.js';
import { hex2 } from './format.js';

/** Bytes read from `address` on; null for a byte that could not be read. */
export interface MemoryDump {
  address: number;
  bytes: ArrayLike<number | null>;
  /** `virtual` (through the guest's tables) or `physical`. */
  space?: string;
}

export interface MemoryRow {
  address: number;
  /** 16 cells (fewer on the last row): two hex digits or `??`. */
  hex: string[];
  ascii: string;
  /** Index in `hex` of the byte a followed register points at, or -1. */
  mark: number;
}

export const ROW_BYTES = 16;

export function memoryRows(dump: MemoryDump, marked?: number): MemoryRow[] {
  const rows: MemoryRow[] = [];
  const start = dump.address >>> 0;
  for (let off = 0; off < dump.bytes.length; off += ROW_BYTES) {
    const hex: string[] = [];
    let ascii = '';
    let mark = -1;
    for (let i = 0; i < ROW_BYTES && off + i < dump.bytes.length; i++) {
      const b = dump.bytes[off + i];
      if (marked !== undefined && ((start + off + i) >>> 0) === marked >>> 0) mark = i;
      if (b === null || b === undefined) {
        hex.push('??');
        ascii += ' ';
      } else {
        hex.push(hex2(b));
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      }
    }
    rows.push({ address: (start + off) >>> 0, hex, ascii, mark });
  }
  return rows;
}

/** What the view can follow: `pc` or a register by ABI name. */
export const FOLLOW_CHOICES: readonly string[] = ['pc', ...Array.from({ length: NUM_REGS }, (_, r) => regName(r)).filter((n) => n !== 'zero')];

/** The value a follow choice names now, or undefined for `none`/unknown. */
export function followValue(cpu: CpuView, follow: string): number | undefined {
  if (follow === 'pc') return cpu.pc >>> 0;
  for (let r = 0; r < NUM_REGS; r++) if (regName(r) === follow) return (cpu.regs[r] ?? 0) >>> 0;
  return undefined;
}

/** The first row's address for a view of `length` bytes that shows `target`: its row, a row of context above. */
export function viewStart(target: number, length: number): number {
  const row = (target >>> 0) - ((target >>> 0) % ROW_BYTES);
  return length > 2 * ROW_BYTES && row >= ROW_BYTES ? (row - ROW_BYTES) >>> 0 : row >>> 0;
}
