// What the vCPU scheduler exposes to the VMs' ports: the machine, the end of
// the running slice, and how a slice ends early.

import type { Machine } from '../machine/machine.js';

export type SliceEnd = 'preempt' | 'yield';

export interface Scheduling {
  readonly machine: Machine;
  /** Machine clock at which the running vCPU's slice ends. */
  readonly sliceEnd: number;
  /** End the running slice at the next instruction boundary. */
  endSlice(why: SliceEnd): void;
  /** Whether something outside a VM can raise its lines (a network): a wait with no deadline then blocks instead of deadlocking. */
  readonly wakeable: boolean;
}

/** The reason of the run stop a slice's end asks for (Machine.requestStop). */
export const SLICE_STOP = 'host: end of slice';
