// The modelled price of a host's world switches (docs/cost-model.md, "World
// switches"): what the host suite reports beside its host times. A switch is
// priced as a fixed part per switch, over the cost model's own primitives, plus
// what the switches make the VMs do that they do not do alone, measured: the
// exits or traps that take the CPU back at the end of a slice (the monitor's
// modelled overhead on the host minus alone) and the TLB refills after the
// switches' flushes (page walks on the host minus alone).

import { CR_NAMES, NUM_REGS } from '../src/isa/index.js';
import type { Counters } from '../src/machine/counters.js';
import { costPreset, priceCounters, type CostPresetName } from '../src/vmm/index.js';
import type { MonitorCounters } from '../src/vmm/counters.js';

/** Words of vCPU state a software world switch stores and loads: the registers, pc and control registers (Machine.saveContext). */
export const CONTEXT_WORDS = NUM_REGS + 1 + CR_NAMES.length;
/** Entries a refill walk reads: the guest machine's two-level tables. */
export const WALK_ENTRIES = 2;

export interface SwitchPriceRow { part: string; cycles: number; formula: string }

/**
 * The fixed part of one switch between vCPUs under `hostMode` ('hw' for both hw
 * columns): the software save and load of the vCPU state, priced at
 * `instruction` per word (the model's CPI 1), and the switch of translation
 * context: under the shadow modes the real PTBR write (priced as the model's
 * shadow switches, `stateWrite`), under hw the VMPTRLD of the next VMCS
 * (`stateWrite`, an assumption: Intel publishes no latency for it).
 */
export function fixedSwitchPrice(hostMode: string, preset: CostPresetName): SwitchPriceRow[] {
  const p = costPreset(preset);
  const rows: SwitchPriceRow[] = [];
  if (hostMode === 'hw') {
    // The guest's registers are saved and loaded by the VM exit and entry (priced in the exit); the host loads the next VMCS.
    rows.push({ part: 'VMPTRLD of the next VMCS', cycles: p.stateWrite.cycles, formula: 'stateWrite' });
  } else {
    rows.push({ part: `vCPU state saved and loaded (${CONTEXT_WORDS} words each way)`, cycles: 2 * CONTEXT_WORDS * p.instruction.cycles, formula: `${2 * CONTEXT_WORDS} instruction` });
    rows.push({ part: 'real PTBR write (the next VM\'s shadow root)', cycles: p.stateWrite.cycles, formula: 'stateWrite' });
  }
  return rows;
}

export interface VmCounts { machine: Counters; monitor: MonitorCounters | undefined }

export interface SwitchCost {
  /** The fixed part, per switch. */
  fixedPerSwitch: number;
  /** Monitor overhead the VMs pay on the host beyond what they pay alone (the exits that end slices), all VMs. */
  extraMonitorCycles: number;
  /** Page walks beyond alone (refills after the switches' TLB flushes), all VMs, and their price. */
  extraWalks: number;
  refillCycles: number;
  /** Everything, all VMs, and per switch. */
  totalCycles: number;
  perSwitch: number;
  /** The VMs' own modelled cycles alone (guest work and monitor overhead), all VMs; the switches' share of the total is totalCycles / (this + totalCycles). */
  aloneCycles: number;
}

/** The modelled cost of `switches` world switches, given each VM's counts on the host and alone. */
export function switchCost(hostMode: string, preset: CostPresetName, switches: number, onHost: readonly VmCounts[], alone: readonly VmCounts[]): SwitchCost {
  const p = costPreset(preset);
  const fixedPerSwitch = fixedSwitchPrice(hostMode, preset).reduce((n, r) => n + r.cycles, 0);
  let extraMonitorCycles = 0, extraWalks = 0, aloneCycles = 0;
  onHost.forEach((h, i) => {
    const a = alone[i]!;
    const ch = priceCounters(h, p), ca = priceCounters(a, p);
    extraMonitorCycles += ch.overheadCycles - ca.overheadCycles;
    extraWalks += h.machine.tlbWalks - a.machine.tlbWalks;
    aloneCycles += ca.totalCycles;
  });
  const refillCycles = extraWalks * WALK_ENTRIES * p.walkEntry.cycles;
  const totalCycles = switches * fixedPerSwitch + extraMonitorCycles + refillCycles;
  return { fixedPerSwitch, extraMonitorCycles, extraWalks, refillCycles, totalCycles, perSwitch: switches > 0 ? totalCycles / switches : 0, aloneCycles };
}
