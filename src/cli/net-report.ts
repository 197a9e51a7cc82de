// What `run` says of the guest's network: the PCI functions it can see
// (--devices) and, after the run, the packets and what each cost (--stats,
// --json).

import { describePciBus, findPciBus } from '../network/lspci.js';
import { formatNetReport, netReport, vfReport, type NetReport } from '../network/report.js';
import type { Vm } from '../vmm/index.js';

/** The guest's PCI functions, one block; "no PCI devices" when it has none. */
export function formatDevices(vm: Vm): string {
  const devices = vm.monitor ? vm.monitor.platform.devices : vm.machine.devices;
  const bus = findPciBus(devices);
  const lines = bus ? describePciBus(bus) : [];
  const where = vm.monitor ? `the guest's virtual PCI bus (${vm.mode})` : 'the machine\'s PCI bus';
  return lines.length === 0 ? 'no PCI devices (add --nic emulated or --nic virtio)\n' : `${where}:\n${lines.join('\n')}\n`;
}

/** Each NIC's report (one for a lone VM); empty without a NIC. */
export function vmNetReports(vm: Vm): NetReport[] {
  if (!vm.net) return [];
  const sriov = vm.net.sriov;
  if (sriov) return sriov.vms.map((v) => vfReport(`sriov-vf${v.vf}`, sriov.nic.vfMac(v.vf) ?? v.mac, sriov.nic.vfCounters(v.vf), vm.monitor?.counters));
  const sw = vm.net.switch();
  const monitor = vm.monitor?.counters;
  return vm.net.nics().map(({ vm: name, nic }) => netReport(nic, monitor, sw?.portCounters(name)));
}

/** --stats' network block, with the wire's counts. */
export function formatVmNet(vm: Vm): string {
  if (!vm.net) return '';
  const w = vm.net.wire().counters();
  return '\n' + vmNetReports(vm).map(formatNetReport).join('') +
    `wire (${vm.net.wire().settings.mode}): ${w.framesIn} frames in, ${w.framesOut} out, ${w.dropped} dropped\n`;
}
