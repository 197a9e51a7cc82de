// The cost model: turns event counts into modelled cycles. It only prices;
// every count comes from the machinery (machine and monitor counters). A
// preset gives the price of a few primitives, each with its source; the
// events the monitor counts are priced as formulas over those primitives
// (docs/cost-model.md explains each formula and source).

import type { Counters } from '../machine/counters.js';
import type { MonitorCounters } from './counters.js';
import { MODERN_FROM, modernCpus, modernRoundTrip, VMLATENCY_SOURCE } from './exit-latency.js';

export interface Price {
  cycles: number;
  /** Where the number comes from. */
  source: string;
  /** False where the number could not be checked against its source (see docs/cost-model.md). */
  verified: boolean;
}

export interface CostPreset {
  name: CostPresetName;
  description: string;
  /** One guest instruction executed directly. */
  instruction: Price;
  /** What a jump (jal, jalr: a call, a return) costs beyond its `instruction`: the front end's redirect. */
  jump: Price;
  /** One guest -> monitor -> guest round trip (a trap to the monitor, or a VM exit and entry). */
  exit: Price;
  /** The monitor reads / writes one word of guest-visible state (a virtual CPU field, a guest page-table entry). */
  stateRead: Price;
  stateWrite: Price;
  /** Binary translation: translated code calls the monitor and returns (no hardware fault, no world switch). */
  callout: Price;
  /** Binary translation: an indirect branch looks its target up in the translation cache. */
  lookup: Price;
  /** Binary translation: translating one guest instruction. */
  translate: Price;
  /** One page-table entry read by a hardware walk: the machine's own walks (two entries each) and the EPT entries of the two-dimensional walk. */
  walkEntry: Price;
  /** The bare machine delivers one exception or interrupt through the guest's vector and returns from its handler. */
  delivery: Price;
  /** The bare machine performs one port access (`in`/`out`) to a device off the CPU. */
  portIo: Price;
  /** Hardware assist: the monitor's software path for one VM exit beyond the hardware round trip (`exit`) and its counted VMCS accesses. */
  exitHandling: Price;
  /** I/O: the device model's own work for one emulated register access (the exit that got there is priced apart). */
  device: Price;
  /** I/O: the monitor's switch handles one frame (look up the destination, queue it). */
  frame: Price;
  /** I/O: the monitor copies one byte of a frame from one VM's memory to another's. */
  copyByte: Price;
}

export const COST_PRESET_NAMES = ['p4-2006', 'modern'] as const;
export type CostPresetName = (typeof COST_PRESET_NAMES)[number];

const ADAMS_AGESEN = 'Adams & Agesen, "A Comparison of Software and Hardware Techniques for x86 Virtualization", ASPLOS 2006 (Pentium 4)';
const SUGERMAN = 'Sugerman, Venkitachalam & Lim, "Virtualizing I/O Devices on VMware Workstation\'s Hosted Virtual Machine Monitor", USENIX ATC 2001';
const AGESEN_2012 = 'Agesen, Mattson, Rugina & Sheldon, "Software Techniques for Avoiding Hardware Virtualization Exits", USENIX ATC 2012';
/** `modern`'s hardware round trip: the median of the published per-CPU measurements from Haswell on (src/vmm/exit-latency.ts). */
const MODERN_EXIT = modernRoundTrip();

export const COST_PRESETS: Record<CostPresetName, CostPreset> = {
  'p4-2006': {
    name: 'p4-2006',
    description: 'a Pentium 4 with first-generation hardware support, as measured by Adams & Agesen (2006)',
    instruction: { cycles: 1, source: 'assumption: one cycle per directly executed instruction (CPI 1)', verified: true },
    jump: { cycles: 3.5, source: `derived from ${ADAMS_AGESEN}: call/ret natively 11 cycles, less virtlab's 4 instructions of the callret loop, over its 2 jumps (assumption: no independent Pentium 4 call/ret figure found)`, verified: false },
    exit: { cycles: 2409, source: `${ADAMS_AGESEN}: VM entry, about 2409 cycles`, verified: false },
    stateRead: { cycles: 178, source: `${ADAMS_AGESEN}: VMCB read, 178 cycles`, verified: false },
    stateWrite: { cycles: 171, source: `${ADAMS_AGESEN}: VMCB write, 171 cycles`, verified: false },
    callout: { cycles: 200, source: `derived from ${ADAMS_AGESEN}: \`in\` under BT about 216 cycles, a callout plus the device emulation`, verified: false },
    lookup: { cycles: 40, source: `derived from ${ADAMS_AGESEN}: call/ret 11 cycles native, 51 under BT; the difference is the return's lookup`, verified: false },
    translate: { cycles: 200, source: 'assumption: a placeholder per translated instruction, not a measurement', verified: true },
    walkEntry: { cycles: 10, source: 'assumption: an entry read from cache; the Pentium 4 had no EPT (it came with Nehalem, 2008), so this prices the model, not a measurement', verified: true },
    delivery: { cycles: 873, source: `derived from ${ADAMS_AGESEN}: divzero natively 889 cycles, less the 16 instructions of virtlab's divzero loop (assumption: no independent P4 figure found; Brouwer, "The Linux kernel" 4.6, 2003, reports int 0x80 delivery as very slow on the Pentium 4 without a cycle count)`, verified: false },
    portIo: { cycles: 3206, source: `derived from ${ADAMS_AGESEN}: \`in\` natively 3209 cycles ("an off-CPU register in the chipset"), less virtlab's 3 instructions around it`, verified: false },
    exitHandling: { cycles: 6700, source: `derived from ${ADAMS_AGESEN}: their hardware VMM's in, pgfault and ptemod (15,826, 11,242, 12,733 cycles) less what the model prices for their 4 exits, per exit (assumption: one figure for every exit; the paper gives no breakdown)`, verified: false },
    device: { cycles: 400, source: `assumption: decode the register and update the device model; a placeholder (${SUGERMAN}: the world switch of each emulated NIC access dominates, which \`exit\` prices)`, verified: true },
    frame: { cycles: 300, source: 'assumption: a learning bridge looks up and queues one frame in a few hundred cycles; a placeholder', verified: true },
    copyByte: { cycles: 0.5, source: 'assumption: memcpy at about 2 bytes per cycle on a Pentium 4; a placeholder', verified: true },
  },
  modern: {
    name: 'modern',
    description: `a core from ${MODERN_FROM} on (2013-2019), whose VM exit round trip is about ${MODERN_EXIT} cycles`,
    instruction: { cycles: 1, source: 'assumption: one cycle per directly executed instruction (CPI 1)', verified: true },
    jump: { cycles: 0, source: 'assumption: a predicted jump costs no more than its instruction on later cores', verified: true },
    exit: { cycles: MODERN_EXIT, source: `the median of ${modernCpus().length} CPUs from ${MODERN_FROM} to Cascade Lake measured by ${VMLATENCY_SOURCE} (docs/cost-model.md has the table by generation; ${AGESEN_2012} put later cores at about 500 cycles)`, verified: true },
    stateRead: { cycles: 10, source: 'assumption: VMCS fields cached on chip; a placeholder, not a measurement', verified: true },
    stateWrite: { cycles: 10, source: 'assumption: VMCS fields cached on chip; a placeholder, not a measurement', verified: true },
    callout: { cycles: 100, source: 'assumption: half the p4-2006 callout on a core with shorter pipelines; a placeholder', verified: true },
    lookup: { cycles: 20, source: 'assumption: half the p4-2006 lookup; a placeholder', verified: true },
    translate: { cycles: 100, source: 'assumption: a placeholder per translated instruction, not a measurement', verified: true },
    walkEntry: { cycles: 5, source: 'assumption: an entry read from cache by the page walker; a placeholder', verified: true },
    delivery: { cycles: 250, source: 'assumption: a placeholder, not a measurement (no published per-generation figure found)', verified: true },
    portIo: { cycles: 3000, source: 'assumption: about 1 µs at 3 GHz (port 0x80 is used as a 1 µs I/O delay on PCs); a placeholder', verified: true },
    exitHandling: { cycles: Math.round((6700 * MODERN_EXIT) / 2409), source: `assumption: the p4-2006 figure scaled as the hardware round trip (${MODERN_EXIT} / 2409); a placeholder`, verified: true },
    device: { cycles: 200, source: 'assumption: half the p4-2006 device work; a placeholder', verified: true },
    frame: { cycles: 150, source: 'assumption: half the p4-2006 frame work; a placeholder', verified: true },
    copyByte: { cycles: 0.125, source: 'assumption: memcpy at about 8 bytes per cycle on later cores; a placeholder', verified: true },
  },
};

export function costPreset(name: string): CostPreset {
  const p = (COST_PRESETS as Record<string, CostPreset | undefined>)[name];
  if (!p) throw new RangeError(`unknown cost model '${name}' (known: ${COST_PRESET_NAMES.join(', ')})`);
  return p;
}

export interface CostRow {
  /** Event kind, e.g. 'traps to the monitor'. */
  kind: string;
  /**
   * The one counter counted, under the name --stats prints it with (and
   * --json gives it): `instructions` from the machine's counters, every other
   * one from the monitor's. `count` is that counter's value, nothing derived.
   */
  counter: string;
  count: number;
  /** Modelled cycles per event, and the formula over the preset's primitives. */
  each: number;
  formula: string;
  cycles: number;
}

export interface CostReport {
  preset: CostPresetName;
  rows: CostRow[];
  /** Cycles of the guest's own work on the bare machine: its instructions and the hardware events the machine counts (deliveries, port I/O, page walks). */
  guestCycles: number;
  /** Cycles the monitor adds. */
  overheadCycles: number;
  totalCycles: number;
}

export interface CountersToPrice {
  machine: Counters;
  monitor?: MonitorCounters | undefined;
}

/**
 * Modelled cycles per event kind and in total. The machine's rows (what the
 * bare machine pays, in every mode) make up the guest's cycles; the monitor's
 * rows (none natively) the overhead.
 */
export function priceCounters(counts: CountersToPrice, preset: CostPreset | CostPresetName = 'p4-2006'): CostReport {
  const p = typeof preset === 'string' ? costPreset(preset) : preset;
  const x = p.exit.cycles, r = p.stateRead.cycles, w = p.stateWrite.cycles;
  const mon = counts.monitor;
  const rows: CostRow[] = [];
  // Each row prices one counter as it stands: the monitor counts every event under the name it is priced by.
  const row = (kind: string, counter: string, count: number, each: number, formula: string) =>
    rows.push({ kind, counter, count, each, formula, cycles: count * each });
  const monitorRow = (kind: string, counter: keyof MonitorCounters & string, each: number, formula: string) =>
    row(kind, counter, mon![counter] ?? 0, each, formula);
  const m = counts.machine;
  row('guest instructions', 'instructions', m.instructions, p.instruction.cycles, 'instruction');
  // What the bare machine pays in every mode. Only the guest's own exception kinds: under the
  // monitors an undefined-instruction or protection trap is how the monitor is entered
  // (ring compression, bt's callouts), priced whole by `exit` or `callout`.
  const d = p.delivery.cycles;
  row('page faults delivered', 'excPageFault', m.excPageFault, d, 'delivery');
  row('divide errors delivered', 'excDivideByZero', m.excDivideByZero, d, 'delivery');
  row('system calls delivered', 'excSyscall', m.excSyscall, d, 'delivery');
  row('breakpoints delivered', 'excBreakpoint', m.excBreakpoint, d, 'delivery');
  row('misaligned accesses delivered', 'excMisaligned', m.excMisaligned, d, 'delivery');
  row('interrupts delivered', 'interrupts', m.interrupts, d, 'delivery');
  row('port reads', 'ioReads', m.ioReads, p.portIo.cycles, 'portIo');
  row('port writes', 'ioWrites', m.ioWrites, p.portIo.cycles, 'portIo');
  row('page walks', 'tlbWalks', m.tlbWalks, 2 * p.walkEntry.cycles, '2 walkEntry (the two-level tables)');
  row('jumps', 'jumps', m.jumps, p.jump.cycles, 'jump (beyond its instruction)');
  const machineRows = rows.length;
  if (mon) {
    if (mon.vmExits > 0) {
      // Hardware assist: every exit is a world switch, and every access the monitor makes to the
      // guest's state is a counted VMREAD or VMWRITE (emulations and injections have no formula of their own).
      monitorRow('VM exits', 'vmExits', x + p.exitHandling.cycles, 'exit + exitHandling');
      monitorRow('VMCS reads', 'vmreads', r, 'stateRead');
      monitorRow('VMCS writes', 'vmwrites', w, 'stateWrite');
      monitorRow('EPT entries read', 'eptEntryReads', p.walkEntry.cycles, 'walkEntry');
    } else {
      // Under bt a callout is a call into the monitor, not a trap: `traps` leaves callouts out,
      // and `emulated` the emulations done in a callout (both counted as callouts, priced below).
      monitorRow('traps to the monitor', 'traps', x, 'exit');
      monitorRow('instructions emulated', 'emulated', r + w, 'read + write (decode against the virtual CPU, update it)');
      monitorRow('exceptions reflected', 'reflected', r + 4 * w, 'read TVEC + write EPC, CAUSE, STATUS, pc');
      monitorRow('interrupts injected', 'injected', r + 4 * w, 'read TVEC + write EPC, CAUSE, STATUS, pc');
    }
    monitorRow('shadow fills', 'shadowFills', 2 * r + 2 * w, 'read PDE, PTE + write guest A/D, shadow entry');
    monitorRow('traced page-table writes', 'tracedWrites', r, 'read the old entry (the store itself is an emulation)');
    monitorRow('shadow invalidations', 'shadowInvalidations', w, 'write the shadow entry');
    monitorRow('shadow switches', 'shadowSwitches', w, 'write the real PTBR');
    if (mon.translations > 0) {
      monitorRow('instructions translated', 'translatedInsns', p.translate.cycles, 'translate');
      // An emulate callout is priced whole (the figure `callout` derives from includes the emulation).
      monitorRow('emulate callouts', 'calloutEmulate', p.callout.cycles, 'callout');
      monitorRow('exit callouts', 'calloutExit', p.callout.cycles, 'callout');
      monitorRow('fault callouts', 'calloutFault', p.callout.cycles, 'callout');
      monitorRow('indirect lookups', 'calloutIndirect', p.lookup.cycles, 'lookup');
    }
    // I/O, whatever the mode: the device model's work behind each emulated register access, and
    // the switch's work and copy for each frame the monitor moves (counted for the VM it moved it for).
    monitorRow('device registers emulated', 'mmioEmulated', p.device.cycles, 'device');
    monitorRow('frames switched', 'framesCopied', p.frame.cycles, 'frame');
    monitorRow('frame bytes copied', 'bytesCopied', p.copyByte.cycles, 'copyByte');
    if (mon.hypercalls > 0 && mon.vmExits === 0) {
      // Each hypercall is also a trap (priced above); these rows are the monitor's work for it.
      // Under hw (PVHVM) a hypercall is an exit: its state accesses are VMREADs and VMWRITEs and the rest is exitHandling.
      monitorRow('hypercalls', 'hypercalls', r + w, 'read + write (the arguments in, the result out)');
      monitorRow('page-table entries by hypercall', 'mmuUpdateEntries', r + w, 'read + write (check the pair, write the entry)');
    }
  }
  const guestCycles = rows.slice(0, machineRows).reduce((s, q) => s + q.cycles, 0);
  const totalCycles = rows.reduce((s, q) => s + q.cycles, 0);
  return { preset: p.name, rows, guestCycles, overheadCycles: totalCycles - guestCycles, totalCycles };
}
