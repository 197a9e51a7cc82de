// The wire on a switch's trunk port, as the monitor will wire them: an echo
// that answers from inside the switch's delivery (synchronous, re-entrant),
// and a generator whose broadcasts reach only the VMs of its VLAN.

import { expect, test } from 'vitest';
import { buildFrame, parseFrame } from '../../src/net/frame.js';
import { Switch } from '../../src/net/switch.js';
import { Wire, type WireOptions } from '../../src/net/wire.js';

const VM1 = '02:00:00:00:00:01';

function host(wireConfig: Omit<WireOptions, 'clock'>) {
  const env = { now: 0 };
  const sw = new Switch({ clock: () => env.now });
  const wire = new Wire({ ...wireConfig, clock: () => env.now });
  const got = { vm1: [] as Uint8Array[], vm2: [] as Uint8Array[] };
  const vm1 = sw.addPort('vm1', { receive: (f) => got.vm1.push(f.slice()) }, { vlan: 5 });
  const vm2 = sw.addPort('vm2', { receive: (f) => got.vm2.push(f.slice()) }, { vlan: 6 });
  wire.connect(sw.addPort('wire', wire, { trunk: true }));
  return { env, sw, wire, got, vm1, vm2 };
}

test('a frame to the outside comes back through the switch from the echo, untagged on the access port', () => {
  const { sw, wire, got, vm1 } = host({ mode: 'echo' });
  vm1.receive(buildFrame({ dst: '02:00:00:00:00:99', src: VM1, ethertype: 0x0800, payload: new Uint8Array(46).fill(7) }));
  expect(got.vm1).toHaveLength(1);
  const back = parseFrame(got.vm1[0]!);
  expect(back).toMatchObject({ dst: VM1, src: '02:00:00:00:00:99', ethertype: 0x0800 });
  expect(back.vlan).toBeUndefined();
  expect(got.vm2).toHaveLength(0);
  expect(wire.counters()).toMatchObject({ framesIn: 1, framesOut: 1, bytesIn: 64, bytesOut: 64 }); // tagged on the trunk
  expect(sw.table().map((r) => [r.mac, r.vlan, r.port])).toEqual([[VM1, 5, 'vm1'], ['02:00:00:00:00:99', 5, 'wire']]);
  expect(sw.portCounters('wire')).toMatchObject({ rxFrames: 1, txFrames: 1 });
});

test("a generator's broadcasts in VLAN 6 reach only the VM of VLAN 6, at the generator's rate", () => {
  const { env, wire, got } = host({ mode: 'gen', vlan: 6, every: 1000, count: 3 });
  for (;;) {
    const d = wire.nextDeadline();
    if (d === Infinity) break;
    env.now = d;
    wire.tick(d);
  }
  expect(env.now).toBe(3000);
  expect(got.vm1).toHaveLength(0);
  expect(got.vm2.map((f) => [f.length, parseFrame(f).vlan])).toEqual([[56, undefined], [56, undefined], [56, undefined]]);
});
