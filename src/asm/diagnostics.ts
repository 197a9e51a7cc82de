// Collecting and printing diagnostics. Both passes may report the same
// problem (a .set is evaluated twice); identical reports are kept once.

import { columnOf, expansionNote, type SourceLine } from './source.js';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
  sourceLine?: string;
}

export class Diagnostics {
  private readonly items: { d: Diagnostic; seq: number; order: number }[] = [];
  private readonly seen = new Set<string>();

  /** Report at offset `pos` of a line's parsed text. */
  at(line: SourceLine, pos: number, message: string, severity: 'error' | 'warning' = 'error'): void {
    this.add({
      file: line.file,
      line: line.line,
      column: columnOf(line, pos),
      message: message + expansionNote(line.macro),
      severity,
      sourceLine: line.raw,
    }, line.seq);
  }

  /** Report something that has no source line (command-line defines, an unreadable main file). */
  add(d: Diagnostic, seq = -1): void {
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.severity}\0${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({ d, seq, order: this.items.length });
  }

  get count(): number {
    return this.items.length;
  }

  get hasErrors(): boolean {
    return this.items.some((i) => i.d.severity === 'error');
  }

  /** In source order (the order pass 1 met the lines), then in order of report. */
  list(): Diagnostic[] {
    return [...this.items].sort((a, b) => a.seq - b.seq || a.order - b.order).map((i) => i.d);
  }
}

// Control characters (C0, DEL, C1) and the bidirectional overrides that could
// reorder what the terminal shows (CVE-2021-42574).
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  if (c === '\r') return '\\r';
  if (c === '\n') return '\\n';
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * Text from a source, safe to print on a terminal: control characters are
 * shown as escapes (`\x1b`, `\r`, `\x00`), so a hostile source cannot drive
 * the terminal. Tabs are kept when `keepTabs`, for caret alignment.
 */
export function escapeControls(text: string, keepTabs = false): string {
  const escaped = text.replace(UNSAFE, escapeChar);
  return keepTabs ? escaped : escaped.replace(/\t/g, '\\t');
}

/** Echoed source lines longer than this show only a window around the column. */
const ECHO_WIDTH = 160;

/** The part of `line` to echo, and the column in it: all of it, or ECHO_WIDTH characters around `column` with `...` at the cut ends. */
function echoWindow(line: string, column: number): { text: string; column: number } {
  if (line.length <= ECHO_WIDTH) return { text: line, column };
  const start = Math.max(0, Math.min(column - 1 - ECHO_WIDTH / 2, line.length - ECHO_WIDTH));
  const end = start + ECHO_WIDTH;
  const head = start > 0 ? '...' : '';
  return { text: head + line.slice(start, end) + (end < line.length ? '...' : ''), column: column - start + head.length };
}

/**
 * "file:line:col: error: msg", then the source line and a caret under the
 * column. A long line is echoed around the column only, so that many
 * diagnostics on one long line print in bounded space.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const head = escapeControls(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
  if (d.sourceLine === undefined) return head;
  const { text, column } = echoWindow(d.sourceLine, d.column);
  // Copy tabs from the source so the caret lines up however tabs are displayed;
  // an escaped character is as wide as its escape.
  const lead = [...text.slice(0, Math.max(0, column - 1))]
    .map((c) => (c === '\t' ? '\t' : ' '.repeat(escapeControls(c).length)))
    .join('');
  return `${head}\n  ${escapeControls(text, true)}\n  ${lead}^`;
}
