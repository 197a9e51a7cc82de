// A VM's state for the panels, read with the debugger's own views
// (src/debug/views.ts) and bt-dump's formatter: the guest's registers, flags,
// ring and control registers (under a monitor its virtual CPU), a memory
// range, the guest's page tables, and under bt the translation unit holding
// the guest pc. On a host a VM that does not hold the CPU is shown from its
// saved vCPU (the debugger's ContextPeek), which is put back at once.

import { CR, CR_NAMES, STATUS } from '../isa/index.js';
import { regName } from '../isa/registers.js';
import type { Machine } from '../machine/index.js';
import type { Monitor } from '../vmm/index.js';
import { ContextPeek, type Target } from '../debug/target.js';
import { guestTables, hardwareTables } from '../debug/tables.js';
import { guestState, locationLine, memoryView, ramAddress, registersView, whereStateText, type Space } from '../debug/views.js';
import { btCache, collectUnits, totalsOf, unitContains } from '../cli/bt-dump-collect.js';
import { formatDumpText } from '../cli/bt-dump-format.js';
import { Symbolizer } from '../trace/symbolizer.js';
import { PlaygroundError } from './errors.js';
import type { AddressSpace, VmState } from './protocol.js';

/** The most a memory view reads at once (the debugger's `mem` bound). */
export const MAX_MEMORY_VIEW = 65536;
/** The most page mappings one snapshot lists. */
export const MAX_PAGES = 4096;

export type CpuView = Pick<VmState, 'regs' | 'pc' | 'ring' | 'flags' | 'cr' | 'regsText' | 'whereText'>;

/** The guest pc: under bt the guest instruction the translated code stands for. */
export function guestPc(t: Target, m: Machine): number {
  return t.bt ? t.bt.view.guestPc() : m.cpu.pc >>> 0;
}

/** `fn` with `t`'s vCPU in the CPU's place (on a host, for a VM that is not running now). */
export function withTarget<T>(m: Machine, t: Target, running: boolean, fn: () => T): T {
  if (!t.vm || running) return fn();
  const peek = new ContextPeek(m);
  peek.show(t.vm);
  try {
    return fn();
  } finally {
    peek.end();
  }
}

/** Registers, flags and control registers of the guest's view. */
export function cpuView(m: Machine, t: Target): CpuView {
  const pc = guestPc(t, m);
  const st = guestState(m, t.monitor, pc);
  const status = st.cr[CR.status]!;
  const cr: Record<string, number> = {};
  CR_NAMES.forEach((name, i) => { cr[name] = st.cr[i]! >>> 0; });
  const place = t.bt?.view.here();
  return {
    regs: Array.from(m.cpu.regs, (v, r) => ({ name: `r${r}`, abi: regName(r), value: v >>> 0 })),
    pc,
    ring: st.ring,
    flags: {
      interruptsEnabled: (status & STATUS.IE) !== 0,
      paging: (status & STATUS.PG) !== 0,
      previousInterruptsEnabled: (status & STATUS.PIE) !== 0,
    },
    cr,
    regsText: registersView(m, t.symbols, t.monitor, pc),
    whereText: locationLine(m, t.symbols, pc, t.translate) + '\n' + whereStateText(m, t.monitor, pc, true, place, t.symbols) + '\n',
  };
}

/** `length` bytes from `address` (null where nothing readable is), and the debugger's `mem` dump of them. */
export function memoryRange(m: Machine, t: Target, address: number, length: number, space: AddressSpace = 'virtual'): NonNullable<VmState['memory']> {
  if (!Number.isInteger(address) || address < 0 || address > 0xffffffff) throw new PlaygroundError(`bad address ${address}: expected 0 to 0xffffffff`);
  if (!Number.isInteger(length) || length < 1 || length > MAX_MEMORY_VIEW) throw new PlaygroundError(`bad length ${length}: expected 1 to ${MAX_MEMORY_VIEW}`);
  if (space !== 'virtual' && space !== 'physical') throw new PlaygroundError(`bad address space '${String(space)}' (virtual or physical)`);
  if (address + length > 0x1_0000_0000) throw new PlaygroundError(`${length} bytes from 0x${address.toString(16)} run past 0xffffffff`);
  const s: Space = space;
  const bytes: (number | null)[] = [];
  for (let i = 0; i < length; i++) {
    const pa = ramAddress(m, address + i, s, t.translate);
    bytes.push(pa === undefined ? null : m.mem.u8[pa]!);
  }
  return { address, length, space, bytes, text: memoryView(m, address, length, s, t.translate) };
}

/** The guest's own page tables, and under a monitor the shadow or EPT tables the CPU walks with or instead of them. */
export function pageTables(m: Machine, t: Target): NonNullable<VmState['pageTables']> {
  const g = guestTables(m, t.monitor, guestPc(t, m), MAX_PAGES);
  const hardware = hardwareTables(m, t.monitor, MAX_PAGES).map(({ kind, root, pages, truncated }) => ({ kind, root, pages, truncated }));
  return { ptbr: g.root, paging: g.paging, pages: g.pages, truncated: g.truncated, hardware };
}

/** Under bt: what `bt-dump --pc GUESTPC` prints for the units holding the guest pc now; null without such a unit or outside bt. */
export function btUnit(m: Machine, t: Target, program: string, maxSteps: number): { text: string } | null {
  const cache = btCache(t.monitor);
  if (!cache || !t.monitor) return null;
  const pc = guestPc(t, m);
  const all = collectUnits(cache);
  const units = all.filter((u) => unitContains(u, pc));
  if (units.length === 0) return null;
  const text = formatDumpText({
    program, stop: m.stopped ?? { kind: 'requested', reason: 'paused' }, steps: m.counters.steps, maxSteps, pc,
    scope: 'cache', inScope: all.length, units, totals: totalsOf(units), run: { ...t.monitor.counters },
  }, new Symbolizer(t.image));
  return { text };
}
