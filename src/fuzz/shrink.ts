// Shrinking a program whose comparison diverges: greedy delta debugging over
// the program tree. Each step tries one simplification (drop the timer; drop a
// node, a half or a quarter of a block; replace a loop or an if by its body;
// run a loop once; turn an op into nops) and keeps it if the same comparison still diverges,
// until no simplification is left (a 1-minimal program).

import type { Node, Program } from './program.js';

type Edit = (p: Program) => Program | undefined;

const clone = (p: Program): Program => structuredClone(p);

/** Every block of the program (the body, functions, loop and if bodies), as paths to reach it from a clone. */
function blocks(p: Program): Array<(q: Program) => Node[]> {
  const out: Array<(q: Program) => Node[]> = [];
  const walk = (get: (q: Program) => Node[], nodes: Node[]) => {
    out.push(get);
    nodes.forEach((n, i) => {
      if (n.k === 'loop' || n.k === 'if') walk((q) => (get(q)[i] as { body: Node[] }).body, n.body);
    });
  };
  walk((q) => q.body, p.body);
  p.fns.forEach((f, i) => walk((q) => q.fns[i]!, f));
  return out;
}

function edits(p: Program): Edit[] {
  const out: Edit[] = [];
  if (p.period !== 0) out.push((q) => ({ ...clone(q), period: 0 }));
  if (p.irqOn) out.push((q) => ({ ...clone(q), irqOn: false }));
  for (const get of blocks(p)) {
    const n = get(p).length;
    // Big cuts first: halves and quarters, then single nodes.
    for (const parts of [2, 4]) {
      if (n < parts * 2) continue;
      const size = Math.ceil(n / parts);
      for (let s = 0; s < n; s += size) out.push((q) => { const c = clone(q); get(c).splice(s, size); return c; });
    }
    for (let i = n - 1; i >= 0; i--) {
      const node = get(p)[i]!;
      out.push((q) => { const c = clone(q); get(c).splice(i, 1); return c; });
      if (node.k === 'loop' || node.k === 'if') {
        out.push((q) => { const c = clone(q); const b = get(c); b.splice(i, 1, ...(b[i] as { body: Node[] }).body); return c; });
      }
      if (node.k === 'loop' && node.count > 1) {
        out.push((q) => { const c = clone(q); (get(c)[i] as { count: number }).count = 1; return c; });
      }
      // An op's lines stay together (a PTE change keeps its tlbi, a probe its address), so a
      // shrunk program is still a correct guest. As many nops keep the timing (where a line is
      // one word), which a divergence that depends on where timer ticks land needs.
      if (node.k === 'op' && node.lines.some((l) => l !== 'nop')) {
        out.push((q) => { const c = clone(q); (get(c)[i] as { lines: string[] }).lines = node.lines.map(() => 'nop'); return c; });
      }
    }
  }
  return out;
}

export interface ShrinkResult { program: Program; tries: number }

/** The smallest program found for which `fails` still holds; `fails` must hold for `p`. Bounded by `maxTries` checks. */
export function shrinkProgram(p: Program, fails: (q: Program) => boolean, maxTries = 2000): ShrinkResult {
  let cur = p;
  let tries = 0;
  // Passes over the edit list; after a success the list is made again for the smaller program
  // and the pass goes on from the same place (not from the start: that made shrinking quadratic).
  let i = 0;
  let progressed = false;
  while (tries < maxTries) {
    const list = edits(cur);
    if (i >= list.length) {
      if (!progressed) break;
      i = 0;
      progressed = false;
      continue;
    }
    const next = list[i]!(cur);
    tries++;
    let still = false;
    try {
      still = next !== undefined && fails(next);
    } catch {
      still = false; // a simplification that no longer assembles is not a smaller reproducer
    }
    if (still) {
      cur = next!;
      progressed = true;
    } else i++;
  }
  return { program: cur, tries };
}
