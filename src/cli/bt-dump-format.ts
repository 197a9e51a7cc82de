// `virtlab bt-dump` output: a header of totals and how the guest stopped, then
// every unit (formatUnit's side-by-side body, labelled with its frame, paging
// mode and TC address, followed by its chains); or the same as one JSON object.

import { disassembleWord } from '../isa/index.js';
import type { Stop } from '../machine/index.js';
import type { Symbolizer } from '../trace/index.js';
import type { MonitorCounters } from '../vmm/index.js';
import { describeCallout, formatUnit, unitCounts, type Callout, type Treatment, type UnitCounts } from '../vmm/bt/index.js';
import type { ChainIn, ChainOut, DumpTotals, DumpUnit, UnitRef, UnitState } from './bt-dump-collect.js';
import { exitCodeOf, stopMessage } from './outcome.js';

export interface DumpReport {
  program: string;
  stop: Stop;
  steps: number;
  maxSteps: number;
  /** The guest address --pc asked for, or undefined for every unit. */
  pc?: number;
  /** Which units: those the cache holds at the end, or every unit the run made (--all-units). */
  scope: 'cache' | 'all';
  /** Units in scope before --pc filtered them. */
  inScope: number;
  units: DumpUnit[];
  totals: DumpTotals;
  run: MonitorCounters;
  console?: string;
}

function hex8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** `0x00001004 <loop>`, or `<kmain+0x8>` when no label is exactly there. */
function named(addr: number, symbols: Symbolizer): string {
  const s = symbols.describe(addr) ?? symbols.symbolAt(addr);
  return s ? `${hex8(addr)} <${s}>` : hex8(addr);
}

export function describeGuestStop(stop: Stop, steps: number, maxSteps: number): string {
  if (stop.kind === 'halted') return `halted with ${haltText(stop.code)} after ${steps} steps`;
  const message = stopMessage(stop, maxSteps) ?? 'stopped';
  // The budget's message already says how many steps ran.
  return stop.kind === 'budget' ? message : `${message} after ${steps} steps`;
}

/** `exit code 3`, or `halt 5041 (exit code 177)` when the value halt was given is not the process's exit code (`run` passes on the low 8 bits). */
export function haltText(code: number): string {
  const exit = exitCodeOf({ kind: 'halted', code, pc: 0 });
  return (code | 0) === exit ? `exit code ${exit}` : `halt ${code | 0} (exit code ${exit})`;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function counts(record: Record<string, number>): string {
  return Object.entries(record).map(([k, v]) => `${k} ${v}`).join(', ');
}

function header(r: DumpReport, symbols: Symbolizer): string[] {
  const t = r.totals;
  const which = r.scope === 'cache' ? 'held in the translation cache at the end' : 'made during the run (--all-units)';
  const units = r.pc === undefined
    ? `${t.units} ${which}`
    : `${t.units} containing ${named(r.pc, symbols)}, of ${r.inScope} ${which}`;
  const emulated = Object.keys(t.emulated).length ? ` (${counts(t.emulated)})` : '';
  const calls = t.callouts.emulate + t.callouts.exit + t.callouts.fault;
  const m = r.run;
  const rows: [string, string][] = [
    ['program', r.program],
    ['guest', describeGuestStop(r.stop, r.steps, r.maxSteps)],
    ['units', units],
    ['guest insns', `${t.guestInsns}: ${t.ident} IDENT, ${t.nonIdent} non-IDENT`],
    ['translated', `${t.translatedWords} words`],
    ['callouts', `${calls}: emulate ${t.callouts.emulate}${emulated}, exit ${t.callouts.exit} (${t.indirectExits} indirect), fault ${t.callouts.fault}`],
    ['chains', `${plural(t.chains, 'exit')} patched into direct jumps`],
    ['run', `${m.translations} translations (${plural(m.tcHits, 'cache hit')}), ${m.tcFlushes} flushes, ${m.unitsInvalidated} invalidated, `
      + `${m.adaptiveRetranslations} adaptive; ${m.callouts} callouts taken, ${m.chains} chains made, ${m.unchains} undone`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}

function stateNote(u: DumpUnit): string {
  if (u.state === 'valid') return '';
  return ` [${u.state}${u.reason ? `: ${u.reason}` : ''}]`;
}

/** Guest-physical address of the unit's first instruction. */
function gpaOf(u: DumpUnit): number {
  return ((u.gfn * 4096) + (u.pc & 0xfff)) >>> 0;
}

function unitLabel(u: DumpUnit, symbols: Symbolizer): string {
  const gpa = gpaOf(u);
  const tc = u.state === 'valid' ? `tc ${hex8(u.tc)}` : `was at tc ${hex8(u.tc)}`;
  return `== ${named(u.pc, symbols)}  gpa ${hex8(gpa)} (frame ${hex(u.gfn)})  paging ${u.paging ? 'on' : 'off'}  ${tc}${stateNote(u)}`;
}

/** A unit a chain joins; its frame and paging mode only when they differ from `self`'s (chains stay within one page). */
function refText(ref: UnitRef, self: DumpUnit, symbols: Symbolizer): string {
  const other = ref.gfn !== self.gfn || ref.paging !== self.paging ? ` (frame ${hex(ref.gfn)}, paging ${ref.paging ? 'on' : 'off'})` : '';
  return `unit ${named(ref.pc, symbols)}${other}`;
}

function chainLines(u: DumpUnit, symbols: Symbolizer): string[] {
  const out = u.chainsOut.map((c) => {
    const callout = u.unit.callouts[c.callout]!;
    const how = c.branch ? 'branches straight' : 'jumps';
    return `  chain  +${c.site} ${how} to ${refText(c.to, u, symbols)} at tc ${hex8(c.to.tc)}  (${c.branch ? 'instead of' : 'was'} ${describeCallout(callout)})`;
  });
  const inc = u.chainsIn.map((c) => `  from   ${refText(c.from, u, symbols)} +${c.site} (tc ${hex8(c.tc)}) jumps here`);
  if (u.state === 'valid' && out.length === 0 && inc.length === 0) return ['  (no chains)'];
  return [...out, ...inc];
}

export function formatDumpText(r: DumpReport, symbols: Symbolizer): string {
  const symbolAt = (a: number) => symbols.symbolAt(a);
  const out = header(r, symbols);
  if (r.pc !== undefined && r.units.length === 0) {
    out.push('', `No unit contains ${named(r.pc, symbols)}: the guest never ran it at a virtual ring 0-2 (guest user code`
      + ` runs untranslated), or the budget ended first${r.scope === 'cache' ? '; units thrown away during the run show with --all-units' : ''}.`);
  }
  for (const u of r.units) out.push('', unitLabel(u, symbols), formatUnit(u.unit, symbolAt), ...chainLines(u, symbols));
  return out.join('\n') + '\n';
}

// --- JSON ------------------------------------------------------------------------

/** How the translator treated one guest word; `fault` for an undefined or unmapped word. */
export type JsonTreatment = Treatment | 'fault';

export interface JsonCallout {
  index: number;
  id: number;
  kind: Callout['kind'];
  pc: number;
  site: number;
  /** describeCallout's one-line text. */
  text: string;
  mnemonic?: string;
  endsUnit?: boolean;
  exit?: string;
  target?: number;
  indirect?: Callout['indirect'];
  fault?: Callout['fault'];
}

export interface JsonUnit {
  pc: number;
  endPc: number;
  gpa: number;
  gfn: number;
  paging: boolean;
  tc: number;
  symbol: string | null;
  state: UnitState;
  reason: string | null;
  end: string;
  counts: UnitCounts;
  insns: {
    pc: number;
    word: number | null;
    text: string;
    treatment: JsonTreatment;
    ident: boolean;
    words: { offset: number; word: number; text: string; callout: number | null }[];
    callouts: number[];
  }[];
  callouts: JsonCallout[];
  chains: { out: ChainOut[]; in: ChainIn[] };
}

function jsonCallout(c: Callout, symbols: Symbolizer): JsonCallout {
  return {
    index: c.index, id: c.id, kind: c.kind, pc: c.guestPc >>> 0, site: c.site,
    text: describeCallout(c, (a) => symbols.symbolAt(a)),
    ...(c.def ? { mnemonic: c.def.mnemonic } : {}),
    ...(c.endsUnit !== undefined ? { endsUnit: c.endsUnit } : {}),
    ...(c.exit !== undefined ? { exit: c.exit } : {}),
    ...(c.target !== undefined ? { target: c.target >>> 0 } : {}),
    ...(c.indirect ? { indirect: { ...c.indirect, returnAddress: c.indirect.returnAddress >>> 0 } } : {}),
    ...(c.fault ? { fault: { ...c.fault } } : {}),
  };
}

function jsonUnit(u: DumpUnit, symbols: Symbolizer): JsonUnit {
  const unit = u.unit;
  const siteOf = new Map(unit.callouts.map((c) => [c.site, c.index]));
  return {
    pc: u.pc, endPc: unit.endPc >>> 0, gpa: gpaOf(u), gfn: u.gfn, paging: u.paging, tc: u.tc,
    symbol: symbols.describe(u.pc) ?? symbols.symbolAt(u.pc) ?? null,
    state: u.state, reason: u.reason ?? null, end: unit.end,
    counts: unitCounts(unit),
    insns: unit.insns.map((i) => ({
      pc: i.guestPc >>> 0,
      word: i.word === undefined ? null : i.word >>> 0,
      text: i.text,
      treatment: i.treatment ?? 'fault',
      ident: i.ident,
      words: i.words.map((w, k) => ({
        offset: i.offset + k,
        word: w >>> 0,
        // As formatUnit shows them: position-independent code disassembled as if the unit sat at 0.
        text: disassembleWord(w, (i.offset + k) * 4),
        callout: siteOf.get(i.offset + k) ?? null,
      })),
      callouts: i.callouts.slice(),
    })),
    callouts: unit.callouts.map((c) => jsonCallout(c, symbols)),
    chains: { out: u.chainsOut, in: u.chainsIn },
  };
}

export function dumpJson(r: DumpReport, symbols: Symbolizer): object {
  const stop = r.stop;
  return {
    program: r.program,
    stop: {
      reason: stop.kind,
      haltCode: stop.kind === 'halted' ? stop.code | 0 : null,
      exitCode: exitCodeOf(stop),
      message: describeGuestStop(stop, r.steps, r.maxSteps),
      steps: r.steps,
    },
    scope: r.scope,
    pc: r.pc ?? null,
    inScope: r.inScope,
    totals: r.totals,
    run: r.run,
    units: r.units.map((u) => jsonUnit(u, symbols)),
    console: r.console ?? '',
  };
}
