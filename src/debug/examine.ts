// gdb's `x/NFU ADDR` beside `mem`: N units of U (b: byte, h: halfword, w:
// word; default w) shown as F (x: hex, the default; d: signed decimal; u:
// unsigned decimal), or N instructions (i), or N NUL-terminated strings (s).
// Memory is read as the other views read it (no side effects, `??` where
// nothing readable is), a unit byte by byte, little-endian, so an unaligned
// address shows the bytes that are there.

import { DebugError } from './errors.js';
import { hex8, plural } from './format.js';
import { ramAddress, type Space, type Translate } from './views.js';
import type { Machine } from '../machine/index.js';

export type ExamineFormat = 'x' | 'd' | 'u' | 'i' | 's';
export type ExamineUnit = 1 | 2 | 4;

export interface ExamineSpec {
  count: number;
  format: ExamineFormat;
  unit: ExamineUnit;
}

const UNITS: Record<string, ExamineUnit> = { b: 1, h: 2, w: 4 };
const FORMATS = new Set(['x', 'd', 'u', 'i', 's']);
/** Units a row: as gdb prints them. */
const PER_ROW: Record<ExamineUnit, number> = { 1: 8, 2: 8, 4: 4 };
/** The longest string x/s reads before it gives up on finding the NUL. */
export const MAX_STRING = 4096;

/** The `NFU` after `x/` (any of the three may be left out; F and U in either order). */
export function parseExamineSpec(text: string, maxCount: number): ExamineSpec {
  const m = /^(\d*)([a-z]*)$/i.exec(text);
  if (!m) throw new DebugError(`x/${text}: expected x/NFU, N a count in decimal, F one of x d u i s, U one of b h w (e.g. x/4xw)`);
  let format: ExamineFormat = 'x';
  let unit: ExamineUnit = 4;
  let seenF = false;
  let seenU = false;
  for (const ch of m[2]!.toLowerCase()) {
    if (FORMATS.has(ch) && !seenF) { format = ch as ExamineFormat; seenF = true; }
    else if (UNITS[ch] !== undefined && !seenU) { unit = UNITS[ch]!; seenU = true; }
    else if (ch === 'g') throw new DebugError(`x/${text}: no 8-byte units here (the machine's words are 4 bytes): use b, h or w`);
    else throw new DebugError(`x/${text}: '${ch}' is not a format (x d u i s) or a unit (b h w)${seenF || seenU ? ' not given already' : ''}`);
  }
  const count = m[1] === '' ? 1 : Number(m[1]);
  if (!Number.isSafeInteger(count) || count < 1 || count > maxCount) {
    throw new DebugError(`x/${text}: the count must be from 1 to ${maxCount}`);
  }
  return { count, format, unit };
}

/** One unit at `addr` (little-endian), or undefined when a byte of it is not readable. */
function readUnit(m: Machine, addr: number, size: ExamineUnit, space: Space, translate: Translate): number | undefined {
  let value = 0;
  for (let i = size - 1; i >= 0; i--) {
    const pa = ramAddress(m, (addr + i) >>> 0, space, translate);
    if (pa === undefined) return undefined;
    value = value * 256 + m.mem.u8[pa]!;
  }
  return value;
}

function unitText(value: number | undefined, spec: ExamineSpec): string {
  const digits = spec.unit * 2;
  if (value === undefined) return spec.format === 'x' ? '??'.padEnd(digits + 2) : '??';
  switch (spec.format) {
    case 'd': return String(value >= 2 ** (8 * spec.unit - 1) ? value - 2 ** (8 * spec.unit) : value);
    case 'u': return String(value);
    default: return '0x' + value.toString(16).padStart(digits, '0');
  }
}

/** x/NFU with F one of x d u: rows labelled by address. */
export function examineUnits(
  m: Machine, addr: number, spec: ExamineSpec, space: Space, translate: Translate, label: (addr: number) => string,
): string {
  const lines: string[] = [];
  const perRow = PER_ROW[spec.unit];
  for (let i = 0; i < spec.count; i += perRow) {
    const row = (addr + i * spec.unit) >>> 0;
    const cells: string[] = [];
    for (let k = i; k < Math.min(spec.count, i + perRow); k++) {
      cells.push(unitText(readUnit(m, (addr + k * spec.unit) >>> 0, spec.unit, space, translate), spec));
    }
    lines.push(`${label(row)}:  ${cells.join('  ')}`.trimEnd());
  }
  return lines.join('\n') + '\n';
}

function escapeByte(b: number): string {
  switch (b) {
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x22: return '\\"';
    case 0x5c: return '\\\\';
    default: return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
}

/** x/Ns: N strings from `addr`, each up to its NUL (at most MAX_STRING bytes; an unreadable byte ends it too). */
export function examineStrings(m: Machine, addr: number, count: number, space: Space, translate: Translate, label: (addr: number) => string): string {
  const lines: string[] = [];
  let at = addr >>> 0;
  for (let n = 0; n < count; n++) {
    let text = '';
    let end = '';
    let len = 0;
    for (;;) {
      if (at + len > 0xffffffff) { end = ' <end of the address space>'; break; }
      const pa = ramAddress(m, (at + len) >>> 0, space, translate);
      if (pa === undefined) { end = len === 0 ? '<not readable>' : ' <not readable after this>'; break; }
      const b = m.mem.u8[pa]!;
      if (b === 0) { len++; break; }
      if (len >= MAX_STRING) { end = `... <no NUL in ${MAX_STRING} bytes>`; break; }
      text += escapeByte(b);
      len++;
    }
    lines.push(`${label(at)}:  ${len === 0 && end !== '' ? end : `"${text}"${end}`}`);
    if (end !== '' || at + len > 0xffffffff) break; // nothing more to read after this one
    at = (at + len) >>> 0;
  }
  return lines.join('\n') + '\n';
}

/** Refuses `count` units of `size` bytes from `addr` when they would run past 0xffffffff (and wrap to 0), instead of wrapping. */
export function checkRange(verb: string, addr: number, count: number, size = 1, unit = 'byte'): void {
  const last = (addr >>> 0) + count * size - 1;
  if (last > 0xffffffff) {
    const room = Math.floor((0x100000000 - (addr >>> 0)) / size);
    throw new DebugError(`${verb}: ${plural(count, unit)} from ${hex8(addr)} run past 0xffffffff (the end of the address space); at most ${room} from there`);
  }
}
