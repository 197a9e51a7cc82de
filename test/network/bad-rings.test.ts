// Malformed rings (guests/hostile/bad-rings.s) stop the device of the VM that
// wrote them, which the guest sees and the device counts, and nothing else:
// a ping-pong pair on the same host runs as it runs without it.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import { Host, type HostVmConfig } from '../../src/host/index.js';
import { GUESTS } from '../vmm/helpers.js';
import { netProgram, runNet } from './helpers.js';

const badRings = (pv = false) => {
  const r = assembleFile(join(GUESTS, 'hostile', 'bad-rings.s'), { defines: pv ? { PV: 1 } : {} });
  if (!r.image) throw new Error('bad-rings.s does not assemble');
  return r.image;
};

const PAIR: HostVmConfig[] = [
  { name: 'ping', image: netProgram('pingpong', { COUNT: 6, RETRY: 3000 }, 'hw'), mode: 'hw', guestMemory: 2 << 20, nic: { kind: 'virtio', mac: '02:00:00:00:00:01' } },
  { name: 'pong', image: netProgram('pingpong', { COUNT: 6, SERVER: 1 }, 'bt'), mode: 'bt', guestMemory: 2 << 20, nic: { kind: 'emulated', mac: '02:00:00:00:00:02' } },
];

function run(vms: HostVmConfig[]) {
  const host = new Host({ vms, slice: 1000, net: { peer: { mode: 'sink' } } });
  expect(host.run(20_000_000).end).toBe('stopped');
  return host;
}

const masked = (text: string) => text.replace(/mean \d+ ticks/, 'mean N ticks');

describe('bad-rings.s', () => {
  test('alone: each NIC reports the error to the guest, counts it and stops, in every mode', () => {
    for (const mode of ['native', 'trap', 'bt', 'hw'] as const) {
      const e1000 = runNet('../hostile/bad-rings', mode, 'emulated');
      expect(e1000.consoleText()).toBe('e1000: the device stopped (STATUS.DERR)\n'.repeat(2));
      expect((e1000.net!.nics()[0]!.nic.counters as { deviceErrors: number }).deviceErrors).toBe(2);
      const virtio = runNet('../hostile/bad-rings', mode, 'virtio');
      expect(virtio.consoleText()).toBe('virtio-net: the device needs a reset (DEVICE_NEEDS_RESET)\n');
      expect((virtio.net!.nics()[0]!.nic.counters as { deviceErrors: number }).deviceErrors).toBe(1);
    }
  });

  test('on a host: the hostile VMs\' devices stop, the ping-pong pair beside them is untouched', () => {
    const quiet = run(PAIR);
    const busy = run([
      { name: 'bad-e1000', image: badRings(), mode: 'bt', guestMemory: 1 << 20, nic: { kind: 'emulated', mac: '02:00:00:00:00:0a' } },
      ...PAIR,
      { name: 'bad-virtio', image: badRings(true), mode: 'pv', guestMemory: 1 << 20, nic: { kind: 'virtio', mac: '02:00:00:00:00:0b' } },
    ]);
    for (const name of ['ping', 'pong']) {
      const a = quiet.vms.find((v) => v.name === name)!, b = busy.vms.find((v) => v.name === name)!;
      expect(masked(b.consoleText())).toBe(masked(a.consoleText()));
      expect(b.stop).toEqual(a.stop);
    }
    const errors = (name: string) => (busy.net!.vms.find((v) => v.name === name)!.nic!.counters as { deviceErrors: number }).deviceErrors;
    expect([errors('bad-e1000'), errors('bad-virtio'), errors('ping'), errors('pong')]).toEqual([2, 1, 0, 0]);
    expect(busy.vms.map((v) => v.stop?.kind)).toEqual(['halted', 'halted', 'halted', 'halted']);
  });
});
