// Text views of the machine: the location line, registers, memory dump,
// disassembly, breakpoint table. They only read: a virtual address is
// translated as the CPU would translate it now (a cached TLB entry if there
// is one, even a stale one, else the page tables in RAM), but without a TLB
// fill, an A/D-bit update or a counter; and device memory is never read.

import { CR, CR_NAMES, disassembleWord, NUM_REGS, PAGE_SHIFT, PAGE_SIZE, regName, STATUS } from '../isa/index.js';
import type { Machine } from '../machine/index.js';
import type { TcPlace } from '../trace/bt-view.js';
import type { Monitor } from '../vmm/index.js';
import { ACCESS_WORDS, type Point } from './breakpoints.js';
import { hex8 } from './format.js';
import { causeText, statusText } from '../isa/cr-text.js';
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

/**
 * The CPU as a view shows it. By default the guest's view: under a monitor,
 * what the guest believes (its virtual ring, its interrupt flag, its own
 * control registers: the monitor's guestCr, answered by whatever mode runs
 * it) and its pc; natively the machine, which is what the program sees. On
 * request (`where real`, `regs real`) the real CPU the monitor runs it on.
 */
export interface CpuState {
  pc: number;
  ring: number;
  /** STATUS, TVEC, PTBR, ... by control register number. */
  cr: readonly number[];
}

/** The guest's view; `pc` the guest's pc (under bt not the CPU's, see DebugSession.pc). */
export function guestState(m: Machine, monitor: Monitor | undefined, pc: number = m.cpu.pc): CpuState {
  if (!monitor) return { pc, ring: m.cpu.cpl, cr: Array.from(m.cpu.cr) };
  return { pc, ring: monitor.guestRing(), cr: CR_NAMES.map((_, n) => monitor.guestCr(n)) };
}

/** The real CPU's state. */
export function realState(m: Machine): CpuState {
  return { pc: m.cpu.pc, ring: m.cpu.cpl, cr: Array.from(m.cpu.cr) };
}

/** `ring 0, interrupts off, paging on (ptbr 0x00004000)` */
export function stateText(st: CpuState): string {
  const status = st.cr[CR.status]!;
  const paging = status & STATUS.PG ? `paging on (ptbr ${hex8(st.cr[CR.ptbr]!)})` : 'paging off';
  return `ring ${st.ring}, interrupts ${status & STATUS.IE ? 'on' : 'off'}, ${paging}`;
}

/**
 * The lines of `where` after the source line: the guest's ring, interrupt
 * flag and paging and the step count; with `real`, the real CPU under it
 * (natively the same machine) and, under bt, where it stands in the
 * translation cache (`place`).
 */
export function whereStateText(m: Machine, monitor: Monitor | undefined, pc: number, real: boolean, place: TcPlace | undefined, sym: SymbolTable): string {
  const lines = [`  ${stateText(guestState(m, monitor, pc))}, step ${m.counters.steps}`];
  if (real) {
    const r = realState(m);
    // In VMX non-root operation (hw) the CPU holds the guest's own state: it says so.
    const note = !monitor ? ' (no monitor: the program sees the machine)' : m.nonRoot ? ' (VMX non-root operation)' : '';
    lines.push(`  real: pc ${hex8(r.pc)}, ${stateText(r)}${note}`);
    if (place) lines.push(`  ${translationText(place, sym)}`);
  }
  return lines.join('\n');
}

/**
 * Every register: r0..r15 with ABI names, pc, ring, and the control registers
 * (decoded where useful): the guest's view by default (under a monitor its
 * virtual CPU, marked so), the real CPU's with `real`.
 */
export function registersView(m: Machine, sym: SymbolTable, monitor?: Monitor, pc: number = m.cpu.pc, real = false): string {
  const out: string[] = [];
  const cells: string[] = [];
  for (let r = 0; r < NUM_REGS; r++) cells.push(`${`r${r}`.padEnd(3)} ${regName(r).padEnd(4)} ${hex8(m.cpu.regs[r]!)}`);
  for (let i = 0; i < cells.length; i += 4) out.push(cells.slice(i, i + 4).join('   '));
  const st = real ? realState(m) : guestState(m, monitor, pc);
  const cr = st.cr;
  const note = real ? (monitor ? ' (the real CPU, under the monitor)' : ' (the real CPU)') : monitor ? " (guest's virtual CPU)" : '';
  out.push(`pc        ${hex8(st.pc)}${symbolSuffix(sym, st.pc)}   ring ${st.ring}${note}`);
  const crCell = (n: number, note?: string) => `${CR_NAMES[n]!.padEnd(10)}${hex8(cr[n]!)}${note ? `  (${note})` : ''}`;
  out.push(crCell(CR.status, statusText(cr[CR.status]!)));
  out.push([crCell(CR.tvec), crCell(CR.ptbr)].join('   '));
  out.push(crCell(CR.cause, causeText(cr[CR.cause]! >>> 0)));
  out.push([crCell(CR.epc), crCell(CR.faultaddr), crCell(CR.scratch)].join('   '));
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

/** The table of `info breakpoints`; on a host each point shows its VM and its address in that VM's symbols. */
export function pointsView(points: readonly Point[], symbolsOf: SymbolTable | ((p: Point) => SymbolTable)): string {
  if (points.length === 0) return 'no breakpoints or watchpoints\n';
  const width = Math.max(2, ...points.map((p) => p.vm?.length ?? 0));
  const host = points.some((p) => p.vm !== undefined);
  const rows = points.map((p) => {
    const sym = typeof symbolsOf === 'function' ? symbolsOf(p) : symbolsOf;
    const what = p.kind === 'breakpoint'
      ? `${hex8(p.addr)}${symbolSuffix(sym, p.addr)}${lineSuffix(sym, p.addr)}`
      : `${ACCESS_WORDS[p.access]} ${p.physical ? 'physical ' : ''}${hex8(p.addr)}${p.physical ? '' : symbolSuffix(sym, p.addr)}`;
    const cond = p.cond ? ` if ${p.cond.text}` : '';
    const hits = p.hits > 0 ? `  (hit ${p.hits} time${p.hits === 1 ? '' : 's'})` : '';
    const vm = host ? `${(p.vm ?? '').padEnd(width)}  ` : '';
    return `${String(p.id).padEnd(4)} ${p.kind.padEnd(11)} ${p.enabled ? 'y' : 'n'}    ${vm}${what}${cond}${hits}`;
  });
  return [`Num  Type        Enb  ${host ? `${'VM'.padEnd(width)}  ` : ''}What`, ...rows].join('\n') + '\n';
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
