// Virtualization profiles (docs/profiles.md): a named choice per dimension of
// a VM (CPU and memory, network, interrupts and timers), after the rows of
// Brendan Gregg's "AWS EC2 Virtualization 2017: Introducing Nitro". A profile
// only selects mechanisms the monitor already has (a mode, its hw options, a
// NIC kind, a guest build); where the article's row needs one virtlab lacks,
// the profile runs the nearest one and says so in `gap`, so a listing never
// claims more.

import type { NicKind } from '../network/nic.js';

/** CPU and memory: binary translation, paravirtualization, VT-x with or without EPT. */
export const CPU_CHOICES = ['bt', 'pv', 'hw', 'hw-noept'] as const;
export type CpuChoice = (typeof CPU_CHOICES)[number];

/**
 * Interrupts and timers. emulated: the monitor traps the guest's timer and
 * interrupt-controller accesses and injects each interrupt; paravirtual: the
 * timer hypercalls and events through the shared page (docs/hypercalls.md),
 * under pv a -D PV kernel's, under hw a -D PVHVM kernel's (Xen's PVHVM);
 * hardware: hw's posted interrupts and virtual timer (device lines and timer
 * ticks reach the guest with no exit, the timer's registers take none).
 */
export const IRQ_CHOICES = ['emulated', 'paravirtual', 'hardware'] as const;
export type IrqChoice = (typeof IRQ_CHOICES)[number];

/** How a dimension is virtualized, in the article's terms (VS, P, VH). */
export type Technique = 'software' | 'paravirtual' | 'hardware';

export interface Profile {
  name: string;
  /** The article's row this imitates. */
  row: string;
  /** One line: what the row was and how virtlab imitates it. */
  description: string;
  cpu: CpuChoice;
  net: NicKind;
  irq: IrqChoice;
  /** What the article's row has per dimension (may differ from what virtlab runs: see `gap`). */
  article: Record<Dimension, Technique>;
  /** What virtlab lacks to imitate the row exactly; absent when it does. */
  gap?: string;
}

export const DIMENSIONS = ['cpu', 'net', 'irq'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const DIMENSION_TITLES: Record<Dimension, string> = { cpu: 'CPU & memory', net: 'network', irq: 'interrupts & timers' };

/** The guest builds a profile may need: -D PV (pv's kernel) or -D PVHVM (an hw kernel with the timer and events by hypercall). */
export type GuestBuild = 'PV' | 'PVHVM';

/** What virtlab runs for a profile: the mode, the hw options, the NIC, and the build a source is assembled as. */
export interface ProfileSettings {
  mode: 'bt' | 'pv' | 'hw';
  /** Only under hw. */
  hw?: { ept: boolean; vpid: boolean; posted: boolean; virtualTimer: boolean };
  nic: NicKind;
  /** The symbol a source is assembled with (-D PV, -D PVHVM); absent: the unmodified build. */
  define?: GuestBuild;
}

export const PROFILES: readonly Profile[] = [
  {
    name: 'fully-emulated', row: 'Fully Emulated (VMware, 1998)',
    description: 'binary translation of the kernel, an emulated e1000-like NIC, the timer and interrupts trapped and injected',
    cpu: 'bt', net: 'emulated', irq: 'emulated',
    article: { cpu: 'software', net: 'software', irq: 'software' },
  },
  {
    name: 'xen-pv', row: 'Xen PV 3.0',
    description: 'a paravirtualized kernel (-D PV) making hypercalls, a virtio NIC (netfront\'s role), timer hypercalls and events through the shared page',
    cpu: 'pv', net: 'virtio', irq: 'paravirtual',
    article: { cpu: 'paravirtual', net: 'paravirtual', irq: 'paravirtual' },
  },
  {
    name: 'xen-hvm', row: 'Xen HVM 3.0 (with PV drivers)',
    description: 'first-generation VT-x (no EPT: shadow page tables), a virtio NIC, the timer and interrupts emulated by the monitor',
    cpu: 'hw-noept', net: 'virtio', irq: 'emulated',
    article: { cpu: 'hardware', net: 'paravirtual', irq: 'software' },
  },
  {
    name: 'xen-pvhvm', row: 'Xen HVM 4.0.1 (PVHVM)',
    description: 'VT-x with EPT, a virtio NIC, a -D PVHVM kernel taking its timer (timer_set, timer_ack) and events (the shared page) from the monitor by hypercall',
    cpu: 'hw', net: 'virtio', irq: 'paravirtual',
    article: { cpu: 'hardware', net: 'paravirtual', irq: 'paravirtual' },
  },
  {
    name: 'sriov-net', row: 'Xen AWS 2013 (SR-IOV networking)',
    description: 'VT-x with EPT and an SR-IOV VF assigned to the guest (its interrupts exit and are injected: no posted interrupts in 2013), a -D PVHVM kernel\'s timer and events by hypercall',
    cpu: 'hw', net: 'vf', irq: 'paravirtual',
    article: { cpu: 'hardware', net: 'hardware', irq: 'paravirtual' },
  },
  {
    name: 'nitro-like', row: 'AWS Nitro 2017',
    description: 'VT-x with EPT, an SR-IOV VF (ENA\'s role) whose interrupts are posted to the guest, and the virtual timer: no exit for a device interrupt, a tick or a timer register',
    cpu: 'hw', net: 'vf', irq: 'hardware',
    article: { cpu: 'hardware', net: 'hardware', irq: 'hardware' },
  },
];

export const PROFILE_NAMES = PROFILES.map((p) => p.name) as readonly string[];

export function findProfile(name: string): Profile | undefined {
  return PROFILES.find((p) => p.name === name);
}

/** The technique virtlab runs for a dimension of a profile (may be weaker than the article's: `gap`). */
export function techniqueOf(p: Profile, d: Dimension): Technique {
  switch (d) {
    case 'cpu': return p.cpu === 'bt' ? 'software' : p.cpu === 'pv' ? 'paravirtual' : 'hardware';
    case 'net': return p.net === 'emulated' ? 'software' : p.net === 'virtio' ? 'paravirtual' : 'hardware';
    case 'irq': return p.irq === 'emulated' ? 'software' : p.irq;
  }
}

/**
 * What a profile runs. Interrupts follow the CPU mode: paravirtual ones are
 * pv's under pv (and pv has no other kind) or a PVHVM kernel's under hw, with
 * hw's interrupts otherwise emulated (no posted interrupts, as before APICv);
 * hardware ones are hw's posted interrupts and virtual timer (only under hw);
 * emulated ones under hw are neither.
 */
export function profileSettings(p: Profile): ProfileSettings {
  if (p.cpu === 'pv' && p.irq !== 'paravirtual') throw new Error(`profile ${p.name}: cpu pv has paravirtual interrupts and timers only`);
  if (p.cpu === 'bt' && p.irq === 'paravirtual') throw new Error(`profile ${p.name}: paravirtual interrupts and timers need cpu pv or hw`);
  if (p.irq === 'hardware' && !p.cpu.startsWith('hw')) throw new Error(`profile ${p.name}: hardware interrupts need cpu hw`);
  if (p.cpu === 'hw' || p.cpu === 'hw-noept') {
    const hardware = p.irq === 'hardware';
    return {
      mode: 'hw', hw: { ept: p.cpu === 'hw', vpid: true, posted: hardware, virtualTimer: hardware }, nic: p.net,
      ...(p.irq === 'paravirtual' ? { define: 'PVHVM' as const } : {}),
    };
  }
  return { mode: p.cpu, nic: p.net, ...(p.cpu === 'pv' ? { define: 'PV' as const } : {}) };
}
