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
 * The closest candidate, if it is close enough to be a plausible typo: at most
 * 2 edits and fewer edits than the word has characters. Ties go to the first.
 */
export function suggest(word: string, candidates: Iterable<string>, caseInsensitive = true): string | undefined {
  const w = caseInsensitive ? word.toLowerCase() : word;
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, caseInsensitive ? c.toLowerCase() : c);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best !== undefined && bestDist <= 2 && bestDist < w.length ? best : undefined;
}

/** " (did you mean X?)" or "". */
export function didYouMean(word: string, candidates: Iterable<string>, caseInsensitive = true): string {
  const s = suggest(word, candidates, caseInsensitive);
  return s === undefined ? '' : ` (did you mean ${s}?)`;
}
