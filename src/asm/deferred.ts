// Resolving the .equ values that depended on forward references, once
// addresses are final. Each .equ is evaluated when the pending ones it names
// are resolved (a worklist over the dependency graph), so the cost is linear
// in the size of the definitions, whatever order they are written in (a
// repeat-until-no-progress loop is quadratic on a chain written backwards).

import { exprStart } from './ast.js';
import { symbolsIn } from './expr.js';
import type { AsmState } from './state.js';

export function resolveDeferred(st: AsmState): void {
  const all = st.deferred;
  const index = new Map(all.map((d, i) => [d.name, i]));
  const uses = all.map((d) => symbolsIn(d.expr));
  // waiting[i]: pending names .equ i still needs; dependents[j]: the .equ that name j holds up.
  const waiting = new Array<number>(all.length).fill(0);
  const dependents: number[][] = all.map(() => []);
  all.forEach((_, i) => {
    for (const j of new Set(uses[i]!.map((n) => index.get(n)).filter((j) => j !== undefined))) {
      waiting[i]!++;
      dependents[j]!.push(i);
    }
  });
  const resolved = new Array<boolean>(all.length).fill(false);
  const ready = all.map((_, i) => i).filter((i) => waiting[i] === 0);
  while (ready.length) {
    const i = ready.pop()!;
    const d = all[i]!;
    const v = st.evaluate(d.expr, 'guess', d.stmt);
    const def = st.symbols.get(d.name);
    if (v === undefined || !def || def.kind === 'label') continue;
    def.value = v;
    resolved[i] = true;
    for (const k of dependents[i]!) if (--waiting[k]! === 0) ready.push(k);
  }
  const pending = all.map((_, i) => i).filter((i) => !resolved[i]);
  for (const i of pending) {
    const def = st.symbols.get(all[i]!.name);
    if (def && def.kind !== 'label') def.failed = true;
  }
  // Report what is wrong; a .equ that only depends on failed ones stays quiet
  // unless the failure is a cycle among them.
  const explained = new Set<number>();
  for (const i of pending) {
    const before = st.diags.count;
    st.evaluate(all[i]!.expr, 'final', all[i]!.stmt);
    if (st.diags.count > before) explained.add(i);
  }
  const spread = [...explained];
  while (spread.length) {
    for (const k of dependents[spread.pop()!]!) {
      if (!resolved[k] && !explained.has(k)) {
        explained.add(k);
        spread.push(k);
      }
    }
  }
  for (const i of pending) {
    const d = all[i]!;
    if (!explained.has(i)) st.report(d.stmt, exprStart(d.expr), `cannot evaluate .equ ${d.name}: its definition is circular`);
  }
}
