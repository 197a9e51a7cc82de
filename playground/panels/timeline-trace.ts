// The timeline's tracks from a cycle-sampled timeline (src/trace/perfetto.ts
// buildTimeline: per VM, slices of guest execution and of monitor work, and
// instants, all in modelled cycles since reset), for when the page has one.
// Typed by the shape it reads, so any object of that shape will do.

import { kindOfEvent, tracksFromEvents, type Mark, type StepEvent, type TimelineKind, type TimelineTrack } from './timeline-model.js';

type Instant = { category: string; name: string; at: number; args?: Record<string, unknown> };

/** The shape of src/trace/perfetto.ts's Timeline that the panel reads (the protocol's TimelineResponse carries one). */
export interface SampledTimeline {
  vms: readonly {
    name: string;
    slices: readonly { kind: string; name: string; start: number; dur: number; args?: Record<string, unknown> }[];
    instants: readonly Instant[];
  }[];
  /** Records of no VM (the wire, the PF, IOMMU invalidations): a track of their own when there are any. */
  network?: { instants: readonly Instant[] };
}

/** What the timeline panel takes: a cycle-sampled timeline, or the older per-step events. */
export type TimelineData = SampledTimeline | readonly StepEvent[];

/** The track name of the records of no VM. */
export const NETWORK_TRACK = '(network)';

/**
 * The cost report's event kinds (src/vmm/cost-model.ts): a monitor slice that no monitor record
 * names is called after the row that priced most of it (`EPT entries read`, `instructions translated`).
 */
const COST_KINDS: Record<string, TimelineKind> = {
  'VM exits': 'exit', 'VMCS reads': 'exit', 'VMCS writes': 'exit',
  'traps to the monitor': 'trap', 'instructions emulated': 'trap', 'exceptions reflected': 'trap', 'interrupts injected': 'trap',
  'EPT entries read': 'paging', 'shadow fills': 'paging', 'traced page-table writes': 'paging', 'shadow invalidations': 'paging',
  'shadow switches': 'paging', 'page-table entries by hypercall': 'paging',
  'instructions translated': 'translate',
  'emulate callouts': 'callout', 'exit callouts': 'callout', 'fault callouts': 'callout', 'indirect lookups': 'callout',
  'frames switched': 'packet', 'frame bytes copied': 'packet',
  hypercalls: 'hypercall',
};

/**
 * A monitor slice's kind from its name (src/trace/perfetto.ts monitorName: `exit: io`, `hypercall: ...`,
 * `callout: ...`; emulate, reflect, inject and trap are the monitor handling a trap), else the cost kind it is named after.
 */
export function kindOfSliceName(name: string): TimelineKind {
  const head = name.split(':')[0]!.trim();
  if (head === 'exit' || head === 'hypercall' || head === 'callout') return head;
  if (head === 'emulate' || head === 'reflect' || head === 'inject' || head === 'trap') return 'trap';
  return COST_KINDS[name] ?? 'other';
}

/** An instant's kind from its record type (frames are packets; monitor instants by their name). */
export function kindOfInstant(category: string, name: string): TimelineKind {
  if (category === 'frame') return 'packet';
  // The monitor injecting a virtual interrupt: an interrupt as the guest sees it.
  if (category === 'inject') return 'interrupt';
  if (category === 'monitor') return kindOfSliceName(name);
  return kindOfEvent(category);
}

function stepOf(args: Record<string, unknown> | undefined): number {
  const s = args?.['step'];
  return typeof s === 'number' ? s : 0;
}

function instantMark(i: Instant): Mark {
  return { kind: kindOfInstant(i.category, i.name), name: i.name, start: i.at, dur: 0, cycles: null, step: stepOf(i.args) };
}

export function tracksFromTimeline(t: SampledTimeline): TimelineTrack[] {
  const tracks = t.vms.map((vm) => {
    const marks: Mark[] = [
      ...vm.slices.map((s) => ({
        kind: s.kind === 'guest' ? 'guest' : kindOfSliceName(s.name), name: s.name, start: s.start, dur: s.dur, cycles: s.dur, step: stepOf(s.args),
      })),
      ...vm.instants.map(instantMark),
    ];
    marks.sort((a, b) => a.start - b.start);
    return { vm: vm.name, events: marks };
  });
  const net = t.network?.instants ?? [];
  if (net.length) tracks.push({ vm: NETWORK_TRACK, events: net.map(instantMark).sort((a, b) => a.start - b.start) });
  return tracks;
}

/** Tracks from either form the panel takes. */
export function tracksOf(data: TimelineData): TimelineTrack[] {
  return Array.isArray(data) ? tracksFromEvents(data as readonly StepEvent[]) : tracksFromTimeline(data as SampledTimeline);
}
