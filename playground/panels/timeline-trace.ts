// The timeline's tracks from a cycle-sampled timeline (src/trace/perfetto.ts
// buildTimeline: per VM, slices of guest execution and of monitor work, and
// instants, all in modelled cycles since reset), for when the page has one.
// Typed by the shape it reads, so any object of that shape will do.

import { kindOfEvent, type Mark, type TimelineKind, type TimelineTrack } from './timeline-model.js';

export interface SampledTimeline {
  vms: readonly {
    name: string;
    slices: readonly { kind: string; name: string; start: number; dur: number; args?: Record<string, unknown> }[];
    instants: readonly { category: string; name: string; at: number; args?: Record<string, unknown> }[];
  }[];
}

/** A monitor slice's kind from its name (`exit: io`, `hypercall: ...`, `callout: ...`; emulate, reflect, inject and trap are the monitor handling a trap). */
export function kindOfSliceName(name: string): TimelineKind {
  const head = name.split(':')[0]!.trim();
  if (head === 'exit' || head === 'hypercall' || head === 'callout') return head;
  if (head === 'emulate' || head === 'reflect' || head === 'inject' || head === 'trap') return 'trap';
  return 'other';
}

/** An instant's kind from its record type (frames are packets; monitor instants by their name). */
export function kindOfInstant(category: string, name: string): TimelineKind {
  if (category === 'frame') return 'packet';
  if (category === 'monitor') return kindOfSliceName(name);
  return kindOfEvent(category);
}

function stepOf(args: Record<string, unknown> | undefined): number {
  const s = args?.['step'];
  return typeof s === 'number' ? s : 0;
}

export function tracksFromTimeline(t: SampledTimeline): TimelineTrack[] {
  return t.vms.map((vm) => {
    const marks: Mark[] = [
      ...vm.slices.map((s) => ({
        kind: s.kind === 'guest' ? 'guest' : kindOfSliceName(s.name), name: s.name, start: s.start, dur: s.dur, cycles: s.dur, step: stepOf(s.args),
      })),
      ...vm.instants.map((i) => ({ kind: kindOfInstant(i.category, i.name), name: i.name, start: i.at, dur: 0, cycles: null, step: stepOf(i.args) })),
    ];
    marks.sort((a, b) => a.start - b.start);
    return { vm: vm.name, events: marks };
  });
}
