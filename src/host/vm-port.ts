// The host's side of a VM's monitor (HostPort): the real timer belongs to the
// host, which arms it for the earlier of the VM's next virtual deadline and
// the end of its slice, and takes the CPU back when the slice is over; a VM
// that waits gives up the rest of its slice, its own clock jumping to the
// deadline it waits for (its idle time, which no other VM spends).

import { TIMER_PORT_BASE, TIMER_PORTS } from '../devices/timer.js';
import type { HostPort } from '../vmm/host-port.js';
import type { HostVm } from './host-vm.js';
import type { Scheduling } from './scheduling.js';

export class VmPort implements HostPort {
  constructor(private readonly sched: Scheduling, private readonly vm: () => HostVm) {}

  armTimer(period: number): void {
    const m = this.sched.machine;
    const p = Math.max(1, Math.min(period, this.sched.sliceEnd - m.clock()));
    if (m.timer!.nextDeadline() === m.clock() + p) return;
    m.portWrite(TIMER_PORT_BASE + TIMER_PORTS.period, p);
  }

  ackTimer(): void {
    const m = this.sched.machine;
    m.portWrite(TIMER_PORT_BASE + TIMER_PORTS.ack, 1);
    if (m.clock() >= this.sched.sliceEnd) this.sched.endSlice('preempt');
  }

  idle(pc: number, period: number): boolean {
    const vm = this.vm();
    if (period === Infinity) {
      if (!this.sched.wakeable) {
        this.sched.machine.stopDeadlock(pc);
        return false;
      }
      // Only a frame can end this wait: the VM blocks, off the run queue until one of its lines rises.
      vm.blockedAt = pc;
      this.sched.endSlice('yield');
      return false;
    }
    vm.clock.advance(period);
    vm.counters.idle += period;
    this.sched.endSlice('yield');
    return true;
  }
}
