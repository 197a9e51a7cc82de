// Determinism, engine-variant equivalence, state capture/restore with the
// memory write journal (reverse stepping must give the machine back bit for bit).

import { describe, expect, test } from 'vitest';
import { bootMiniOs, fingerprint } from './programs.js';

describe('determinism', () => {
  test('the mini OS runs to completion with timer interrupts, syscalls and output', () => {
    const { m, eng } = bootMiniOs();
    const r = eng.run(1_000_000);
    expect(r.stop.kind).toBe('halted');
    expect(m.console!.text()).toBe('123456789:;<');
    expect(m.counters.interrupts).toBeGreaterThan(50);
    expect(m.counters.excSyscall).toBe(13);
    expect(r.stop.kind === 'halted' && r.stop.code).toBe(m.counters.interrupts);
  });
  test('the same program twice gives identical counters, registers and memory', () => {
    const a = bootMiniOs();
    a.eng.run();
    const b = bootMiniOs();
    b.eng.run();
    expect(fingerprint(b.m)).toEqual(fingerprint(a.m));
  });
  test('observer, breakpoint and journal variants and single steps give the same machine as the fast loop', () => {
    const fast = bootMiniOs();
    fast.eng.run();
    const want = fingerprint(fast.m);

    const observed = bootMiniOs();
    let records = 0;
    observed.m.observer = () => records++;
    observed.eng.run();
    expect(fingerprint(observed.m)).toEqual(want);
    expect(records).toBe(want.counters.steps);

    const withBp = bootMiniOs();
    withBp.m.breakpoints.add(0xfff0);
    withBp.m.enableJournal();
    withBp.eng.run();
    expect(fingerprint(withBp.m)).toEqual(want);

    const stepped = bootMiniOs();
    while (!stepped.m.stopped) stepped.eng.step();
    expect(fingerprint(stepped.m)).toEqual(want);
  });
  test('running in budget-sized pieces gives the same machine', () => {
    const whole = bootMiniOs();
    whole.eng.run();
    const pieces = bootMiniOs();
    while (!pieces.m.stopped) pieces.eng.run(17);
    expect(fingerprint(pieces.m)).toEqual(fingerprint(whole.m));
  });
});

describe('captureState / restoreState with the journal', () => {
  test('restore + undo gives the identical machine, and it replays identically', () => {
    const { m, eng } = bootMiniOs();
    eng.run(500);
    const journal = m.enableJournal();
    const state = m.captureState();
    const mark = journal.mark();
    const before = fingerprint(m);

    eng.run(3000); // interrupts, syscalls, page-table A/D updates, output
    expect(fingerprint(m)).not.toEqual(before);
    expect(journal.length).toBeGreaterThan(mark);

    journal.undoTo(mark);
    m.restoreState(state);
    expect(fingerprint(m)).toEqual(before);
    expect(m.captureState()).toEqual(state);

    // Replaying from the restored point ends exactly like an uninterrupted run.
    eng.run();
    const ref = bootMiniOs();
    ref.eng.run();
    expect(fingerprint(m)).toEqual(fingerprint(ref.m));
  });
  test('stepping back one step at a time', () => {
    const { m, eng } = bootMiniOs();
    eng.run(1000);
    const journal = m.enableJournal();
    const history: { state: ReturnType<typeof m.captureState>; mark: number; fp: ReturnType<typeof fingerprint> }[] = [];
    for (let i = 0; i < 60; i++) {
      history.push({ state: m.captureState(), mark: journal.mark(), fp: fingerprint(m) });
      eng.step();
    }
    for (let i = history.length - 1; i >= 0; i -= 7) {
      const h = history[i]!;
      journal.undoTo(h.mark);
      m.restoreState(h.state);
      expect(fingerprint(m)).toEqual(h.fp);
    }
  });
  test('restoring a halted state keeps the machine stopped; restoring an earlier one resumes it', () => {
    const { m, eng } = bootMiniOs();
    const early = m.captureState();
    m.enableJournal();
    eng.run();
    expect(m.stopped?.kind).toBe('halted');
    const end = m.captureState();
    m.restoreState(early);
    expect(m.stopped).toBeUndefined();
    m.restoreState(end);
    expect(eng.run(10).steps).toBe(0);
  });
  test('captured console output is cut back on restore', () => {
    const { m, eng } = bootMiniOs();
    const s = m.captureState();
    eng.run();
    expect(m.console!.text()).not.toBe('');
    m.restoreState(s);
    expect(m.console!.text()).toBe('');
  });
  test('a snapshot is independent of later changes', () => {
    const { m, eng } = bootMiniOs();
    eng.run(300);
    const s = m.captureState();
    const copy = structuredClone(s);
    eng.run(300);
    expect(s).toEqual(copy);
  });
});
