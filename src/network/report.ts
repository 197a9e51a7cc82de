// What a VM's network did and what each packet cost, from the counters where
// the events happened: the NIC model's own (register accesses, kicks,
// interrupts raised, DMA bytes, frames), the switch port's (frames the monitor
// copied for the VM) and the monitor's (its entries of every kind).
//
// Per packet (a frame the VM sent or received):
//   registerAccesses  the driver's accesses to the NIC's registers
//   deviceExits       traps or VM exits the NIC cost: under every monitor each
//                     register access is one (the NIC's BAR is never mapped
//                     to the guest) and so is each pv kick (net_notify); 0 natively
//   monitorEntries    every trap, VM exit and bt callout of the run (the timer's too)
//   kicks             notifications the NIC received (virtio doorbell or hypercall)
//   interrupts        interrupts the NIC raised (rising edges of its line)
//   dmaBytes          bytes the NIC moved to and from guest memory
//   framesCopied      frames the monitor's switch copied to or from the VM

import type { PortCounters } from '../net/switch.js';
import { formatMac } from '../net/mac.js';
import type { VfCounters } from '../devices/sriov-nic/types.js';
import type { MonitorCounters } from '../vmm/counters.js';
import type { Nic } from './nic.js';

export interface PerPacket {
  registerAccesses: number;
  deviceExits: number;
  monitorEntries: number;
  kicks: number;
  interrupts: number;
  dmaBytes: number;
  framesCopied: number;
}

export interface NetReport {
  nic: string;
  mac: string;
  /** Frames the VM sent and received (its NIC's counts). */
  packets: number;
  txFrames: number;
  rxFrames: number;
  rxDropped: number;
  deviceErrors: number;
  deviceExits: number;
  /** deviceExits per packet (perPacket.deviceExits), null when the VM moved no packet. */
  exitsPerPacket: number | null;
  /** Null when the VM moved no packet. */
  perPacket: PerPacket | null;
  /** The NIC model's counters, as it keeps them. */
  counters: Record<string, number>;
  /** Its switch port's counters; null natively (no switch). */
  port: PortCounters | null;
}

/** Monitor entries of every kind (traps, VM exits, bt callouts). */
export function monitorEntries(m: MonitorCounters): number {
  return m.traps + m.vmExits + m.callouts;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export function netReport(nic: Nic, monitor: MonitorCounters | undefined, port: PortCounters | undefined): NetReport {
  const c = nic.counters;
  const packets = c.txFrames + c.rxFrames;
  const accesses = c.regReads + c.regWrites;
  const deviceExits = monitor ? accesses + (monitor['hcNetNotify'] ?? 0) : 0;
  const framesCopied = port ? port.rxFrames + port.txFrames : 0;
  const per = (n: number) => round(n / packets);
  return {
    nic: nic.name,
    mac: formatMac(nic.mac),
    packets, txFrames: c.txFrames, rxFrames: c.rxFrames, rxDropped: c.rxDropped, deviceErrors: c.deviceErrors, deviceExits,
    exitsPerPacket: packets === 0 ? null : per(deviceExits),
    perPacket: packets === 0 ? null : {
      registerAccesses: per(accesses),
      deviceExits: per(deviceExits),
      monitorEntries: monitor ? per(monitorEntries(monitor)) : 0,
      kicks: per(c.notifications ?? 0),
      interrupts: per(c.interruptsRaised),
      dmaBytes: per(c.dmaBytes),
      framesCopied: per(framesCopied),
    },
    counters: { ...nic.counters } as Record<string, number>,
    port: port ? { ...port, drops: { ...port.drops } } : null,
  };
}

/**
 * A VF's report: its counters in the SR-IOV NIC. Its registers are mapped
 * straight into the VM, so none of its accesses is an exit; the device exits
 * are the MMIO the monitor still emulated for it (its MSI-X table, an access
 * before its mapping was built): `mmioEmulated`. Nothing is copied by the
 * monitor: the NIC's own switch moves the frames.
 */
export function vfReport(name: string, mac: string, c: VfCounters, monitor: MonitorCounters | undefined): NetReport {
  const packets = c.txFrames + c.rxFrames;
  const accesses = c.regReads + c.regWrites;
  const deviceExits = monitor ? monitor.mmioEmulated : 0;
  const per = (n: number) => round(n / packets);
  return {
    nic: name, mac, packets, txFrames: c.txFrames, rxFrames: c.rxFrames, rxDropped: c.rxDropped, deviceErrors: c.deviceErrors, deviceExits,
    exitsPerPacket: packets === 0 ? null : per(deviceExits),
    perPacket: packets === 0 ? null : {
      registerAccesses: per(accesses), deviceExits: per(deviceExits), monitorEntries: monitor ? per(monitorEntries(monitor)) : 0,
      kicks: 0, interrupts: per(c.interruptsRaised), dmaBytes: per(c.dmaBytes), framesCopied: 0,
    },
    counters: { ...c } as unknown as Record<string, number>,
    port: null,
  };
}

/** `--stats`' network block. */
export function formatNetReport(r: NetReport): string {
  const lines = [`network: ${r.nic} ${r.mac}: ${r.txFrames} frames sent, ${r.rxFrames} received, ${r.rxDropped} dropped, ${r.deviceErrors} device errors`];
  if (r.perPacket) {
    const p = r.perPacket;
    lines.push(`per packet: ${p.deviceExits} device exits (${p.registerAccesses} register accesses, ${p.kicks} kicks), ${p.monitorEntries} monitor entries in all, ${p.interrupts} interrupts, ${p.dmaBytes} DMA bytes, ${p.framesCopied} frames copied by the monitor`);
  }
  return lines.join('\n') + '\n';
}
