// The one path of a hypercall, under pv (an hcall of the deprivileged kernel
// traps) and under hw (an hcall of a PVHVM guest exits as a vmcall): read the
// arguments, count it, run its handler, report it, write a0 and retire the
// hcall. The mode then continues the guest where the outcome says and
// delivers what became pending its own way.

import { REG } from '../../isa/index.js';
import { bumpHypercallCounter } from '../counters.js';
import type { Monitor } from '../monitor.js';
import { errorName, ERRNO, HYPERCALLS } from './abi.js';
import { HANDLERS, type EventControl, type HypercallContext, type HypercallOutcome } from './hypercalls.js';
import type { SharedPage } from './shared-page.js';

interface Call {
  name: string;
  handler: (ctx: HypercallContext) => HypercallOutcome;
  hvm: boolean;
}

/** Per hypercall number: its name and handler, resolved once (hypercalls are the hot path). */
const CALLS: readonly (Call | undefined)[] = (() => {
  const t: (Call | undefined)[] = [];
  for (const h of HYPERCALLS) t[h.nr] = { name: h.name, handler: HANDLERS[h.name]!, hvm: h.hvm === true };
  return t;
})();

const ENOSYS: HypercallOutcome = { a0: -ERRNO.ENOSYS };

export class HypercallDispatcher {
  private readonly ctx: HypercallContext;
  private readonly args: [number, number, number, number] = [0, 0, 0, 0];

  /** `events.hvm`: the caller is an hw guest, offered only the calls marked hvm in abi.ts. */
  constructor(private readonly monitor: Monitor, shared: SharedPage, events: EventControl) {
    this.ctx = { monitor, shared, events, pc: 0, args: this.args };
  }

  /** Perform hypercall `nr`, made by the hcall at guest pc `pc`. Returns where the guest continues, or undefined if the machine stopped. */
  call(nr: number, pc: number): number | undefined {
    const m = this.monitor;
    const R = m.machine.cpu.regs;
    const call = nr < CALLS.length ? CALLS[nr] : undefined;
    m.counters.hypercalls++;
    let out: HypercallOutcome;
    if (call) {
      bumpHypercallCounter(m.counters, nr);
      // One context per mode, refilled per call: handlers read it and keep nothing of it.
      const ctx = this.ctx;
      ctx.pc = pc;
      const args = this.args;
      args[0] = R[REG.a0]!;
      args[1] = R[REG.a1]!;
      args[2] = R[REG.a2]!;
      args[3] = R[REG.a3]!;
      out = call.hvm || !ctx.events.hvm ? call.handler(ctx) : ENOSYS;
    } else {
      m.counters.hcUnknown++;
      out = ENOSYS;
    }
    const error = out.a0 === undefined ? undefined : errorName(out.a0);
    if (error) m.counters.hypercallErrors++;
    m.listener?.({
      kind: 'hypercall', pc: pc >>> 0, nr, name: call?.name ?? 'unknown',
      ...(out.a0 === undefined ? {} : { result: out.a0 | 0 }), ...(error ? { error } : {}),
    });
    if (out.a0 !== undefined) R[REG.a0] = out.a0 | 0;
    if (!out.retired) m.machine.retire();
    if (m.machine.stopped) return undefined;
    return out.pc ?? (pc + 4) | 0;
  }
}
