// The profiles suite's host-time table (bench/profiles-suite.ts) from given
// cells, nothing timed: the CPU and network columns are the macro and net
// suites' cells of the same run when given (the sessions that would measure
// them again fail if asked), the timer column's ratio is per round against
// native's same round, every cell has its spread, and a profile below native
// says why.
import { describe, expect, it } from 'vitest';
import type { Sessions } from '../../bench/cell-session.js';
import type { GuestSuiteResult } from '../../bench/guest-suite.js';
import type { NetSuiteResult } from '../../bench/net-suite.js';
import { formatProfilesSuite } from '../../bench/profiles-format.js';
import { runProfilesSuite } from '../../bench/profiles-suite.js';
import type { TimerCellSpec } from '../../bench/profiles-timer-cell.js';
import { PROFILES } from '../../src/profiles/profiles.js';

const MODES = ['native', 'bt', 'pv', 'hw', 'hw-noept'];
const CPU_HOST: Record<string, number> = { native: 1, bt: 1.3, pv: 1.1, hw: 1.02, 'hw-noept': 1.05 };
const ratio = (host: number, spread: number) => ({ host, hostSpread: spread, hostRounds: [host * 0.99, host, host * 1.01], cycles: 1.01 });

const macro = { modes: MODES, skipped: [], cells: MODES.map((mode) => ({ workload: 'compute', mode, ratioToNative: ratio(CPU_HOST[mode]!, 0.03) })) } as unknown as GuestSuiteResult;
const net = {
  rows: ['emulated', 'virtio', 'vf'].flatMap((nic) => MODES.map((mode) => ({
    path: 'wire', nic, mode,
    stream: [{ size: 64, perPacket: { cycles: mode === 'native' && nic === 'emulated' ? 200 : 1000 }, ratioToNative: ratio(nic === 'vf' ? 1.4 : 2.5, 0.12) }],
  }))),
} as unknown as NetSuiteResult;

const refused = (what: string) => async () => { throw new Error(`${what} measured again`); };

/** Timer cells: native runs 2 s per sample against a 1 s baseline; a VM's run is 3 s (×2), nitro-like's virtual timer 1.9 s (×0.9, below native). */
function timerSessions(): Sessions['timer'] {
  return async (spec: TimerCellSpec) => {
    const s = spec.settings;
    const run = s === 'native' ? 2 : s.hw?.virtualTimer ? 1.9 : 3;
    let n = 0;
    return {
      info: { iterations: 1, cycles: s === 'native' ? 100 : s.hw?.virtualTimer ? 105 : 300, interrupts: 1, out: 'ok', code: 0 },
      // The 2nd sample of a round is the fastest; the others are slowed by a busy host.
      sample: async () => ({ run: { wall: 0, cpu: run * (++n % 5 === 2 ? 1 : 1.5) }, baseline: { wall: 0, cpu: 1 } }),
      close: () => {},
    };
  };
}

describe('the profiles suite\'s host time', () => {
  it('takes the CPU and network columns from the macro and net suites of the same run, with their spreads', async () => {
    const log: string[] = [];
    const r = await runProfilesSuite({
      engine: 'jit', costModel: 'p4-2006', quick: false, timing: { maxTime: 0, minSamples: 1 }, rounds: 3, samples: 5, log: (s) => log.push(s), macro, net,
      sessions: { guest: refused('macro compute'), net: refused('a net cell'), timer: timerSessions(), engine: refused('an engine cell') },
    });
    expect(r.sources).toEqual({ cpu: 'macro suite', net: 'net suite' });
    expect(r.rows.map((x) => x.profile)).toEqual(PROFILES.map((p) => p.name));
    for (const row of r.rows) {
      const p = PROFILES.find((x) => x.name === row.profile)!;
      expect(row.cells.cpu.host).toBe(CPU_HOST[p.cpu]);
      expect(row.cells.cpu.hostSpread).toBe(0.03);
      expect(row.cells.net.host).toBe(p.net === 'vf' ? 1.4 : 2.5);
      expect(row.cells.net.hostSpread).toBe(0.12);
      expect(row.cells.net.modelled).toBe(5); // 1000 cycles per frame against the native e1000's 200
    }
    const text = formatProfilesSuite(r);
    expect(text).toContain('CPU & memory: the macro suite\'s compute cells above');
    expect(text).toMatch(/×2\.50 ±12%\?/);
  });

  it('the timer column: per round against native\'s fastest of the same round; below native marked, with its reason', async () => {
    const r = await runProfilesSuite({
      engine: 'jit', costModel: 'p4-2006', quick: false, timing: { maxTime: 0, minSamples: 1 }, rounds: 3, samples: 5, log: () => {}, macro, net,
      sessions: { guest: refused('macro compute'), net: refused('a net cell'), timer: timerSessions(), engine: refused('an engine cell') },
    });
    const irq = (name: string) => r.rows.find((x) => x.profile === name)!.cells.irq;
    expect(irq('xen-hvm').host).toBe(2); // (3 - 1) / (2 - 1), every round
    expect(irq('xen-hvm').hostSpread).toBe(0);
    expect(irq('xen-hvm').belowNative).toBeUndefined();
    expect(irq('nitro-like').host).toBe(0.9);
    expect(irq('nitro-like').belowNative).toMatch(/^within 10% of native/);
    expect(formatProfilesSuite(r)).toMatch(/^\* nitro-like interrupts & timers ×0\.90, below native: within 10% of native/m);
  });
});
