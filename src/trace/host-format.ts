// Records of a host trace: each one a lone trace's record with the VM that
// made it in front, `vm` as the first JSONL field and `NAME | ` before the
// text line (as `virtlab host` prefixes a VM's console lines). A frame record
// of the wire (its device or its switch port) belongs to no VM: `vm` null,
// `- | ` in text (a VM's name never is `-`).

import { formatterFor, type TraceFormat, type TraceFormatter } from './format.js';
import { formatTextRecord } from './format-text.js';
import type { TraceRecord } from './records.js';

export type HostTraceRecord = { vm: string | null } & TraceRecord;

/** A lone record of VM `vm` as a host trace's record: `vm` first, the record's own fields after it. */
export function withVm(vm: string | null, r: TraceRecord): HostTraceRecord {
  return { vm, ...r };
}

/** One line per record of a host trace; `width` pads the VM names of text lines into a column. */
export interface HostTraceFormatter {
  record(vm: string | null, r: TraceRecord): string;
  note(text: string): string | undefined;
}

export function hostFormatterFor(format: TraceFormat, width: number): HostTraceFormatter {
  const lone: TraceFormatter = formatterFor(format);
  return format === 'jsonl'
    ? { record: (vm, r) => JSON.stringify(withVm(vm, r)), note: lone.note }
    : { record: (vm, r) => `${(vm ?? '-').padEnd(width)} | ${formatTextRecord(r)}`, note: lone.note };
}
