// Text views of the machine: the location line, registers, memory dump,
// disassembly, breakpoint table. They only read: a virtual address is
// translated as the CPU would translate it now (a cached TLB entry if there
// is one, even a stale one, else the page tables in RAM), but without a TLB
// fill, an A/D-bit update or a counter; and device memory is never read.

import { CAUSE, CR, CR_NAMES, disassembleWord, EXC_NAMES, NUM_REGS, PAGE_SHIFT, PAGE_SIZE, regName, STATUS } from '../isa/index.js';
import type { Machine } from '../machine/index.js';
import type { TcPlace } from '../trace/bt-view.js';
import type { Monitor } from '../vmm/index.js';
import { ACCESS_WORDS, type Point } from './breakpoints.js';
import { hex8 } from './format.js';
import type { SymbolTable } from './symbols.js';

export type Space = 'virtual' | 'physical';

/** Where virtual `va` leads now, without side effects; undefined when not mapped. */
export function peekTranslate(m: Machine, va: number): number | undefined {
  if (m.cpu.paging) {
    const set = m.tlb.lookup(va >>> PAGE_SHIFT);
    if (set >= 0) return (m.tlb.frame[set]! | (va & (PAGE_SIZE - 1))) >>> 0;
  }
  return m.translateDebug(va)?.paddr;
}

/** A virtual-to-physical translation for the views (host-physical, side-effect free). */
export type Translate = (va: number) => number | undefined;

/**
 * The guest's view under a monitor: through the guest's own page tables (the
 * shadow holds only what the guest touched so far), falling back to the real
 * translation (the monitor's own mappings).
 */
export function guestTranslator(m: Machine, monitor: Monitor | undefined): Translate {
  if (!monitor) return (va) => peekTranslate(m, va);
  return (va) => {
    const gpa = monitor.guestTranslate(va);
    return gpa !== undefined && monitor.guest.contains(gpa) ? monitor.guest.host(gpa) : peekTranslate(m, va);
  };
}

/** Physical address of `addr` in `space`, or undefined when not mapped or not RAM. */
export function ramAddress(m: Machine, addr: number, space: Space, translate?: Translate): number | undefined {
  const pa = space === 'physical' ? addr >>> 0 : (translate ?? ((va: number) => peekTranslate(m, va)))(addr);
  return pa === undefined || pa >= m.mem.size ? undefined : pa;
}

/** The word at `addr` (unsigned), or undefined when not readable. */
export function readWord(m: Machine, addr: number, space: Space = 'virtual', translate?: Translate): number | undefined {
  if ((addr & 3) !== 0) return undefined;
  const pa = ramAddress(m, addr, space, translate);
  return pa === undefined ? undefined : m.mem.i32[pa >>> 2]! >>> 0;
}

/** `<sym+off>` with a leading space, or ''. */
export function symbolSuffix(sym: SymbolTable, addr: number): string {
  const d = sym.describe(addr);
  return d === undefined ? '' : ` <${d}>`;
}

/** The disassembly of the instruction at virtual `pc`, as the CPU would fetch it now. */
export function instructionText(m: Machine, sym: SymbolTable, pc: number, translate?: Translate): string {
  if ((pc & 3) !== 0) return '<misaligned pc>';
  const pa = translate ? translate(pc) : peekTranslate(m, pc);
  if (pa === undefined) return '<not mapped>';
  if (pa >= m.mem.size) return '<not in RAM>';
  return disassembleWord(m.mem.i32[pa >>> 2]! >>> 0, pc >>> 0, (a) => sym.nameAt(a));
}

/** `0x00001010 <_start+16> guests/hello.s:12   addi a0, a0, 1` */
export function locationLine(m: Machine, sym: SymbolTable, pc: number, translate?: Translate): string {
  const line = sym.lineOf(pc);
  const where = line ? ` ${line.file}:${line.line}` : '';
  return `${hex8(pc)}${symbolSuffix(sym, pc)}${where}   ${instructionText(m, sym, pc, translate)}`;
}

function statusText(st: number): string {
  const parts = [`ring ${st & STATUS.CPL_MASK}`];
  if (st & STATUS.IE) parts.push('IE');
  if (st & STATUS.PG) parts.push('PG');
  parts.push(`PPL ${(st & STATUS.PPL_MASK) >>> STATUS.PPL_SHIFT}`);
  if (st & STATUS.PIE) parts.push('PIE');
  const user = (st & STATUS.USER_MASK) >>> 8;
  if (user) parts.push(`flags ${'0x' + user.toString(16)}`);
  return parts.join(' ');
}

function causeText(cause: number): string {
  if (cause === 0) return 'none';
  if (cause & CAUSE.INTERRUPT) return `interrupt line ${cause & CAUSE.CODE_MASK}`;
  return EXC_NAMES[cause & CAUSE.CODE_MASK] ?? `exception ${cause & CAUSE.CODE_MASK}`;
}

/**
 * Every register: r0..r15 with ABI names, pc, ring, and the control registers
 * (decoded where useful). Under a monitor the ring and control registers are
 * the guest's (its virtual CPU), and one last line shows the real ring and STATUS.
 * `pc` is the guest's pc; under bt, when the CPU runs a translation of it, the
 * last line shows the real (translation-cache) pc too.
 */
export function registersView(m: Machine, sym: SymbolTable, monitor?: Monitor, pc: number = m.cpu.pc): string {
  const out: string[] = [];
  const cells: string[] = [];
  for (let r = 0; r < NUM_REGS; r++) cells.push(`${`r${r}`.padEnd(3)} ${regName(r).padEnd(4)} ${hex8(m.cpu.regs[r]!)}`);
  for (let i = 0; i < cells.length; i += 4) out.push(cells.slice(i, i + 4).join('   '));
  const realStatus = m.cpu.cr[CR.status]!;
  const cr: ArrayLike<number> = monitor ? CR_NAMES.map((_, n) => monitor.guestCr(n)) : m.cpu.cr;
  const ring = monitor ? monitor.guestRing() : m.cpu.cpl;
  out.push(`pc        ${hex8(pc)}${symbolSuffix(sym, pc)}   ring ${ring}${monitor ? " (guest's virtual CPU)" : ''}`);
  const crCell = (n: number, note?: string) => `${CR_NAMES[n]!.padEnd(10)}${hex8(cr[n]!)}${note ? `  (${note})` : ''}`;
  out.push(crCell(CR.status, statusText(cr[CR.status]!)));
  out.push([crCell(CR.tvec), crCell(CR.ptbr)].join('   '));
  out.push(crCell(CR.cause, causeText(cr[CR.cause]! >>> 0)));
  out.push([crCell(CR.epc), crCell(CR.faultaddr), crCell(CR.scratch)].join('   '));
  const realPc = pc >>> 0 === m.cpu.pc >>> 0 ? '' : `   pc ${hex8(m.cpu.pc)} (translated code)`;
  if (monitor) out.push(`real (monitor)  ring ${m.cpu.cpl}   status ${hex8(realStatus)}  (${statusText(realStatus)})${realPc}`);
  return out.join('\n') + '\n';
}

/** Hex dump, 16 bytes a line with ASCII; `??` for bytes that are not mapped or not RAM. */
export function memoryView(m: Machine, addr: number, length: number, space: Space, translate?: Translate): string {
  const lines: string[] = [];
  const start = addr >>> 0;
  for (let row = 0; row < length; row += 16) {
    const bytes: string[] = [];
    let ascii = '';
    for (let i = 0; i < 16 && row + i < length; i++) {
      const a = (start + row + i) >>> 0;
      const pa = ramAddress(m, a, space, translate);
      if (pa === undefined) {
        bytes.push('??');
        ascii += ' ';
      } else {
        const b = m.mem.u8[pa]!;
        bytes.push(b.toString(16).padStart(2, '0'));
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      }
    }
    const hexPart = bytes.slice(0, 8).join(' ') + (bytes.length > 8 ? '  ' + bytes.slice(8).join(' ') : '');
    lines.push(`${hex8(start + row)}:  ${hexPart.padEnd(16 * 3)}  |${ascii}|`);
  }
  return lines.join('\n') + '\n';
}

/** `n` instructions from `addr`; `=>` marks the pc (the guest's, default the CPU's), `*` a breakpoint. */
export function disassemblyView(
  m: Machine, sym: SymbolTable, addr: number, n: number, breakpoints: ReadonlySet<number>, translate?: Translate,
  pc: number = m.cpu.pc,
): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = (addr + 4 * i) >>> 0;
    const mark = (a === pc >>> 0 ? '=>' : '  ') + (breakpoints.has(a) ? '*' : ' ');
    lines.push(`${mark} ${locationLine(m, sym, a, translate)}`);
  }
  return lines.join('\n') + '\n';
}

export function pointsView(points: readonly Point[], sym: SymbolTable): string {
  if (points.length === 0) return 'no breakpoints or watchpoints\n';
  const rows = points.map((p) => {
    const what = p.kind === 'breakpoint'
      ? `${hex8(p.addr)}${symbolSuffix(sym, p.addr)}${lineSuffix(sym, p.addr)}`
      : `${ACCESS_WORDS[p.access]} ${p.physical ? 'physical ' : ''}${hex8(p.addr)}${p.physical ? '' : symbolSuffix(sym, p.addr)}`;
    const cond = p.cond ? ` if ${p.cond.text}` : '';
    const hits = p.hits > 0 ? `  (hit ${p.hits} time${p.hits === 1 ? '' : 's'})` : '';
    return `${String(p.id).padEnd(4)} ${p.kind.padEnd(11)} ${p.enabled ? 'y' : 'n'}    ${what}${cond}${hits}`;
  });
  return ['Num  Type        Enb  What', ...rows].join('\n') + '\n';
}

function lineSuffix(sym: SymbolTable, addr: number): string {
  const l = sym.lineOf(addr);
  return l ? ` ${l.file}:${l.line}` : '';
}

const ROLE_TEXT: Record<TcPlace['role'], string> = {
  ident: 'the guest instruction, copied',
  const: 'a constant load',
  branch: 'the local branch',
  exit: 'an exit to the monitor',
  chain: 'a chained jump to the next unit',
  callout: 'a callout to the monitor',
  stub: 'the entry-fault stub',
};

/**
 * Under bt, where the CPU is in the translation cache:
 * `translated: tc 0xffc00010, word 1 of the unit for 0x00001008 <_start+8>: the local branch`.
 */
export function translationText(place: TcPlace, sym: SymbolTable): string {
  if (place.role === 'stub') return `translated: tc ${hex8(place.tc)}, ${ROLE_TEXT.stub} (the guest's next fetch faults)`;
  const unit = place.unitPc ?? 0;
  const where = place.start ? '' : `, inside the translation of ${hex8(place.guestPc ?? 0)}`;
  return `translated: tc ${hex8(place.tc)}, word ${place.index} of the unit for ${hex8(unit)}${symbolSuffix(sym, unit)}: ${ROLE_TEXT[place.role]}${where}`;
}
