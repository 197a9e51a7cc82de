// Snapshots of a whole host: the machine's state (with the host's, every VM's
// monitor, clock, console and saved vCPU) and the RAM journal take a host of
// several VMs back bit for bit, whichever VM was running, as the debugger's
// reverse stepping needs.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import { Host, type HostVmConfig } from '../../src/host/index.js';
import { GUESTS, guestImage } from '../vmm/helpers.js';

const tinyos = guestImage('tinyos/tinyos.s');
const CONFIGS: HostVmConfig[] = [
  { name: 'bt', image: tinyos, mode: 'bt' },
  { name: 'pv', image: assembleFile(join(GUESTS, 'tinyos/tinyos.s'), { defines: { PV: 1 } }).image!, mode: 'pv' },
  { name: 'hw', image: tinyos, mode: 'hw' },
  { name: 'noept', image: tinyos, mode: 'hw', hw: { ept: false, vpid: false } },
];

function state(host: Host) {
  return {
    vms: host.vms.map((vm) => ({ console: vm.consoleText(), stop: vm.stop, counters: { ...vm.counters }, host: { ...vm.host }, monitor: { ...vm.monitor.counters } })),
    switches: host.counters.worldSwitches, regs: [...host.machine.cpu.regs], pc: host.machine.cpu.pc,
  };
}

describe('host snapshots', () => {
  test.each([30_000, 123_457, 250_001])('capture after %i steps, run on, rewind, run to the end: the same host', (first) => {
    const host = new Host({ vms: CONFIGS, slice: 1_999 });
    const journal = host.machine.enableJournal();
    host.run(first);
    const snap = host.machine.captureState();
    const mark = journal.mark();
    const at = state(host);
    host.run(40_000);
    const ahead = state(host);
    expect(ahead).not.toEqual(at);
    journal.undoTo(mark);
    host.machine.restoreState(snap);
    expect(state(host)).toEqual(at);
    host.run(40_000);
    expect(state(host)).toEqual(ahead);
    expect(host.run(100_000_000).end).toBe('stopped');
    const fresh = new Host({ vms: CONFIGS, slice: 1_999 });
    fresh.run(100_000_000);
    expect(state(host).vms).toEqual(state(fresh).vms);
  });
});
