// The page tables the debugger and the playground show: the guest's own, and
// the shadow or EPT tables the CPU walks with or instead of them. The sets are
// checked against each other: what the CPU walks must agree with what the
// guest wrote, composed with where the monitor put the guest's memory.

import { describe, expect, test } from 'vitest';
import { guestTables, hardwareTables, listMappings, tablesView, translateThrough, type TableSet } from '../../src/debug/tables.js';
import type { DebugSession } from '../../src/debug/index.js';
import { fails, out, run, session } from './helpers.js';

const TINYOS = 'guests/tinyos/tinyos.s';

function atWorker(mode: 'native' | 'bt' | 'hw', ept = true): DebugSession {
  const s = session(TINYOS, { mode, ept });
  run(s, 'break worker', 'continue');
  return s;
}

function sets(s: DebugSession): TableSet[] {
  return [guestTables(s.machine, s.monitor, s.pc()), ...hardwareTables(s.machine, s.monitor)];
}

describe('the tables the CPU walks, beside the guest\'s', () => {
  test('natively there are only the guest\'s, and they map the pc to itself (tinyos maps its kernel 1:1)', () => {
    const s = atWorker('native');
    const [guest, ...rest] = sets(s);
    expect(rest).toEqual([]);
    expect(guest!.paging).toBe(true);
    expect(guest!.pages.length).toBeGreaterThan(1000);
    expect(translateThrough(guest!, s.pc())).toBe(s.pc());
    const text = out(s, 'tables');
    expect(text.split('\n').filter((l) => l !== '' && !l.startsWith('  '))).toHaveLength(1);
  });

  test('hw: EPT maps each guest-physical page to where the monitor keeps it; the walk goes through both', () => {
    const s = atWorker('hw');
    const [guest, ept, ...rest] = sets(s);
    expect(rest).toEqual([]);
    expect(ept!.kind).toBe('ept');
    const m = s.monitor!;
    for (const p of guest!.pages.slice(0, 64)) expect(translateThrough(ept!, p.paddr)).toBe(m.guest.host(p.paddr));
    const gpa = translateThrough(guest!, s.pc())!;
    expect(out(s, 'tables')).toContain(`0x${gpa.toString(16).padStart(8, '0')} → 0x${m.guest.host(gpa).toString(16).padStart(8, '0')}`);
  });

  test.each([['bt', true], ['hw', false]] as const)('%s (ept %s): every page the shadow maps is the guest\'s mapping moved to host-physical', (mode, ept) => {
    const s = atWorker(mode, ept);
    const [guest, shadow, ...rest] = sets(s);
    expect(rest).toEqual([]);
    expect(shadow!.kind).toBe('shadow');
    // Filled as the guest touches pages: some, not all of the guest's.
    expect(shadow!.pages.length).toBeGreaterThan(0);
    expect(shadow!.pages.length).toBeLessThan(guest!.pages.length);
    const m = s.monitor!;
    let checked = 0;
    for (const p of shadow!.pages) {
      const gpa = translateThrough(guest!, p.vaddr);
      // The monitor's own pages (its code and data at guest virtual addresses the guest never maps) are not the guest's.
      if (gpa === undefined || !m.guest.contains(gpa, 4)) continue;
      checked++;
      expect(p.paddr).toBe(m.guest.host(gpa) & ~0xfff);
      // A shadow entry never grants what the guest's entry withholds.
      const g = guest!.pages.find((x) => x.vaddr === p.vaddr)!;
      if (!g.flags.writable) expect(p.flags.writable).toBe(false);
      if (!g.flags.user) expect(p.flags.user).toBe(false);
    }
    expect(checked).toBeGreaterThan(0);
  });

  test('the walk listing reads only present entries and stops at its limit', () => {
    const words = new Map<number, number>([[0x1000, 0x2000 | 1], [0x2000, 0x5000 | 1 | 2], [0x2004, 0], [0x2008, 0x7000 | 1]]);
    const all = listMappings((a) => words.get(a) ?? 0, 0x1000);
    expect(all.pages.map((p) => [p.vaddr, p.paddr, p.flags.writable])).toEqual([[0, 0x5000, false], [0x2000, 0x7000, false]]);
    expect(all.truncated).toBe(false);
    const one = listMappings((a) => words.get(a) ?? 0, 0x1000, 1);
    expect(one.pages).toHaveLength(1);
    expect(one.truncated).toBe(true);
    const set: TableSet = { kind: 'guest', root: 0x1000, paging: true, ...all };
    expect(tablesView([set], 0x2abc)).toBe("the guest's page tables (virtual → guest-physical): ptbr 0x00001000, 2 pages mapped\n  0x00002abc → 0x00007abc");
    expect(tablesView([set], 0x1000)).toContain('0x00001000: not mapped');
  });

  test('bad arguments: one line each', () => {
    const s = session(TINYOS);
    expect(fails(s, 'tables 1 2')).toBe('error: usage: tables [ADDR]\n');
    expect(fails(s, 'pt nosuch')).toMatch(/^error: unknown name 'nosuch'[^\n]*\n$/);
  });
});
