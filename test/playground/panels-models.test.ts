// The pure models behind the playground's panels (playground/panels/*-model.ts):
// registers and their changes, page-table grouping and walks, memory rows and
// following a register, counters and the side-by-side difference.

import { describe, expect, test } from 'vitest';
import { CAUSE, CR, EXC, STATUS } from '../../src/isa/index.js';
import { priceCounters } from '../../src/vmm/index.js';
import type { Counters, PageMapping, VmState } from '../../src/playground/protocol.js';
import { cpuOfState, registersModel, type CpuView } from '../../playground/panels/registers-model.js';
import { causeText } from '../../src/isa/cr-text.js';
import { directoryGroups, flagsText, pageRuns, tableSetsOf, walk, walkInputs, type PageTableSet } from '../../playground/panels/page-tables-model.js';
import { followValue, memoryRows, viewStart } from '../../playground/panels/memory-model.js';
import { barPercent, countersModel, perIterationModel } from '../../playground/panels/counters-model.js';
import { perIteration } from '../../src/cli/per-iteration-report.js';
import { compareModel, ratioText } from '../../playground/panels/compare-model.js';
import { parseAddress, formatCount, shortCycles } from '../../playground/panels/format.js';

const cpu = (over: Partial<CpuView> = {}): CpuView => ({
  regs: Array.from({ length: 16 }, (_, i) => i * 0x11),
  pc: 0x1000, ring: 0,
  cr: [STATUS.IE | STATUS.PG, 0x2000, 0x4000, 0, 0, 0, 0],
  ...over,
});

describe('registers', () => {
  test('rows for r0..r15 with ABI names, pc, ring, flags and control registers; nothing changed without a previous state', () => {
    const m = registersModel(cpu());
    expect(m.regs.map((r) => r.id)).toEqual(Array.from({ length: 16 }, (_, i) => `r${i}`));
    expect(m.regs[2]!.label).toBe('r2 sp');
    expect(m.regs[2]!.text).toBe('0x00000022');
    expect(m.control.map((r) => r.id)).toEqual(['status', 'tvec', 'ptbr', 'faultaddr', 'cause', 'epc', 'scratch']);
    expect(m.control[CR.ptbr]!.text).toBe('0x00004000');
    const flags = Object.fromEntries(m.flags.map((f) => [f.id, f.text]));
    expect(flags).toMatchObject({ 'flag-IE': 'on', 'flag-PG': 'on', 'flag-PIE': 'off', 'flag-CPL': '0' });
    expect([...m.regs, ...m.cpu, ...m.flags, ...m.control].some((r) => r.changed)).toBe(false);
  });

  test('exactly the values that differ from the previous snapshot are marked changed, flags included', () => {
    const before = cpu();
    const regs = [...before.regs];
    regs[4] = 0xdeadbeef;
    const after = cpu({ regs, pc: 0x1004, cr: [STATUS.PG | 3, 0x2000, 0x4000, 0, 0, 0, 0], ring: 3 });
    const m = registersModel(after, before);
    const changed = [...m.regs, ...m.cpu, ...m.flags, ...m.control].filter((r) => r.changed).map((r) => r.id);
    expect(changed.sort()).toEqual(['flag-CPL', 'flag-IE', 'pc', 'r4', 'ring', 'status'].sort());
  });

  test('CAUSE is decoded: an exception with its detail bits, an interrupt with its line', () => {
    expect(causeText(EXC.PAGE_FAULT | CAUSE.WRITE | CAUSE.USER, true)).toBe('page fault (write, user)');
    expect(causeText(EXC.PAGE_FAULT | CAUSE.WRITE | CAUSE.USER)).toBe('page fault'); // the debugger's regs: the name only
    expect(causeText((CAUSE.INTERRUPT | 3) >>> 0)).toBe('interrupt line 3');
    expect(causeText(0)).toBe('none');
  });

  test('cpuOfState reads the snapshot: registers by their r-number, control registers by name', () => {
    const state = {
      regs: Array.from({ length: 16 }, (_, i) => ({ name: `r${15 - i}`, abi: '', value: 15 - i })),
      pc: 0x2000, ring: 1, cr: { status: 5, ptbr: 0x8000 },
    } as Pick<VmState, 'regs' | 'pc' | 'ring' | 'cr'>;
    const c = cpuOfState(state);
    expect(c.regs).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(c.cr[CR.status]).toBe(5);
    expect(c.cr[CR.ptbr]).toBe(0x8000);
    expect(c.cr[CR.tvec]).toBe(0);
  });
});

describe('page tables', () => {
  const flags = (writable: boolean, user: boolean) => ({ present: true, writable, user, accessed: true, dirty: false });
  const pages: PageMapping[] = [
    { vaddr: 0x0040_1000, paddr: 0x9000, flags: flags(true, true) },
    { vaddr: 0x0000_1000, paddr: 0x1000, flags: flags(false, false) },
    { vaddr: 0x0000_2000, paddr: 0x2000, flags: flags(true, false) },
  ];
  const set: PageTableSet = { kind: 'guest', root: 0x4000, paging: true, pages, truncated: false };

  test('pages grouped by directory entry, each group and its pages in address order', () => {
    const g = directoryGroups(pages);
    expect(g.map((d) => [d.index, d.from, d.to])).toEqual([[0, 0, 0x3fffff], [1, 0x400000, 0x7fffff]]);
    expect(g[0]!.pages.map((p) => [p.tableIndex, p.paddr])).toEqual([[1, 0x1000], [2, 0x2000]]);
    expect(g[1]!.pages[0]!.tableIndex).toBe(1);
    expect(g[0]!.pages[0]!.flags).toBe('P - - A -');
  });

  test('runs: consecutive pages to consecutive frames with the same flags are one row; a gap, a jump or other flags start another', () => {
    const f = flags(true, false);
    const at = (v: number, p: number, fl = f) => ({ vaddr: v, paddr: p, flags: fl });
    const g = directoryGroups([
      ...Array.from({ length: 10 }, (_, i) => at(0x1000 * (i + 1), 0x1000 * (i + 1))), // 1..10 identity
      at(0xb000, 0x20000), // a jump in frames
      at(0xc000, 0x21000),
      at(0xd000, 0x22000, flags(true, true)), // other flags
      at(0xf000, 0x24000), // a gap in pages
    ]);
    expect(pageRuns(g[0]!.pages)).toEqual([
      { firstIndex: 1, lastIndex: 10, vaddr: 0x1000, paddr: 0x1000, pages: 10, flags: 'P W - A -' },
      { firstIndex: 11, lastIndex: 12, vaddr: 0xb000, paddr: 0x20000, pages: 2, flags: 'P W - A -' },
      { firstIndex: 13, lastIndex: 13, vaddr: 0xd000, paddr: 0x22000, pages: 1, flags: 'P W U A -' },
      { firstIndex: 15, lastIndex: 15, vaddr: 0xf000, paddr: 0x24000, pages: 1, flags: 'P W - A -' },
    ]);
  });

  test('flagsText shows each of P W U A D or a dash', () => {
    expect(flagsText({ present: true, writable: true, user: true, accessed: true, dirty: true })).toBe('P W U A D');
    expect(flagsText({ present: false, writable: false, user: false, accessed: false, dirty: false })).toBe('- - - - -');
  });

  test('a walk goes directory → table → page and adds the offset; an unmapped page says so', () => {
    const w = walk(set, 0x0040_1abc);
    expect(w.steps.map((s) => [s.level, s.index])).toEqual([['directory', 1], ['table', 1], ['page', 0xabc]]);
    expect(w.steps[0]!.text).toContain('0x00004004'); // the entry's address: root + 4 × index
    expect(w.pa).toBe(0x9abc);
    const miss = walk(set, 0x0000_3000);
    expect(miss.pa).toBeUndefined();
    expect(miss.fault).toBe('page 0x00003000 not mapped');
    expect(walk({ ...set, truncated: true }, 0x0080_0000).fault).toContain('truncated');
  });

  test('with paging off the address is the physical address', () => {
    expect(walk({ ...set, paging: false }, 0x1234).pa).toBe(0x1234);
  });

  test('the sets a snapshot carries: the guest\'s first, then the ones the CPU walks; EPT walks what the guest\'s tables gave', () => {
    const ept = { kind: 'ept' as const, root: 0x0110_0000, truncated: false, pages: [{ vaddr: 0x9000, paddr: 0x0010_9000, flags: set.pages[0]!.flags }] };
    const sets = tableSetsOf({ pageTables: { ptbr: set.root, paging: true, pages: [...set.pages], truncated: false, hardware: [ept] } });
    expect(sets.map((s) => s.kind)).toEqual(['guest', 'ept']);
    expect(sets[1]!.paging).toBe(true);
    // 0x00401abc → guest-physical 0x9abc (the guest's walk above) → EPT: host-physical 0x00109abc.
    const inputs = walkInputs(sets, 0x0040_1abc);
    expect(inputs).toEqual([0x0040_1abc, 0x9abc]);
    expect(walk(sets[1]!, inputs[1]!).pa).toBe(0x0010_9abc);
    // An address the guest maps nowhere has nothing to walk through EPT.
    expect(walkInputs(sets, 0x0000_3000)).toEqual([0x3000, undefined]);
    // A shadow set translates the virtual address itself.
    expect(walkInputs([sets[0]!, { ...sets[1]!, kind: 'shadow' }], 0x0040_1abc)).toEqual([0x0040_1abc, 0x0040_1abc]);
  });
});

describe('memory', () => {
  test('16 bytes a row, hex and ASCII, ?? for unreadable bytes; the followed address marked', () => {
    const bytes: (number | null)[] = [...'Hello, world!\n'].map((c) => c.charCodeAt(0));
    bytes.push(0, null, 0x41);
    const rows = memoryRows({ address: 0x3000, bytes }, 0x3010);
    expect(rows.length).toBe(2);
    expect(rows[0]!.hex.slice(0, 3)).toEqual(['48', '65', '6c']);
    expect(rows[0]!.hex[14]).toBe('00');
    expect(rows[0]!.hex[15]).toBe('??');
    expect(rows[0]!.ascii).toBe('Hello, world!.. ');
    expect(rows[1]).toEqual({ address: 0x3010, hex: ['41'], ascii: 'A', mark: 0 });
    expect(rows[0]!.mark).toBe(-1);
  });

  test('following pc or a register reads its value; the view starts a row above it', () => {
    const c = cpu();
    expect(followValue(c, 'pc')).toBe(0x1000);
    expect(followValue(c, 'sp')).toBe(0x22);
    expect(followValue(c, 'none')).toBeUndefined();
    expect(viewStart(0x1238, 256)).toBe(0x1220);
    expect(viewStart(0x8, 256)).toBe(0);
  });

  test('parseAddress takes hex with or without 0x and refuses the rest', () => {
    expect(parseAddress('0x1000')).toBe(0x1000);
    expect(parseAddress(' ffffffff ')).toBe(0xffffffff);
    expect(parseAddress('1_0000')).toBe(0x10000);
    expect(parseAddress('0x100000000')).toBeUndefined();
    expect(parseAddress('sp')).toBeUndefined();
    expect(parseAddress('')).toBeUndefined();
  });
});

/** Counters as the worker sends them, from the real cost model over counters. */
function countersOf(mode: 'trap' | 'bt', instructions: number, traps: number, callouts: number): Counters {
  const machine = { instructions, excPageFault: 0, excDivideByZero: 0, excSyscall: 0, excBreakpoint: 0, excMisaligned: 0, interrupts: 2, ioReads: 0, ioWrites: 1, tlbWalks: 0, jumps: 0 };
  const monitor = { traps, calloutEmulate: callouts, translations: mode === 'bt' ? 3 : 0, translatedInsns: mode === 'bt' ? 12 : 0 };
  const report = priceCounters({ machine: machine as never, monitor: monitor as never }, 'p4-2006');
  return { statsText: '', machine, monitor, cost: report, perIteration: null } as Counters;
}

describe('counters', () => {
  test('rows of non-zero counts with cycles each and their share of the total; the monitor counters non-zero only', () => {
    const c = countersOf('trap', 1000, 5, 0);
    const m = countersModel(c);
    expect(m.preset).toBe('p4-2006');
    expect(m.rows.every((r) => r.count !== 0)).toBe(true);
    const traps = m.rows.find((r) => r.kind === 'traps to the monitor')!;
    expect(traps.count).toBe(5);
    expect(traps.each * traps.count).toBeCloseTo(traps.cycles);
    expect(m.rows.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1);
    expect(m.monitor!.map(([k]) => k)).toEqual(['traps']);
    // The cost report's own split: what the monitor added, as --stats's last line.
    const report = c.cost as unknown as { overheadCycles: number; totalCycles: number };
    expect(report.overheadCycles).toBeGreaterThan(0);
    expect(m.overhead).toEqual({ cycles: report.overheadCycles, share: report.overheadCycles / report.totalCycles });
    expect(m.machine.length).toBe(Object.keys(c.machine).length);
  });

  test("a row's price is the report's own (copyByte prices half a cycle), and no overhead line without the split", () => {
    const c = countersOf('trap', 10, 1, 0);
    const report = c.cost as unknown as { rows: { kind: string; counter: string; count: number; each: number; formula: string; cycles: number }[] };
    report.rows.push({ kind: 'frame bytes copied', counter: 'bytesCopied', count: 3, each: 0.5, formula: 'copyByte', cycles: 1.5 });
    expect(countersModel(c).rows.find((r) => r.kind === 'frame bytes copied')!.each).toBe(0.5);
    const bare = { ...c, cost: { preset: 'p4-2006', rows: [{ kind: 'x', count: 2, cycles: 10 }], totalCycles: 10 } } as unknown as Counters;
    expect(countersModel(bare).overhead).toBeNull();
    expect(countersModel(bare).rows[0]!.each).toBe(5);
  });

  test("a nanobenchmark's figures per iteration, from the CLI's own computation; none for another run", () => {
    const stats = (c: Counters) => ({ mode: 'trap' as const, machine: c.machine, monitor: c.monitor, cost: c.cost }) as never;
    const run = countersOf('trap', 10_000 + 500, 1000 + 5, 0), base = countersOf('trap', 500, 5, 0);
    const report = perIteration(100, stats(run), stats(base), null);
    const p = perIterationModel({ perIteration: report })!;
    expect(p.iterations).toBe(100);
    expect(p.setup).toBe('setup subtracted (a run with 0 iterations)');
    const traps = p.rows.find((r) => r.kind === 'traps to the monitor')!;
    expect(traps.count).toBe(10); // (1005 - 5) / 100
    expect(traps.cycles).toBe(10 * traps.each);
    expect(p.totalCycles).toBe(report.cost.totalCycles);
    expect(p.guestCycles + p.overheadCycles).toBeCloseTo(p.totalCycles);
    expect(perIterationModel({ perIteration: perIteration(100, stats(run), undefined, 'no baseline build') })!.setup).toBe('setup included: no baseline build');
    expect(perIterationModel({ perIteration: null })).toBeNull();
  });

  test('bars: proportional, a sliver for a tiny non-zero value, nothing for zero', () => {
    expect(barPercent(50, 200)).toBe(25);
    expect(barPercent(1, 1e9)).toBe(0.5);
    expect(barPercent(0, 10)).toBe(0);
    expect(barPercent(5, 0)).toBe(0);
  });

  test('numbers: thousands separated, short axis labels', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(2.25)).toBe('2.3');
    expect(shortCycles(2500)).toBe('2.5k');
    expect(shortCycles(3_000_000)).toBe('3M');
    expect(shortCycles(12)).toBe('12');
  });
});

describe('side by side', () => {
  test('per kind the cycles of each run, the difference and the totals; a kind one run lacks counts 0 there', () => {
    const a = countersOf('trap', 1000, 40, 0);
    const b = countersOf('bt', 1000, 2, 30);
    const m = compareModel({ label: 'trap', counters: a }, { label: 'bt', counters: b });
    expect(m.labels).toEqual(['trap', 'bt']);
    const row = (kind: string) => m.rows.find((r) => r.kind === kind)!;
    const cyc = (c: Counters, kind: string) => c.cost.rows.find((r) => r.kind === kind)?.cycles ?? 0;
    expect(row('traps to the monitor')).toEqual({ kind: 'traps to the monitor', a: cyc(a, 'traps to the monitor'), b: cyc(b, 'traps to the monitor'), diff: cyc(b, 'traps to the monitor') - cyc(a, 'traps to the monitor') });
    expect(row('emulate callouts').a).toBe(0);
    expect(row('emulate callouts').b).toBe(cyc(b, 'emulate callouts'));
    expect(m.total).toEqual({ kind: 'total', a: a.cost.totalCycles, b: b.cost.totalCycles, diff: b.cost.totalCycles - a.cost.totalCycles });
    // Rows keep the first run's order, then the second's own kinds.
    expect(m.rows.findIndex((r) => r.kind === 'emulate callouts')).toBeGreaterThan(m.rows.findIndex((r) => r.kind === 'traps to the monitor'));
    expect(m.max).toBe(Math.max(...m.rows.flatMap((r) => [r.a, r.b])));
  });

  test('ratio text only when both are non-zero', () => {
    expect(ratioText(100, 250)).toBe('×2.50');
    expect(ratioText(100, 25)).toBe('×0.250');
    expect(ratioText(10, 1000)).toBe('×100');
    expect(ratioText(0, 5)).toBe('');
  });
});

