// Collects a timeline's input (perfetto-input.ts) while a run is traced: the
// records the timeline shows, and after a step each VM's modelled cycles,
// priced by the cost model from the same counters `run --stats` prices. A
// sample is taken only when the step matters to the timeline (it made a
// record the timeline keeps, or the monitor's counters moved); the guest's
// own cycles in between fold into the next sample, so nothing is lost and
// the last sample is the run's whole cost. Pure: no node: imports.

import { createCounters } from '../machine/counters.js';
import { priceCounters, type CostPreset, type CostPresetName, type CountersToPrice } from '../vmm/cost-model.js';
import type { MonitorCounters } from '../vmm/counters.js';
import type { CycleSample, TimelineEntry, TimelineInput, TimelineVm } from './perfetto-input.js';
import type { TraceRecord } from './records.js';

/** A VM to sample: its counters, read live (a copy is not needed: they are priced at once). */
export interface RecordedVm extends TimelineVm {
  /** The machine's counters of this VM (on a host they are worked out: asked for only when a sample is taken). */
  machine(): CountersToPrice['machine'];
  /** Its monitor's counters (undefined natively), looked at after every step. */
  monitor(): MonitorCounters | undefined;
}

/** The records a timeline shows (instants; monitor records name the monitor's slices). Instructions, I/O, walks and DMA translations it leaves out. */
export function timelineKeeps(r: TraceRecord): boolean {
  switch (r.type) {
    case 'monitor': case 'interrupt': case 'idle': case 'halt': case 'frame': case 'mailbox': return true;
    // A trap the monitor took shows as its slice; the guest's own exceptions as instants.
    case 'exception': return r.delivered !== 'hook';
    case 'iommu': return r.event !== 'translate';
    default: return false;
  }
}

/** The cost report's rows before the monitor's: those priceCounters makes from the machine's counters alone. */
const MACHINE_ROWS = priceCounters({ machine: createCounters() }).rows.length;

/**
 * The monitor counters the cost model prices (under hw, and in the other
 * modes): the overhead moves only when one of them does. Counters only grow,
 * so their sum tells, in one short loop per step, whether one did.
 */
const PRICED_MONITOR_COUNTERS: readonly string[] = (() => {
  const monitorRows = (vmExits: number) => priceCounters({
    machine: createCounters(),
    monitor: new Proxy({}, { get: (_, k) => (k === 'vmExits' ? vmExits : 1) }) as MonitorCounters,
  }).rows.slice(MACHINE_ROWS).map((r) => r.counter);
  return [...new Set([...monitorRows(1), ...monitorRows(0)])];
})();

function pricedSum(mon: MonitorCounters): number {
  const c = mon as unknown as Record<string, number>;
  let n = 0;
  for (const k of PRICED_MONITOR_COUNTERS) n += c[k] ?? 0;
  return n;
}

const MACHINE_COUNTS = ['interrupts'] as const;
const MONITOR_COUNTS = ['injected', 'traps', 'vmExits', 'callouts', 'hypercalls'] as const;

interface VmSlot {
  vm: RecordedVm;
  last: CycleSample | undefined;
  /** Overhead cycles by row at the last sample. */
  lastRows: Map<string, number>;
  /** The sum of the monitor's priced counters at the last look, to see whether a step moved them. */
  monitorSeen: number;
  /** Records of this VM since its last sample. */
  pending: boolean;
}

export class TimelineRecorder {
  private readonly entries: TimelineEntry[] = [];
  private readonly slots = new Map<string, VmSlot>();

  constructor(private readonly preset: CostPreset | CostPresetName, private readonly vms: readonly RecordedVm[]) {
    for (const vm of vms) this.slots.set(vm.name, { vm, last: undefined, lastRows: new Map(), monitorSeen: 0, pending: false });
    // Where each VM stands when recording begins: the time origin.
    for (const s of this.slots.values()) this.sample(s);
  }

  /** A record of VM `vm` (null: of no VM); those the timeline does not show are dropped here. */
  record(vm: string | null, r: TraceRecord): void {
    if (!timelineKeeps(r)) return;
    this.entries.push({ vm, record: r });
    if (vm !== null) this.slot(vm).pending = true;
  }

  /**
   * A step of `vm` is done (its records are in): sample it if the step
   * matters (records to place in time, or the monitor's counters moved), then
   * any other VM a record of the step belongs to (a frame switched to it).
   */
  endStep(vm: string): void {
    const s = this.slot(vm);
    if (this.hasPendingEntries() || this.monitorMoved(s)) this.sample(s, this.hasPendingEntries());
    for (const o of this.slots.values()) if (o.pending) this.sample(o);
  }

  /** Every VM's last sample (the run's whole cost) and the input for buildTimeline. */
  finish(): TimelineInput {
    for (const s of this.slots.values()) this.sample(s, this.hasPendingEntries());
    return { preset: typeof this.preset === 'string' ? this.preset : this.preset.name, vms: this.vms.map(({ name, mode }) => ({ name, mode })), entries: this.entries };
  }

  private slot(vm: string): VmSlot {
    const s = this.slots.get(vm);
    if (!s) throw new Error(`no VM '${vm}' is recorded`);
    return s;
  }

  private monitorMoved(s: VmSlot): boolean {
    const mon = s.vm.monitor();
    if (!mon) return false;
    const sum = pricedSum(mon);
    if (sum === s.monitorSeen) return false;
    s.monitorSeen = sum;
    return true;
  }

  /** Push `s`'s cycles unless nothing changed since its last sample (`force`: records wait to be placed). */
  private sample(s: VmSlot, force = false): void {
    s.pending = false;
    const counters = { machine: s.vm.machine(), monitor: s.vm.monitor() };
    const report = priceCounters(counters, this.preset);
    const overheadBy: Record<string, number> = {};
    for (const row of report.rows.slice(MACHINE_ROWS)) {
      const before = s.lastRows.get(row.kind) ?? 0;
      if (row.cycles !== before) overheadBy[row.kind] = row.cycles - before;
      s.lastRows.set(row.kind, row.cycles);
    }
    const counts: Record<string, number> = {};
    const m = counters.machine, mon = counters.monitor;
    for (const k of MACHINE_COUNTS) counts[k] = m[k];
    if (mon) for (const k of MONITOR_COUNTS) counts[k] = mon[k];
    const c: CycleSample = { guest: report.guestCycles, overhead: report.overheadCycles, instructions: m.instructions, counts, overheadBy };
    if (s.last && !force && c.guest === s.last.guest && c.overhead === s.last.overhead && c.instructions === s.last.instructions) return;
    s.last = c;
    if (mon) s.monitorSeen = pricedSum(mon);
    this.entries.push({ vm: s.vm.name, cycles: c });
  }

  /** Records not yet followed by a sample (they need one to be placed in time). */
  private hasPendingEntries(): boolean {
    const e = this.entries[this.entries.length - 1];
    return e !== undefined && 'record' in e;
  }
}
