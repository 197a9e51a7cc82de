// The page tables of a VM as tools show them: the guest's own (what it wrote,
// guest virtual → guest physical), and under a monitor the tables the CPU
// walks instead of or after them: the monitor's shadow tables (guest virtual →
// host physical: trap, bt, pv, hw without EPT) or EPT (guest physical → host
// physical: hw). Which ones exist is read from the machine (the nested-paging
// controls of the CPU's non-root operation, the real PTBR against the guest's),
// never from the mode's class. Reads only: no TLB fill, no A/D bit, no counter.

import { CR, PTE, STATUS } from '../isa/index.js';
import type { Machine } from '../machine/index.js';
import type { Monitor } from '../vmm/index.js';
import { guestState } from './views.js';
import { hex8 } from './format.js';

export interface PageMapping {
  /** What the tables translate from: a virtual address, or for EPT a guest-physical one. */
  vaddr: number;
  paddr: number;
  flags: { present: boolean; writable: boolean; user: boolean; accessed: boolean; dirty: boolean };
}

/** guest: the guest's own; shadow: the monitor's, walked by the CPU in the guest's place; ept: walked after the guest's. */
export type TableKind = 'guest' | 'shadow' | 'ept';
export type HardwareTableSet = TableSet & { kind: Exclude<TableKind, 'guest'> };

export interface TableSet {
  kind: TableKind;
  /** The directory's address: guest-physical for the guest's tables, host-physical for the others. */
  root: number;
  /** Whether the tables are in use (the guest's STATUS.PG; the others whenever they exist). */
  paging: boolean;
  pages: PageMapping[];
  /** Listing stopped at its limit. */
  truncated: boolean;
}

/** The most mappings one set lists. */
export const MAX_TABLE_PAGES = 4096;

/** Each present page of the two-level tables at `root`, in address order, reading entries with `read` (undefined: not readable). */
export function listMappings(read: (addr: number) => number | undefined, root: number, max = MAX_TABLE_PAGES): { pages: PageMapping[]; truncated: boolean } {
  const pages: PageMapping[] = [];
  for (let d = 0; d < 1024; d++) {
    const pde = read(((root & PTE.FRAME_MASK) >>> 0) + d * 4);
    if (pde === undefined || !(pde & PTE.P)) continue;
    for (let i = 0; i < 1024; i++) {
      const pte = read(((pde & PTE.FRAME_MASK) >>> 0) + i * 4);
      if (pte === undefined || !(pte & PTE.P)) continue;
      if (pages.length === max) return { pages, truncated: true };
      // A page is writable or user only when both levels say so.
      pages.push({
        vaddr: ((d << 22) | (i << 12)) >>> 0,
        paddr: (pte & PTE.FRAME_MASK) >>> 0,
        flags: { present: true, writable: (pde & pte & PTE.W) !== 0, user: (pde & pte & PTE.U) !== 0, accessed: (pte & PTE.A) !== 0, dirty: (pte & PTE.D) !== 0 },
      });
    }
  }
  return { pages, truncated: false };
}

function physicalWord(m: Machine, pa: number): number | undefined {
  return pa + 4 > m.mem.size ? undefined : m.mem.i32[pa >>> 2]! >>> 0;
}

/** A guest-physical word of the guest's memory (under a monitor, through its guest memory), or undefined. */
function guestWord(m: Machine, monitor: Monitor | undefined, gpa: number): number | undefined {
  if (!monitor) return physicalWord(m, gpa);
  return monitor.guest.contains(gpa, 4) ? physicalWord(m, monitor.guest.host(gpa)) : undefined;
}

/** The guest's own tables, walked from its PTBR (the virtual CPU's under a monitor). */
export function guestTables(m: Machine, monitor: Monitor | undefined, pc: number, max = MAX_TABLE_PAGES): TableSet {
  const st = guestState(m, monitor, pc);
  const root = st.cr[CR.ptbr]! >>> 0;
  return { kind: 'guest', root, paging: (st.cr[CR.status]! & STATUS.PG) !== 0, ...listMappings((a) => guestWord(m, monitor, a), root, max) };
}

/**
 * The tables the CPU walks now besides the guest's: EPT in non-root operation
 * with nested paging, the monitor's shadow root without it, and in root
 * operation the real PTBR unless it is the guest's own directory (direct
 * paging: nothing more to show). Natively, none.
 */
export function hardwareTables(m: Machine, monitor: Monitor | undefined, max = MAX_TABLE_PAGES): HardwareTableSet[] {
  if (!monitor) return [];
  const phys = (a: number) => physicalWord(m, a);
  const set = (kind: HardwareTableSet['kind'], root: number): HardwareTableSet => ({ kind, root: root >>> 0, paging: true, ...listMappings(phys, root, max) });
  const n = m.mmu.nested;
  if (n) {
    if (n.controls.eptRoot !== 0) return [set('ept', n.controls.eptRoot)];
    return n.controls.shadowRoot !== 0 ? [set('shadow', n.controls.shadowRoot)] : [];
  }
  if (!m.cpu.paging) return [];
  const real = (m.cpu.cr[CR.ptbr]! & PTE.FRAME_MASK) >>> 0;
  const guestRoot = (monitor.guestCr(CR.ptbr) & PTE.FRAME_MASK) >>> 0;
  const guestRootHost = monitor.guest.contains(guestRoot, 4) ? monitor.guest.host(guestRoot) : undefined;
  return real === guestRootHost ? [] : [set('shadow', real)];
}

/** What a set of tables translates, for titles. */
export function tablesTitle(kind: TableKind | string): string {
  switch (kind) {
    case 'guest': return "the guest's page tables (virtual → guest-physical)";
    case 'shadow': return "the monitor's shadow page tables (virtual → host-physical: what the CPU walks)";
    case 'ept': return 'EPT (guest-physical → host-physical: walked after the guest\'s)';
    default: return `${kind} page tables`;
  }
}

/** Where `addr` leads through `set`: the mapping's frame plus the offset, or undefined. */
export function translateThrough(set: TableSet, addr: number): number | undefined {
  if (!set.paging) return addr >>> 0;
  const page = set.pages.find((p) => p.vaddr >>> 12 === addr >>> 12);
  return page ? ((page.paddr & ~0xfff) | (addr & 0xfff)) >>> 0 : undefined;
}

/**
 * The debugger's `tables` view: each set's title, root and page count, and
 * where `addr` leads through it (for EPT, the guest-physical address the
 * guest's tables gave).
 */
export function tablesView(sets: readonly TableSet[], addr: number): string {
  const lines: string[] = [];
  let through = addr >>> 0;
  let lost = false;
  for (const s of sets) {
    const n = `${s.pages.length}${s.truncated ? '+' : ''} page${s.pages.length === 1 ? '' : 's'} mapped`;
    lines.push(`${tablesTitle(s.kind)}: ${s.kind === 'guest' ? 'ptbr' : 'root'} ${hex8(s.root)}, ${s.paging ? n : 'paging off'}`);
    const from = s.kind === 'ept' ? through : addr >>> 0;
    if (s.kind === 'ept' && lost) {
      lines.push(`  ${hex8(addr)} has no guest-physical address to walk`);
      continue;
    }
    const to = translateThrough(s, from);
    lines.push(to === undefined ? `  ${hex8(from)}: not mapped${s.truncated ? ' (or beyond the listed pages)' : ''}` : `  ${hex8(from)} → ${hex8(to)}`);
    if (s.kind === 'guest') {
      through = to ?? 0;
      lost = to === undefined;
    }
  }
  return lines.join('\n');
}
