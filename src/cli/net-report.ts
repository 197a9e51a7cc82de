// What `run` says of the guest's network: the PCI functions it can see
// (--devices) and, after the run, the packets and what each cost (--stats,
// --json).

import { describePciBus, findPciBus } from '../network/lspci.js';
import type { Vm } from '../vmm/index.js';

/** The guest's PCI functions, one block; "no PCI devices" when it has none. */
export function formatDevices(vm: Vm): string {
  const devices = vm.monitor ? vm.monitor.platform.devices : vm.machine.devices;
  const bus = findPciBus(devices);
  const lines = bus ? describePciBus(bus) : [];
  const where = vm.monitor ? `the guest's virtual PCI bus (${vm.mode})` : 'the machine\'s PCI bus';
  return lines.length === 0 ? 'no PCI devices (add --nic emulated or --nic virtio)\n' : `${where}:\n${lines.join('\n')}\n`;
}
