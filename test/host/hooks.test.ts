// The host's hooks for its users (the CLI prints each VM's lines as they
// come): onSlice is called once at the end of every slice with the VM that ran
// it, and a VM's consoleSink gets its output in order, all of a slice's output
// by the time that slice ends.

import { describe, expect, test } from 'vitest';
import { Host, type HostVm, type HostVmConfig } from '../../src/host/index.js';
import { guestImage } from '../vmm/helpers.js';

const tinyos = guestImage('tinyos/tinyos.s');
const hello = guestImage('hello.s');
const SMALL = 1 << 20;
// Short slices: tinyos's lines are cut by slice ends.
const SLICE = 997;
const VMS: HostVmConfig[] = [
  { name: 'os-hw', image: tinyos, mode: 'hw' },
  { name: 'hello', image: hello, mode: 'trap', guestMemory: SMALL },
  { name: 'os-bt', image: tinyos, mode: 'bt' },
];

describe('onSlice', () => {
  test('called once per slice, with the VM that ran it: only that VM retired instructions since the last call', () => {
    const calls: HostVm[] = [];
    let retired: number[] = [];
    let host: Host | undefined;
    const onSlice = (vm: HostVm) => {
      const now = host!.vms.map((v) => v.counters.instructions);
      const ran = now.flatMap((n, i) => (n !== retired[i] ? [host!.vms[i]!] : []));
      expect(ran).toEqual([vm]);
      expect(host!.running()).toBeUndefined(); // called after the switch out
      retired = now;
      calls.push(vm);
    };
    host = new Host({ vms: VMS, slice: SLICE, onSlice });
    retired = host.vms.map((v) => v.counters.instructions);
    expect(host.run(100_000_000).end).toBe('stopped');
    expect(calls.length).toBe(host.counters.worldSwitches);
    for (const vm of host.vms) expect(calls.filter((c) => c === vm).length).toBe(vm.host.slices);
    expect(host.vms[0]!.host.slices).toBeGreaterThan(10);
    // Round-robin while all three run.
    expect(calls.slice(0, 3).map((v) => v.name)).toEqual(['os-hw', 'hello', 'os-bt']);
  });
});

describe('consoleSink', () => {
  test('bytes arrive in order, the same as captured; each slice\'s output is out when the slice ends', () => {
    const captured = new Host({ vms: VMS, slice: SLICE });
    expect(captured.run(100_000_000).end).toBe('stopped');

    const got = VMS.map(() => [] as number[]);
    /** Chunks since the VM's last slice end: all but the last must end at a newline or at 4096 bytes. */
    const chunks = VMS.map(() => [] as Uint8Array[]);
    let cutMidLine = 0;
    const vms = VMS.map((c, i) => ({
      ...c,
      consoleSink: (bytes: Uint8Array) => {
        got[i]!.push(...bytes);
        chunks[i]!.push(bytes);
      },
    }));
    let host: Host | undefined;
    const onSlice = (vm: HostVm) => {
      const i = host!.vms.indexOf(vm);
      // Nothing of the slice is held back: the sink has every byte the VM wrote.
      expect(got[i]!.length).toBe(vm.console.save().outputLength);
      const mine = chunks[i]!;
      for (const c of mine.slice(0, -1)) expect(c[c.length - 1] === 10 || c.length === 4096).toBe(true);
      const last = mine[mine.length - 1];
      if (last && last[last.length - 1] !== 10) cutMidLine++;
      chunks[i] = [];
    };
    host = new Host({ vms, slice: SLICE, onSlice });
    expect(host.run(100_000_000).end).toBe('stopped');

    host.vms.forEach((vm, i) => {
      const text = captured.vms[i]!.consoleText();
      expect(text.length).toBeGreaterThan(0);
      expect(new TextDecoder().decode(Uint8Array.from(got[i]!))).toBe(text);
      expect(vm.consoleText()).toBe(''); // with a sink, the console keeps nothing
    });
    expect(cutMidLine).toBeGreaterThan(0); // the flush at a slice's end was needed
  });
});
