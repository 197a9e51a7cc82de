// Where a line of text comes from. Macro expansion rewrites a line's text but
// diagnostics must still point into the file where the text actually is, so a
// rewritten line keeps a column map back to the original.

export interface MacroCall {
  name: string;
  file: string; // where the macro was invoked
  line: number;
  outer?: MacroCall; // the expansion that contained the invocation, if any
}

export interface SourceLine {
  file: string;
  line: number; // 1-based
  raw: string; // the line as written in `file`
  text: string; // what is parsed: `raw`, or `raw` with macro arguments substituted
  cols?: readonly number[]; // 1-based column in `raw` of each character of `text` (absent: identity)
  macro?: MacroCall;
  seq: number; // the order pass 1 met this line in; sorts diagnostics into source order
}

/** 1-based column in `raw` of the character at offset `pos` of `text`. */
export function columnOf(line: SourceLine, pos: number): number {
  const cols = line.cols;
  if (!cols) return pos + 1;
  if (pos < cols.length) return cols[pos]!;
  return (cols.length ? cols[cols.length - 1]! : 0) + 1 + (pos - cols.length);
}

/**
 * Join `parts` with `sep`, keeping only the first and last `keep` when there
 * are many more: a runaway recursion gives a bounded line with a count.
 */
export function abbreviate(parts: readonly string[], sep: string, keep = 3): string {
  if (parts.length <= 2 * keep + 1) return parts.join(sep);
  const gap = `... ${parts.length - 2 * keep} more ...`;
  return [...parts.slice(0, keep), gap, ...parts.slice(-keep)].join(sep);
}

/** The calls from the innermost expansion outwards. */
export function callChain(call: MacroCall | undefined): MacroCall[] {
  const out: MacroCall[] = [];
  for (let c = call; c; c = c.outer) out.push(c);
  return out;
}

/** " (in expansion of macro m at f.s:3, in expansion of macro n at f.s:9)" or "" (long chains abbreviated). */
export function expansionNote(call: MacroCall | undefined): string {
  const parts = callChain(call).map((c) => `in expansion of macro ${c.name} at ${c.file}:${c.line}`);
  return parts.length ? ` (${abbreviate(parts, ', ')})` : '';
}

/** Split file contents into lines; a final newline does not start an extra empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
