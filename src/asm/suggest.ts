// "Did you mean ...?" for misspelt mnemonics, directives and symbols.

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The edit distance if it is at most `max`, else max + 1. Only a band of
 * 2 * max + 1 cells around the diagonal is computed and it stops once a row
 * exceeds `max`: O(length * max) time, so long names cost linear time.
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  const over = max + 1;
  if (Math.abs(a.length - b.length) > max) return over;
  if (a.length > b.length) [a, b] = [b, a];
  const m = b.length;
  let prev = new Array<number>(m + 1).fill(over);
  let cur = new Array<number>(m + 1).fill(over);
  for (let j = 0; j <= Math.min(m, max); j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(m, i + max);
    cur[lo - 1] = lo === 1 && i <= max ? i : over;
    let rowMin = cur[lo - 1]!;
    for (let j = lo; j <= hi; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), over);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < m) cur[hi + 1] = over;
    if (rowMin > max) return over;
    [prev, cur] = [cur, prev];
  }
  return prev[m]!;
}

/**
 * The closest candidate, if it is close enough to be a plausible typo: at most
 * 2 edits and fewer edits than the word has characters. Ties go to the first.
 */
export function suggest(word: string, candidates: Iterable<string>, caseInsensitive = true): string | undefined {
  const w = caseInsensitive ? word.toLowerCase() : word;
  let best: string | undefined;
  let bestDist = 3; // only distances up to 2 can be suggested, so only those are computed
  for (const c of candidates) {
    if (Math.abs(c.length - w.length) >= bestDist) continue; // cheap: before lowercasing a long name
    const d = boundedEditDistance(w, caseInsensitive ? c.toLowerCase() : c, bestDist - 1);
    if (d < bestDist) {
      best = c;
      bestDist = d;
      if (d === 0) break;
    }
  }
  return best !== undefined && bestDist < w.length ? best : undefined;
}

/** " (did you mean X?)" or "". */
export function didYouMean(word: string, candidates: Iterable<string>, caseInsensitive = true): string {
  const s = suggest(word, candidates, caseInsensitive);
  return s === undefined ? '' : ` (did you mean ${s}?)`;
}
