// What the Perfetto timeline is made from (docs/trace.md, "Perfetto
// timeline"): the trace records of a run, in the order the tracer made them,
// with samples of each VM's modelled cycles (src/vmm/cost-model.ts) after the
// steps that matter. Pure data: no node: imports, so a browser worker (the
// playground) can build it as the CLI does.

import type { TraceRecord } from './records.js';

/** A VM of the timeline: one process. A lone run is one VM (named after its program). */
export interface TimelineVm {
  name: string;
  /** native, trap, bt, pv or hw. */
  mode: string;
}

/** Where a VM's modelled cycles stood after a step: cumulative since reset. */
export interface CycleSample {
  /** The guest's own work on the bare machine (the cost report's machine rows: instructions, deliveries, port I/O, walks). */
  guest: number;
  /** What the monitor (and, under hw, the second-level walks) added (the cost report's monitor rows). */
  overhead: number;
  /** Guest instructions (the machine's `instructions` counter). */
  instructions: number;
  /** Counter values for the counter tracks (interrupts, traps, vmExits, callouts, hypercalls, injected). */
  counts: Record<string, number>;
  /** Overhead cycles by cost-report row (its `kind`) since this VM's previous sample; rows that did not change are left out. */
  overheadBy: Record<string, number>;
}

export type TimelineEntry =
  /** A record of the step in progress, of VM `vm` (null: the wire's, the PF's, an IOMMU invalidation: no VM's). */
  | { vm: string | null; record: TraceRecord }
  /** VM `vm`'s cycles once the step whose records come before it was done. */
  | { vm: string; cycles: CycleSample };

export interface TimelineInput {
  /** The cost model's preset that priced the samples. */
  preset: string;
  vms: TimelineVm[];
  /** Each VM's first sample (its cycles when recording began) comes before any of its records. */
  entries: TimelineEntry[];
}
