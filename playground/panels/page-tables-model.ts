// The page-tables panel's rows, without the DOM. The tables are two-level
// (x86 layout, src/isa/arch.ts): a directory of 1024 entries each covering
// 4 MiB, a table of 1024 entries each mapping a 4 KiB page. The snapshot
// gives each mapped page (src/playground/protocol.ts PageMapping); the panel
// groups them as the walk finds them (directory entry → table entry → page)
// and walks one address step by step. It shows every set of tables it is
// given: the guest's own, and under a monitor the shadow or EPT tables when
// the snapshot has them.

import { PAGE_SHIFT } from '../../src/isa/arch.js';
import type { PageMapping, VmState } from '../../src/playground/protocol.js';
import { hex8 } from './format.js';

/** One set of tables: the guest's, the monitor's shadow, or hw's EPT (guest-physical → host-physical). */
export interface PageTableSet {
  /** `guest`, `shadow`, `ept`: what these tables translate; the data-testid's tail. */
  kind: string;
  /** Where the directory is (PTBR, the shadow's root, the EPT pointer). */
  root: number;
  /** Whether these tables are in use (STATUS.PG for the guest's). */
  paging: boolean;
  pages: readonly PageMapping[];
  /** The snapshot stopped listing pages at its limit. */
  truncated: boolean;
}

/** The sets of tables a snapshot carries (none when it was taken without pageTables). */
export function tableSetsOf(state: Pick<VmState, 'pageTables'>): PageTableSet[] {
  const t = state.pageTables;
  if (!t) return [];
  const hardware = (t.hardware ?? []).map((x): PageTableSet => ({ kind: x.kind, root: x.root, paging: true, pages: x.pages, truncated: x.truncated }));
  return [{ kind: 'guest', root: t.ptbr, paging: t.paging, pages: t.pages, truncated: t.truncated }, ...hardware];
}

/**
 * The address to walk through each set: the typed (virtual) address, except
 * through EPT, which translates what the guest's tables made of it (undefined
 * when they map it nowhere).
 */
export function walkInputs(sets: readonly PageTableSet[], va: number): (number | undefined)[] {
  const guest = sets.find((s) => s.kind === 'guest');
  const gpa = guest ? walk(guest, va).pa : va;
  return sets.map((s) => (s.kind === 'ept' ? gpa : va >>> 0));
}

/** `P W U A D`, a dash for each clear bit: `P W - A -`. */
export function flagsText(f: PageMapping['flags']): string {
  const bits: [string, boolean][] = [['P', f.present], ['W', f.writable], ['U', f.user], ['A', f.accessed], ['D', f.dirty]];
  return bits.map(([name, on]) => (on ? name : '-')).join(' ');
}

export function dirIndex(va: number): number {
  return (va >>> 22) & 0x3ff;
}

export function tableIndex(va: number): number {
  return (va >>> PAGE_SHIFT) & 0x3ff;
}

/** A directory entry in use and the pages its table maps. */
export interface DirectoryGroup {
  index: number;
  /** First and last virtual address the entry covers (4 MiB). */
  from: number;
  to: number;
  pages: PageRow[];
}

export interface PageRow {
  tableIndex: number;
  vaddr: number;
  paddr: number;
  flags: string;
  writable: boolean;
  user: boolean;
}

/** The pages grouped by directory entry, both in address order. */
export function directoryGroups(pages: readonly PageMapping[]): DirectoryGroup[] {
  const byDir = new Map<number, PageRow[]>();
  for (const p of [...pages].sort((a, b) => (a.vaddr >>> 0) - (b.vaddr >>> 0))) {
    const d = dirIndex(p.vaddr);
    let rows = byDir.get(d);
    if (!rows) byDir.set(d, (rows = []));
    rows.push({
      tableIndex: tableIndex(p.vaddr), vaddr: p.vaddr >>> 0, paddr: p.paddr >>> 0,
      flags: flagsText(p.flags), writable: p.flags.writable, user: p.flags.user,
    });
  }
  return [...byDir.entries()].map(([index, rows]) => ({
    index, from: (index << 22) >>> 0, to: ((index << 22) + (1 << 22) - 1) >>> 0, pages: rows,
  }));
}

/** One step of a walk: the level, the index used there, what it found. */
export interface WalkStep {
  level: 'directory' | 'table' | 'page';
  index: number;
  text: string;
}

export interface Walk {
  va: number;
  steps: WalkStep[];
  /** The translation, or undefined when the page is not mapped. */
  pa?: number;
  /** Why there is none. */
  fault?: string;
}

/** Walk `va` through a set: its directory index, table index and the page's frame plus the offset. */
export function walk(set: PageTableSet, va: number): Walk {
  va >>>= 0;
  const di = dirIndex(va), ti = tableIndex(va), off = va & 0xfff;
  // Paging off: the address is the physical address, nothing is walked.
  if (!set.paging) return { va, steps: [], pa: va };
  const steps: WalkStep[] = [{ level: 'directory', index: di, text: `directory entry ${di} (${hex8(set.root + 4 * di)})` }];
  const page = set.pages.find((p) => (p.vaddr >>> 0) >>> PAGE_SHIFT === va >>> PAGE_SHIFT);
  if (!page || !page.flags.present) {
    const known = set.pages.some((p) => dirIndex(p.vaddr) === di);
    const fault = known || !set.truncated ? `page ${hex8(va - off)} not mapped` : `page ${hex8(va - off)} not in the snapshot's list (truncated)`;
    return { va, steps, fault };
  }
  steps.push({ level: 'table', index: ti, text: `table entry ${ti}: ${flagsText(page.flags)}` });
  const pa = ((page.paddr >>> 0) - ((page.paddr >>> 0) & 0xfff) + off) >>> 0;
  steps.push({ level: 'page', index: off, text: `frame ${hex8(pa - off)} + 0x${off.toString(16)} = ${hex8(pa)}` });
  return { va, steps, pa };
}

/** A readable name for a set of tables. */
export function tablesTitle(kind: string): string {
  switch (kind) {
    case 'guest': return "the guest's page tables (virtual → guest-physical)";
    case 'shadow': return "the monitor's shadow page tables (virtual → host-physical: what the CPU walks)";
    case 'ept': return "EPT (guest-physical → host-physical: walked after the guest's)";
    default: return `${kind} page tables`;
  }
}

/** Consecutive pages mapped to consecutive frames with the same flags: one row (an identity-mapped kernel is 1,023 pages). */
export interface PageRun {
  firstIndex: number;
  lastIndex: number;
  vaddr: number;
  paddr: number;
  pages: number;
  flags: string;
}

export function pageRuns(pages: readonly PageRow[]): PageRun[] {
  const runs: PageRun[] = [];
  for (const p of pages) {
    const r = runs[runs.length - 1];
    const bytes = r ? r.pages * 4096 : 0;
    if (r && p.tableIndex === r.lastIndex + 1 && p.vaddr === ((r.vaddr + bytes) >>> 0) && p.paddr === ((r.paddr + bytes) >>> 0) && p.flags === r.flags) {
      r.lastIndex = p.tableIndex;
      r.pages++;
    } else {
      runs.push({ firstIndex: p.tableIndex, lastIndex: p.tableIndex, vaddr: p.vaddr, paddr: p.paddr, pages: 1, flags: p.flags });
    }
  }
  return runs;
}
