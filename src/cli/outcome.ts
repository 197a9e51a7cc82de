// How a guest run ends as a process: the guest's halt code (masked to 0..255)
// when it halts, otherwise one `virtlab: <reason>` line and a code of its own:
//   124  the step budget (--max-steps) was used up, like timeout(1)
//   125  a trap was taken with no trap vector installed (TVEC = 0)
//   123  deadlock: wfi with no interrupt that could ever arrive

import { Machine, type Stop } from '../machine/index.js';
import type { CliContext } from './context.js';
import { ExitStatus } from './errors.js';

export const EXIT_DEADLOCK = 123;
export const EXIT_BUDGET = 124;
export const EXIT_TRAP = 125;

export function exitCodeOf(stop: Stop): number {
  switch (stop.kind) {
    case 'halted': return stop.code & 0xff;
    case 'budget': return EXIT_BUDGET;
    case 'trap': return EXIT_TRAP;
    case 'deadlock': return EXIT_DEADLOCK;
    // Stops a command asked for itself (a trace limit, a debugger breakpoint) end it normally.
    case 'breakpoint': case 'requested': return 0;
  }
}

/** The one-line reason for a stop other than halt, or undefined for halt and requested stops. */
export function stopMessage(stop: Stop, maxSteps: number): string | undefined {
  switch (stop.kind) {
    case 'halted': case 'requested': case 'breakpoint': return undefined;
    case 'budget': return `step budget of ${maxSteps} steps used up (raise it with --max-steps)`;
    default: return Machine.describeStop(stop);
  }
}

/** Print the reason (if any) on stderr and end the command with the stop's exit code. */
export function finishRun(ctx: CliContext, stop: Stop, maxSteps: number): void {
  const message = stopMessage(stop, maxSteps);
  if (message !== undefined) ctx.io.err(`virtlab: ${message}\n`);
  const code = exitCodeOf(stop);
  if (code !== 0) throw new ExitStatus(code);
}
