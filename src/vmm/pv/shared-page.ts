// The shared page (Xen's shared_info / vcpu_info): one page of guest RAM that
// the guest registers with register_vcpu_info and that both sides read and
// write with plain memory accesses. The guest's interrupt flag lives here as a
// mask word, so disabling and enabling virtual interrupts are stores, not
// hypercalls; the monitor publishes the raised virtual lines in the pending
// word and, at every delivery, the trap state a kernel would read from its
// control registers (layout: SHARED in abi.ts).

import type { Monitor } from '../monitor.js';
import { SHARED, type SharedField } from './abi.js';

export interface SharedPageState {
  gpa: number | undefined;
  callback: number;
}

export class SharedPage {
  /** Guest-physical address of the registered page; undefined until the guest registers one. */
  gpa: number | undefined;
  /** Where virtual interrupts are delivered (the event callback); 0: nowhere. */
  callback = 0;

  constructor(private readonly monitor: Monitor) {}

  reset(): void {
    this.gpa = undefined;
    this.callback = 0;
  }

  read(field: SharedField): number {
    return this.readAt(SHARED[field]);
  }

  /**
   * Write one word of the page (only when it changes, so that an idle monitor
   * leaves no trace in the debugger's journal); through the shadow, so a guest
   * that put the page where its page tables are still sees coherent mappings.
   */
  write(field: SharedField, value: number): void {
    this.writeAt(SHARED[field], value);
  }

  /** The guest's virtual interrupt flag: a page is registered and its mask word is 0. */
  eventsEnabled(): boolean {
    return this.gpa !== undefined && this.readAt(SHARED.mask) === 0;
  }

  /** Mirror the virtual lines into the pending word (level-triggered: a bit falls when its line does). */
  publishPending(): void {
    this.writeAt(SHARED.pending, this.monitor.platform.pendingLines());
  }

  // By offset: the per-hypercall paths name their fields statically.
  private readAt(offset: number): number {
    if (this.gpa === undefined) throw new Error('pv: no shared page is registered');
    return this.monitor.guest.read(this.gpa + offset, 4) | 0;
  }

  private writeAt(offset: number, value: number): void {
    if (this.gpa === undefined) return;
    if (this.readAt(offset) === (value | 0)) return;
    this.monitor.shadow.guestStore(this.gpa + offset, 4, value | 0, this.monitor.mode.guestPc());
  }

  save(): SharedPageState {
    return { gpa: this.gpa, callback: this.callback };
  }

  restore(s: SharedPageState): void {
    this.gpa = s.gpa;
    this.callback = s.callback;
  }
}
