// Interleaved rounds (bench/interleave.ts): each round opens every cell afresh,
// takes their samples in turn with the order rotated, and closes them all,
// also when a sample fails.
import { describe, expect, it } from 'vitest';
import type { GuestCellSpec } from '../../bench/guest-cell.js';
import type { OpenSession } from '../../bench/cell-session.js';
import { measureGroupsInterleaved, measureInterleaved } from '../../bench/interleave.js';
import { SlowSpells } from '../../bench/machine-speed.js';

const spec = (mode: string): GuestCellSpec => ({ kind: 'guest', suite: 'macro', workload: 'syscall', mode, engine: 'jit', costModel: 'p4-2006', quick: true, timing: { maxTime: 0, minSamples: 1 } });
const info = { out: '', code: 0, iterations: 1, counts: { machine: {}, monitor: null }, cycles: { preset: 'p4-2006', perIteration: 1, guest: 1, overhead: 0 } };

function fakeOpen(log: string[], failAt?: string): OpenSession {
  let opened = 0;
  return async (s) => {
    const id = `${s.mode}#${++opened}`;
    log.push(`open ${id}`);
    let n = 0;
    return {
      info,
      sample: async () => {
        const name = `${id}.${++n}`;
        if (name === failAt) throw new Error(`${name} failed`);
        log.push(`sample ${name}`);
        return { run: { wall: n, cpu: n }, baseline: { wall: 0, cpu: 0 } };
      },
      close: () => { log.push(`close ${id}`); },
    };
  };
}

describe('bench: interleaved rounds', () => {
  it('opens every cell afresh each round, rotates the order of the samples, and closes every cell', async () => {
    const log: string[] = [];
    const done: number[] = [];
    const cells = await measureInterleaved([spec('native'), spec('hw')], { rounds: 2, samples: 2, open: fakeOpen(log), roundDone: (r) => done.push(r) });
    expect(log).toEqual([
      'open native#1', 'open hw#2', 'sample native#1.1', 'sample hw#2.1', 'sample hw#2.2', 'sample native#1.2', 'close native#1', 'close hw#2',
      'open native#3', 'open hw#4', 'sample native#3.1', 'sample hw#4.1', 'sample hw#4.2', 'sample native#3.2', 'close native#3', 'close hw#4',
    ]);
    expect(done).toEqual([1, 2]);
    expect(cells).toHaveLength(2);
    expect(cells[1]!.rounds.map((r) => r.map((s) => s.run.cpu))).toEqual([[1, 2], [1, 2]]);
  });

  it('a failing sample fails the measurement, after closing every open cell', async () => {
    const log: string[] = [];
    await expect(measureInterleaved([spec('native'), spec('hw')], { rounds: 1, samples: 2, open: fakeOpen(log, 'hw#2.1') })).rejects.toThrow('hw#2.1 failed');
    expect(log.filter((l) => l.startsWith('close'))).toEqual(['close native#1', 'close hw#2']);
  });
});

describe('interleaved groups', () => {
  it('opens every cell once a round, then samples each group in turn, rotated; a cell in several groups is sampled in each', async () => {
    const log: string[] = [];
    const specs = ['native', 'bt', 'pv', 'hw'].map(spec);
    const r = await measureGroupsInterleaved(specs, { rounds: 2, samples: 2, open: fakeOpen(log), groups: [[0, 1], [0, 2, 3]] });
    const round1 = log.slice(0, log.indexOf('close native#1') + 4);
    expect(round1).toEqual([
      'open native#1', 'open bt#2', 'open pv#3', 'open hw#4',
      'sample native#1.1', 'sample bt#2.1', 'sample bt#2.2', 'sample native#1.2',
      'sample native#1.3', 'sample pv#3.1', 'sample hw#4.1', 'sample pv#3.2', 'sample hw#4.2', 'sample native#1.4',
      'close native#1', 'close bt#2', 'close pv#3', 'close hw#4',
    ]);
    expect(r.infos).toHaveLength(4);
    expect(r.rounds).toHaveLength(2);
    // By group and member, in the order taken: the reference's samples of the second group are its 3rd and 4th.
    expect(r.rounds[0]![1]![0]!.map((x) => x.run.cpu)).toEqual([3, 4]);
    expect(r.rounds[0]![1]!.map((m) => m.length)).toEqual([2, 2, 2]);
  });
});

describe('interleaved rounds in a slow spell of the machine', () => {
  // The reference's figure of a take is its first sample's run.cpu; `speeds` gives each take's, in order.
  const check = (speeds: number[], retaken: string[]) => {
    const spells = new SlowSpells();
    let take = 0;
    return {
      spells,
      slow: {
        speedOf: () => speeds[take++] ?? 1,
        spells, retakes: 2,
        retaken: (round: number, group: number | null, s: number) => retaken.push(`${round}/${group}/${s}`),
      },
    };
  };

  it('a round whose reference ran beyond 1.3× the fastest seen is sampled again from the same processes; the fastest take is kept', async () => {
    const log: string[] = [];
    const retaken: string[] = [];
    // Round 1: 1.0 (the fastest); round 2: 1.8 (slow), then 1.5 (slow, faster), then 1.6: kept the 1.5 take.
    const { slow } = check([1.0, 1.8, 1.5, 1.6], retaken);
    const cells = await measureInterleaved([spec('native')], { rounds: 2, samples: 1, open: fakeOpen(log), slow });
    expect(retaken).toEqual(['2/null/1.8', '2/null/1.5']);
    expect(log.filter((l) => l.startsWith('open'))).toEqual(['open native#1', 'open native#2']); // no reopening
    expect(log.filter((l) => l.startsWith('sample'))).toEqual(['sample native#1.1', 'sample native#2.1', 'sample native#2.2', 'sample native#2.3']);
    expect(cells[0]!.rounds[1]!.map((s) => s.run.cpu)).toEqual([2]); // the second take, whose reference was fastest
  });

  it('a group in a slow spell is sampled again alone, the other groups not', async () => {
    const log: string[] = [];
    const retaken: string[] = [];
    const { slow } = check([1.0, 1.4, 1.0], retaken);
    await measureGroupsInterleaved(['native', 'bt', 'pv'].map(spec), { rounds: 1, samples: 1, open: fakeOpen(log), groups: [[0, 1], [0, 2]], slow });
    expect(retaken).toEqual(['1/1/1.4']);
    expect(log.filter((l) => l.startsWith('sample'))).toEqual(['sample native#1.1', 'sample bt#2.1', 'sample native#1.2', 'sample pv#3.1', 'sample native#1.3', 'sample pv#3.2']);
  });

  it('the fastest figure so far decides: a run that starts slow and speeds up retakes only what came after', () => {
    const spells = new SlowSpells();
    expect([2.0, 1.9, 1.0, 1.25, 1.31, 2.0].map((x) => spells.isSlow(x))).toEqual([false, false, false, false, true, true]);
    expect(spells.fastestMs()).toBe(1000);
  });
});
