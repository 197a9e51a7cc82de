// VMs of one host talk through the monitor's switch: ping-pong pairs in
// different modes, each pair on its own VLAN, every client gets its round
// trips from its own server only, and the same configuration gives the same
// packets, interleaving and counters on either engine.

import { describe, expect, test } from 'vitest';
import { createJit } from '../../src/engine/jit/index.js';
import { Host, type HostVmConfig } from '../../src/host/index.js';
import type { NicKind } from '../../src/network/nic.js';
import type { ModeName } from '../../src/vmm/index.js';
import { netProgram } from './helpers.js';

type HostMode = Exclude<ModeName, 'native'>;

function pair(mode: HostMode, vlan: number, client: NicKind, server: NicKind): HostVmConfig[] {
  return [
    { name: `${mode}-ping`, image: netProgram('pingpong', { COUNT: 8, RETRY: 3000 }, mode), mode, guestMemory: 2 << 20, nic: { kind: client, mac: `02:00:00:00:${vlan.toString(16).padStart(2, '0')}:01`, vlan } },
    { name: `${mode}-pong`, image: netProgram('pingpong', { COUNT: 8, SERVER: 1 }, mode), mode, guestMemory: 2 << 20, nic: { kind: server, mac: `02:00:00:00:${vlan.toString(16).padStart(2, '0')}:02`, vlan } },
  ];
}

const VMS = [...pair('bt', 10, 'emulated', 'virtio'), ...pair('pv', 20, 'virtio', 'emulated'), ...pair('hw', 30, 'emulated', 'virtio')];

function runHost(jit: boolean) {
  const host = new Host({ vms: VMS, slice: 1500, net: { peer: { mode: 'sink' } }, ...(jit ? { engine: createJit } : {}) });
  const r = host.run(20_000_000);
  const sw = host.net!.switch;
  return {
    end: r.end,
    vms: host.vms.map((vm) => ({ name: vm.name, stop: vm.stop?.kind, console: vm.consoleText(), instructions: vm.counters.instructions })),
    ports: sw.portList().map((p) => ({ name: p.name, counters: p.counters })),
    switch: sw.counters(),
    nics: host.net!.vms.map((v) => ({ name: v.name, counters: { ...(v.nic!.counters as object) } })),
    worldSwitches: host.counters.worldSwitches,
  };
}

describe('a host of ping-pong pairs', () => {
  const interp = runHost(false);

  test('every VM halts; each client made its round trips, each server answered them', () => {
    expect(interp.end).toBe('stopped');
    for (const vm of interp.vms) {
      expect(vm.stop).toBe('halted');
      if (vm.name.endsWith('-ping')) expect(vm.console).toMatch(/^ping: 8 round trips, mean \d+ ticks each\n(ping: resent \d+ unanswered pings\n)?$/);
      else expect(vm.console).toBe('pong: answered 8 frames\n');
    }
  });

  test('VLANs keep the pairs apart: no frame crosses into another pair\'s port', () => {
    for (const p of interp.ports.filter((q) => q.name !== 'wire')) {
      // a client's frames out of the switch are its server's replies; a server's are its client's pings
      expect(p.counters.txFrames).toBeGreaterThanOrEqual(8);
      expect(p.counters.txFrames).toBeLessThanOrEqual(12);
    }
    expect(interp.switch.learned).toBe(6);
  });

  test('the same packets, counters and interleaving on the jit', () => {
    expect(runHost(true)).toEqual(interp);
  });
});
