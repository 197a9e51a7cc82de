// The two trace formats: aligned text for people, JSON Lines for tools.
// JSONL puts `type` first and keeps the field order of records.ts.

import { formatTextNote, formatTextRecord } from './format-text.js';
import type { TraceRecord } from './records.js';

export const TRACE_FORMATS = ['text', 'jsonl'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export interface TraceFormatter {
  record(r: TraceRecord): string;
  /** A closing remark, or undefined when the format has none (JSONL holds records only). */
  note(text: string): string | undefined;
}

export function formatterFor(format: TraceFormat): TraceFormatter {
  return format === 'jsonl'
    ? { record: (r) => JSON.stringify(r), note: () => undefined }
    : { record: formatTextRecord, note: formatTextNote };
}
