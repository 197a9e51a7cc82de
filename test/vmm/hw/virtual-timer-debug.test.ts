// The debugger under hw with the virtual timer: stepping back across ticks the
// CPU delivered (no exit, no monitor action) restores machine and monitor bit
// for bit, and the run then goes on as it would have.

import { describe, expect, test } from 'vitest';
import type { CliContext } from '../../../src/cli/context.js';
import { machineFromOptions } from '../../../src/cli/machine-options.js';
import { loadProgram } from '../../../src/cli/program.js';
import { DebugSession } from '../../../src/debug/index.js';
import { expectStepBackStep, out, ROOT } from '../../debug/helpers.js';
import { runVm, imageOfFile } from '../helpers.js';

const FILE = 'test/vmm/guests/tick-clock.s';
const ctx: CliContext = { io: { out: () => {}, err: () => {} }, readStdin: () => new Uint8Array(), cwd: ROOT };

function session(): DebugSession {
  const image = loadProgram(ctx, FILE);
  const { machine, engine, vm } = machineFromOptions(ctx, image, {
    maxSteps: 10_000_000, memory: 16, mode: 'hw', costModel: 'p4-2006', ept: true, vpid: true, virtualTimer: true, engine: 'interp',
  }, 'capture');
  return new DebugSession({ machine, engine, image, monitor: vm.monitor!, reload: () => vm.reset(), directEngine: vm.engine, maxSteps: 10_000_000, history: 1_000_000 });
}

describe('virtlab debug --mode hw --virtual-timer', () => {
  test('back and forth across ticks the CPU delivered: the same states, the same run', () => {
    const s = session();
    out(s, 'step 150');
    const posted = () => s.machine.vmx!.counters.timerPosted;
    const before = posted();
    expectStepBackStep(s, 400);
    expect(posted() - before).toBeGreaterThanOrEqual(3); // the window held ticks
    out(s, 'continue');
    expect(s.machine.console!.text()).toBe(runVm(imageOfFile(`${ROOT}${FILE}`), 'native', 10_000_000).out.console);
  });
});
