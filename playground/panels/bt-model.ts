// The bt panel's rows, without the DOM: the snapshot carries the unit at the
// guest pc as `virtlab bt-dump` prints it (src/cli/bt-dump-format.ts: a `==`
// label, the `unit` line, then each guest instruction beside its translation
// split at `|` by src/vmm/bt/format.ts, then the chains). This reads that
// text back into two columns, so the page shows exactly what bt-dump shows.

import { parseAddress } from './format.js';

export interface GuestCell {
  pc: number;
  text: string;
  /** IDENT, emulate, control, fault, ... (bt-dump's marker column). */
  treatment: string;
}

export interface TcCell {
  /** Word offset in the unit (`+3`). */
  offset: number;
  text: string;
  /** The callout or local branch it stands for, after `;`, or ''. */
  note: string;
}

export type BtLine =
  /** A label line (`== ...`, `unit ...`) or a chain line, shown whole. */
  | { kind: 'text'; text: string }
  /** A guest instruction (null on a continuation line) beside one translated word (null for `(no code)`; `right` is the text as printed). */
  | { kind: 'pair'; guest: GuestCell | null; tc: TcCell | null; right: string };

const GUEST = /^\s*(0x[0-9a-fA-F]{8})\s{2}(.*?)\s+(\S+)\s*$/;
const TC = /^\+(\d+)\s+(.*?)(?:\s+;\s+(.*))?$/;

export function parseBtText(text: string): BtLine[] {
  const out: BtLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const bar = line.indexOf('| ');
    // Only instruction lines have the separator (a label or chain line never contains `| `).
    if (bar < 0 || line.startsWith('==') || line.startsWith('unit ')) {
      out.push({ kind: 'text', text: line.trimEnd() });
      continue;
    }
    const left = line.slice(0, bar), right = line.slice(bar + 2).trim();
    const g = GUEST.exec(left);
    const guest = g ? { pc: parseAddress(g[1]!) ?? 0, text: g[2]!.trim(), treatment: g[3]! } : null;
    const t = TC.exec(right);
    const tc = t ? { offset: Number(t[1]), text: t[2]!.trim(), note: t[3]?.trim() ?? '' } : null;
    out.push({ kind: 'pair', guest, tc, right });
  }
  return out;
}

/** One unit of the dump: its label lines, guest code beside translation, and its chain lines. */
export interface BtUnit {
  /** The `== 0x... <sym>  gpa ...  tc ...` line. */
  label: string;
  /** The `unit 0x...: N guest insns -> M words ...` line. */
  summary: string;
  pairs: Extract<BtLine, { kind: 'pair' }>[];
  chains: string[];
}

export interface BtDump {
  /** What precedes the first unit: bt-dump's header (program, guest, units, callouts, ...) and any note. */
  header: string[];
  units: BtUnit[];
}

/** The dump's lines grouped per unit (bt-dump prints every unit holding the pc: one may start inside another). */
export function btUnits(lines: readonly BtLine[]): BtDump {
  const header: string[] = [];
  const units: BtUnit[] = [];
  for (const l of lines) {
    const unit = units[units.length - 1];
    if (l.kind === 'text' && l.text.startsWith('==')) units.push({ label: l.text, summary: '', pairs: [], chains: [] });
    else if (!unit) header.push(l.kind === 'text' ? l.text : l.right);
    else if (l.kind === 'pair') unit.pairs.push(l);
    else if (l.text.startsWith('unit ') && unit.summary === '') unit.summary = l.text;
    else unit.chains.push(l.text.trim());
  }
  return { header, units };
}
