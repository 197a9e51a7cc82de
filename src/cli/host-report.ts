// What `virtlab host` reports at the end: per VM its stop, guest
// instructions, monitor entries by kind, world switches, modelled cycles and
// share of the host's guest instructions; as a table, as one --json object,
// and as --stats (per VM, the counters `run --stats` prints).

import type { Host, HostVm, VmHostCounters } from '../host/index.js';
import { Machine, type Counters, type Stop } from '../machine/index.js';
import { priceCounters, type CostPreset, type CostPresetName, type CostReport, type MonitorCounters, type VmStats } from '../vmm/index.js';
import type { PortInfo, SwitchCounters } from '../net/switch.js';
import type { WireCounters } from '../net/wire.js';
import { netReport, vfReport, type NetReport } from '../network/report.js';
import type { VfCounters } from '../devices/sriov-nic/types.js';
import type { MailboxCounters } from '../network/sriov/pf-driver.js';
import type { SriovNetwork } from '../network/sriov/network.js';
import { exitCodeOf } from './outcome.js';
import { formatCounters, formatRunStats } from './stats.js';

export interface HostVmReport {
  name: string;
  mode: string;
  /** Its program, relative to the working directory. */
  program: string;
  weight: number;
  /** 'running': the step budget ran out before it stopped. */
  stopReason: Stop['kind'] | 'running';
  haltCode: number | null;
  /** One-line reason when it did not halt, else null. */
  message: string | null;
  /** The exit code `run` would give this VM alone (124 while running). */
  exitCode: number;
  /** Guest instructions it retired. */
  instructions: number;
  /** Entries into its monitor by kind: traps, bt callouts, pv hypercalls, hw VM exits. */
  entries: { traps: number; callouts: number; hypercalls: number; vmExits: number };
  /** Its slices (world switches into it), preemptions, yields, TLB flushes at switches. */
  host: VmHostCounters;
  /** Its guest instructions over all the VMs' (0..1): its share of the CPU's guest work. */
  share: number;
  counters: Counters;
  monitor: MonitorCounters;
  cost: CostReport;
  console: string;
  /** Its NIC's packets and their costs; null without a NIC. */
  net: NetReport | null;
}

/** The host's switch: each port's configuration and counters, and the switch's own. */
export interface HostSwitchReport {
  ports: PortInfo[];
  counters: SwitchCounters;
  wire: { mode: string; counters: WireCounters; uplinkDrops: number };
}

export interface HostReport {
  exitCode: number;
  /** 'stopped': every VM stopped; 'budget': --max-steps ran out first. */
  end: 'stopped' | 'budget';
  /** Steps of the whole host (all VMs' instructions and interrupts). */
  steps: number;
  slice: number;
  engine: string;
  worldSwitches: number;
  vms: HostVmReport[];
  /** Null when no VM has an emulated or virtio NIC. */
  switch: HostSwitchReport | null;
  /** Null when no VM has a VF. */
  sriov: SriovReport | null;
}

/** The SR-IOV NIC's view (--nic-stats): per VF its embedded-switch counters, spoof drops and mailbox traffic; the IOMMU's faults. */
export interface SriovReport {
  vfs: { vm: string; vf: number; mac: string; vlan: number | null; counters: VfCounters; mailbox: MailboxCounters; spoofEvents: number; iommuFaults: number }[];
  iommu: { translations: number; iotlbHits: number; iotlbMisses: number; faults: number };
  wire: { mode: string; counters: WireCounters };
}

export const EXIT_BUDGET_HOST = 124;

export function vmStats(vm: HostVm, preset: CostPreset | CostPresetName): VmStats {
  const machine = { ...vm.counters }, monitor = { ...vm.monitor.counters };
  return { mode: vm.mode, machine, monitor, cost: priceCounters({ machine, monitor }, preset) };
}

function exitCodeOfVm(vm: HostVm): number {
  return vm.stop ? exitCodeOf(vm.stop) : EXIT_BUDGET_HOST;
}

/** 0 when every VM halted with 0; 124 when the budget ran out; else the first VM's non-zero code (as `run` gives it). */
export function hostExitCode(host: Host, end: 'stopped' | 'budget'): number {
  if (end === 'budget') return EXIT_BUDGET_HOST;
  return host.vms.map(exitCodeOfVm).find((c) => c !== 0) ?? 0;
}

export function hostReport(host: Host, end: 'stopped' | 'budget', steps: number, programs: readonly string[], preset: CostPresetName): HostReport {
  const total = host.vms.reduce((n, vm) => n + vm.counters.instructions, 0);
  return {
    exitCode: hostExitCode(host, end),
    end,
    steps,
    slice: host.slice,
    engine: host.engine.name,
    worldSwitches: host.counters.worldSwitches,
    vms: host.vms.map((vm, i) => {
      const stats = vmStats(vm, preset);
      const mon = stats.monitor!;
      const stop = vm.stop;
      return {
        name: vm.name, mode: vm.mode, program: programs[i]!, weight: vm.weight,
        stopReason: stop?.kind ?? 'running',
        haltCode: stop?.kind === 'halted' ? stop.code | 0 : null,
        message: stop && stop.kind !== 'halted' ? Machine.describeStop(stop) : null,
        exitCode: exitCodeOfVm(vm),
        instructions: vm.counters.instructions,
        entries: { traps: mon.traps, callouts: mon.callouts, hypercalls: mon.hypercalls, vmExits: mon.vmExits },
        host: { ...vm.host },
        share: total === 0 ? 0 : vm.counters.instructions / total,
        counters: stats.machine, monitor: mon, cost: stats.cost,
        console: vm.consoleText(),
        net: vmNet(host, vm, mon),
      };
    }),
    sriov: host.sriov ? sriovReport(host.sriov) : null,
    switch: host.net ? {
      ports: host.net.switch.portList(), counters: host.net.switch.counters(),
      // The switch's own wire, or the SR-IOV NIC's when the switch hangs off its PF.
      wire: { mode: (host.net.wire ?? host.sriov!.wire).settings.mode, counters: (host.net.wire ?? host.sriov!.wire).counters(), uplinkDrops: host.net.uplinkDrops() },
    } : null,
  };
}

function vmNet(host: Host, vm: HostVm, monitor: MonitorCounters): NetReport | null {
  const vf = host.sriov?.vms.find((v) => v.name === vm.name);
  if (vf) return vfReport(`sriov-vf${vf.vf}`, host.sriov!.nic.vfMac(vf.vf) ?? vf.mac, host.sriov!.nic.vfCounters(vf.vf), monitor);
  const nic = host.net?.vms.find((v) => v.name === vm.name)?.nic;
  return nic ? netReport(nic, monitor, host.net!.switch.portCounters(vm.name)) : null;
}

function sriovReport(n: SriovNetwork): SriovReport {
  const ic = n.iommu.counters;
  return {
    vfs: n.vms.map((v) => {
      const rid = n.nic.vfRoutingId(v.vf);
      return {
        vm: v.name, vf: v.vf, mac: n.nic.vfMac(v.vf) ?? v.mac, vlan: v.vlan ?? null, counters: { ...n.nic.vfCounters(v.vf) },
        mailbox: { ...n.pfDriver.mailbox[v.vf]! }, spoofEvents: n.pfDriver.spoofs[v.vf] ?? 0,
        iommuFaults: rid === undefined ? 0 : ic.faultsByRequester[rid] ?? 0,
      };
    }),
    iommu: { translations: ic.translations, iotlbHits: ic.iotlbHits, iotlbMisses: ic.iotlbMisses, faults: ic.faults },
    wire: { mode: n.wire.settings.mode, counters: n.wire.counters() },
  };
}

/** --nic-stats: the SR-IOV NIC's embedded switch per VF, spoof drops, IOMMU faults and mailbox traffic. */
export function formatNicStats(report: HostReport): string {
  const s = report.sriov;
  if (!s) return 'no SR-IOV NIC on this host (no VM has "nic": {"kind": "vf"})\n';
  const head = ['vm', 'vf', 'mac', 'vlan', 'tx', 'rx', 'tx dropped', 'rx dropped', 'spoofed', 'dma faults', 'iommu faults', 'mailbox', 'acked', 'nacked', 'rate-limited'];
  const rows = s.vfs.map((v) => [
    v.vm, String(v.vf), v.mac, v.vlan === null ? '-' : String(v.vlan), String(v.counters.txFrames), String(v.counters.rxFrames),
    String(v.counters.txDropped), String(v.counters.rxDropped), String(v.counters.spoofMac + v.counters.spoofVlan), String(v.counters.dmaFaults),
    String(v.iommuFaults), String(v.mailbox.requests), String(v.mailbox.acks), String(v.mailbox.nacks), String(v.mailbox.rateLimited),
  ]);
  const w = s.wire.counters;
  return table([head, ...rows], 4)
    + `iommu: ${s.iommu.translations} translations (IOTLB ${s.iommu.iotlbHits} hits, ${s.iommu.iotlbMisses} misses), ${s.iommu.faults} faults;`
    + ` wire (${s.wire.mode}): ${w.framesIn} frames in, ${w.framesOut} out\n`;
}

/** The network tables: per VM its packets and what each cost, per switch port its frames. */
function formatNetTables(report: HostReport): string {
  const sw = report.switch;
  if (!report.vms.some((v) => v.net)) return '';
  const fmt = (n: number | undefined) => (n === undefined ? '-' : String(n));
  const head = ['vm', 'nic', 'sent', 'received', 'dropped', 'device exits/pkt', 'monitor entries/pkt', 'kicks/pkt', 'interrupts/pkt', 'copies/pkt'];
  const rows = report.vms.filter((v) => v.net).map((v) => {
    const n = v.net!, p = n.perPacket;
    return [v.name, n.nic, String(n.txFrames), String(n.rxFrames), String(n.rxDropped),
      fmt(p?.deviceExits), fmt(p?.monitorEntries), fmt(p?.kicks), fmt(p?.interrupts), fmt(p?.framesCopied)];
  });
  if (!sw) return '\n' + table([head, ...rows], 2);
  const portHead = ['port', 'vlan', 'frames in', 'frames out', 'bytes in', 'bytes out', 'flooded', 'dropped'];
  const portRows = sw.ports.map((p) => [
    p.name, p.trunk ? 'trunk' : p.vlan === 0 ? '-' : String(p.vlan),
    String(p.counters.rxFrames), String(p.counters.txFrames), String(p.counters.rxBytes), String(p.counters.txBytes),
    String(p.counters.floods), String(Object.values(p.counters.drops).reduce((a, b) => a + (b ?? 0), 0)),
  ]);
  const w = sw.wire.counters;
  return '\n' + table([head, ...rows], 2) + '\n' + table([portHead, ...portRows], 2)
    + `switch: ${sw.counters.forwarded} forwarded, ${sw.counters.flooded} flooded, ${sw.counters.dropped} dropped, ${sw.counters.learned} addresses learned;`
    + ` wire (${sw.wire.mode}): ${w.framesIn} frames in, ${w.framesOut} out\n`;
}

/** Columns left-aligned up to `left`, the rest right-aligned, two spaces apart. */
function table(rows: string[][], left: number): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd() + '\n').join('');
}

export function formatHostTable(report: HostReport, preset: CostPresetName): string {
  const head = ['vm', 'mode', 'stop', 'instructions', 'traps', 'callouts', 'hypercalls', 'vm exits', 'slices', 'switch flushes', `cycles (${preset})`, 'share'];
  const rows = report.vms.map((v) => [
    v.name, v.mode, v.stopReason === 'halted' ? `halted ${v.haltCode}` : v.stopReason,
    String(v.instructions), String(v.entries.traps), String(v.entries.callouts), String(v.entries.hypercalls), String(v.entries.vmExits),
    String(v.host.slices), String(v.host.switchFlushes), String(v.cost.totalCycles), `${(100 * v.share).toFixed(1)}%`,
  ]);
  return table([head, ...rows], 3)
    + `${report.worldSwitches} world switches in ${report.steps} steps, slices of ${report.slice} instructions times the weight (engine ${report.engine});\n`
    + 'share: the VM\'s guest instructions over all the VMs\' (idle time not counted)\n'
    + formatNetTables(report);
}

/** --stats: per VM, what `run --stats` prints, then its host counters. */
export function formatHostStats(host: Host, preset: CostPresetName): string {
  return host.vms.map((vm) => `== ${vm.name} (${vm.mode}) ==\n`
    + formatRunStats({ stats: (p = preset) => vmStats(vm, p) }, preset)
    + '\nhost:\n' + formatCounters(vm.host)).join('\n');
}
