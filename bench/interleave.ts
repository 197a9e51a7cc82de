// Rounds of interleaved samples: each round opens every cell of a group (one
// workload under every mode) afresh, each ready in a process of its own, then
// takes `samples` samples of each in turn — all the modes once, then all again,
// the order rotated by one each time — so that a slow spell of the shared host
// (another process on the other core, a neighbour of the virtual machine)
// falls on every mode alike, and a mode's samples can be set against native's
// taken moments before or after. docs/benchmarks.md, "Host time".

import type { Session } from './cell-session.js';

/** Any kind of cell (guest, net, timer): what it counts (info) and one timed sample (S). */
export interface InterleavedCell<I, S> {
  info: I;
  /** rounds[r][s]: sample s of round r, in the order taken. */
  rounds: S[][];
}

export interface InterleaveOptions<Spec, I, S> {
  rounds: number;
  samples: number;
  open: (spec: Spec) => Promise<Session<I, S>>;
  /** Hears of each round's end with every cell's samples of that round. */
  roundDone?: (round: number, samples: S[][]) => void;
  /** Samples taken again while the machine ran slow (bench/machine-speed.ts SlowSpells); without it, never. */
  slow?: SlowSpellCheck<S>;
}

/**
 * How a round (or a group's part of one) knows it was sampled during a slow
 * spell of the machine: the speed reference's figure among its samples,
 * against the fastest the run has seen. Such samples are taken again, from the
 * same processes (a spell is a moment, not a process), at most `retakes`
 * times; of the takes, the one whose reference ran fastest is kept.
 */
export interface SlowSpellCheck<S> {
  /** The speed reference's figure among one take's samples (by member index), seconds; null if the take has none. */
  speedOf: (taken: S[][]) => number | null;
  spells: { isSlow(seconds: number): boolean };
  retakes: number;
  /** Hears of each retake: the round, the group (null: the whole round), the reference's seconds that made it one. */
  retaken?: (round: number, group: number | null, seconds: number) => void;
}

/** Takes `sample` (the samples of one round or one group) until its speed reference is not in a slow spell, at most 1 + retakes times; keeps the fastest take. */
async function sampleOutsideSlowSpells<S>(sample: () => Promise<S[][]>, slow: SlowSpellCheck<S> | undefined, round: number, group: number | null): Promise<S[][]> {
  let best = await sample();
  if (!slow) return best;
  let bestSpeed = slow.speedOf(best);
  for (let k = 0; k < slow.retakes && bestSpeed !== null && slow.spells.isSlow(bestSpeed); k++) {
    slow.retaken?.(round, group, bestSpeed);
    const again = await sample();
    const speed = slow.speedOf(again);
    if (speed !== null && speed < bestSpeed) [best, bestSpeed] = [again, speed];
  }
  return best;
}

export async function measureInterleaved<Spec, I, S>(specs: readonly Spec[], o: InterleaveOptions<Spec, I, S>): Promise<InterleavedCell<I, S>[]> {
  const cells: InterleavedCell<I, S>[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const sessions: Session<I, S>[] = [];
    try {
      // One after the other: a process's build, checks and warm-up are not timed, but two at once would slow each other's warm-up.
      for (const spec of specs) sessions.push(await o.open(spec));
      const taken = await sampleOutsideSlowSpells(async () => {
        const t: S[][] = specs.map(() => []);
        for (let s = 0; s < o.samples; s++) {
          for (let j = 0; j < specs.length; j++) {
            const k = (j + s) % specs.length;
            t[k]!.push(await sessions[k]!.sample());
          }
        }
        return t;
      }, o.slow, r + 1, null);
      sessions.forEach((x, k) => {
        if (r === 0) cells.push({ info: x.info, rounds: [] });
        cells[k]!.rounds.push(taken[k]!);
      });
      o.roundDone?.(r + 1, taken);
    } finally {
      for (const x of sessions) x.close();
    }
  }
  return cells;
}

export interface GroupedOptions<Spec, I, S> extends InterleaveOptions<Spec, I, S> {
  /** Groups of cells (indices into the specs) sampled in turn; a cell may be in several (a reference every group is compared with). */
  groups: readonly (readonly number[])[];
  /** Hears of each round's end: taken[g][m] is member m of group g's samples. */
  groupsDone?: (round: number, taken: S[][][]) => void;
}

export interface GroupedCells<I, S> {
  /** What each cell counts, by spec index. */
  infos: I[];
  /** rounds[r][g][m]: the samples of member m of group g in round r, in the order taken. */
  rounds: S[][][][];
}

/**
 * As measureInterleaved, but a round opens every cell once (one after the
 * other) and then takes the samples group by group, each group's in turn
 * with the order rotated: a group's rotation stays short (a few cells: a
 * slow spell of the host falls on a cell and its reference alike) while a
 * reference in every group is opened once a round.
 */
export async function measureGroupsInterleaved<Spec, I, S>(specs: readonly Spec[], o: GroupedOptions<Spec, I, S>): Promise<GroupedCells<I, S>> {
  const infos: I[] = [];
  const rounds: S[][][][] = [];
  for (let r = 0; r < o.rounds; r++) {
    const sessions: Session<I, S>[] = [];
    try {
      for (const spec of specs) sessions.push(await o.open(spec));
      const taken: S[][][] = [];
      for (const [gi, g] of o.groups.entries()) {
        taken.push(await sampleOutsideSlowSpells(async () => {
          const t: S[][] = g.map(() => []);
          for (let s = 0; s < o.samples; s++) {
            for (let j = 0; j < g.length; j++) {
              const m = (j + s) % g.length;
              t[m]!.push(await sessions[g[m]!]!.sample());
            }
          }
          return t;
        }, o.slow, r + 1, gi));
      }
      if (r === 0) infos.push(...sessions.map((x) => x.info));
      rounds.push(taken);
      o.groupsDone?.(r + 1, taken);
    } finally {
      for (const x of sessions) x.close();
    }
  }
  return { infos, rounds };
}
