// The learning switch: learning and forwarding, flooding, no hairpin, VLAN
// membership and tagging, aging in the owner's clock, counters, trace events,
// and save/restore/reset.

import { describe, expect, test } from 'vitest';
import { buildFrame, parseFrame } from '../../src/net/frame.js';
import { Switch, type PortOptions, type SwitchOptions } from '../../src/net/switch.js';
import type { FrameEvent, FrameReceiver } from '../../src/net/types.js';

const MAC = (n: number) => `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;
const BC = 'ff:ff:ff:ff:ff:ff';

function setup(ports: Record<string, PortOptions>, options: Partial<SwitchOptions> = {}) {
  const env = { now: 0, events: [] as FrameEvent[] };
  const sw = new Switch({ clock: () => env.now, observer: (e) => env.events.push(e), ...options });
  const got: Record<string, Uint8Array[]> = {};
  const send: Record<string, FrameReceiver> = {};
  for (const [name, opts] of Object.entries(ports)) {
    got[name] = [];
    send[name] = sw.addPort(name, { receive: (f) => got[name]!.push(f.slice()) }, opts);
  }
  /** Which ports received something since the last call, and clear. */
  const took = () => {
    const names = Object.keys(got).filter((n) => got[n]!.length > 0);
    for (const n of names) got[n] = [];
    return names;
  };
  return { sw, env, got, send, took };
}

const frame = (src: number, dst: number | string, vlan?: number, n = 46) =>
  buildFrame({ dst: typeof dst === 'string' ? dst : MAC(dst), src: MAC(src), vlan, ethertype: 0x88b5, payload: new Uint8Array(n).fill(src) });

describe('learning and forwarding', () => {
  test('unknown unicast floods; once the destination has spoken, frames go to its port only', () => {
    const { sw, send, took } = setup({ a: {}, b: {}, c: {} });
    send.a!.receive(frame(1, 2));
    expect(took()).toEqual(['b', 'c']);
    send.b!.receive(frame(2, 1));
    expect(took()).toEqual(['a']);
    send.a!.receive(frame(1, 2));
    expect(took()).toEqual(['b']);
    expect(sw.counters()).toMatchObject({ learned: 2, forwarded: 2, flooded: 1, dropped: 0 });
    expect(sw.table().map((r) => [r.mac, r.vlan, r.port])).toEqual([[MAC(1), 0, 'a'], [MAC(2), 0, 'b']]);
  });
  test('broadcast and multicast flood to every other port, even to a known station', () => {
    const { send, took } = setup({ a: {}, b: {}, c: {} });
    send.b!.receive(frame(2, BC));
    send.c!.receive(frame(3, BC));
    took();
    send.a!.receive(frame(1, BC));
    expect(took()).toEqual(['b', 'c']);
    send.a!.receive(frame(1, '01:00:5e:00:00:01'));
    expect(took()).toEqual(['b', 'c']);
  });
  test('no hairpin: a frame to a station on its own port goes nowhere (no-port), a flood skips the port', () => {
    const { sw, send, took, env } = setup({ a: {}, b: {} });
    send.a!.receive(frame(1, BC));
    expect(took()).toEqual(['b']);
    send.a!.receive(frame(5, 1)); // station 1 is known on port a
    expect(took()).toEqual([]);
    expect(sw.portCounters('a').drops).toEqual({ 'no-port': 1 });
    expect(env.events.at(-1)).toMatchObject({ kind: 'drop', where: 'a', reason: 'no-port', src: MAC(5), dst: MAC(1) });
    const alone = setup({ only: {} });
    alone.send.only!.receive(frame(1, BC));
    expect(alone.took()).toEqual([]);
    expect(alone.sw.counters()).toMatchObject({ flooded: 0, dropped: 1 });
  });
  test('a station that moves is followed to its new port', () => {
    const { sw, send, took } = setup({ a: {}, b: {}, c: {} });
    send.a!.receive(frame(1, BC));
    send.c!.receive(frame(1, BC));
    took();
    send.b!.receive(frame(2, 1));
    expect(took()).toEqual(['c']);
    expect(sw.counters()).toMatchObject({ learned: 2, moved: 1 });
  });
  test('group and all-zero source addresses are not learned, but the frame is forwarded', () => {
    const { sw, send, took } = setup({ a: {}, b: {} });
    send.a!.receive(buildFrame({ dst: BC, src: '01:00:00:00:00:01', ethertype: 0x88b5 }));
    send.a!.receive(buildFrame({ dst: BC, src: '00:00:00:00:00:00', ethertype: 0x88b5 }));
    expect(took()).toEqual(['b']);
    expect(sw.table()).toEqual([]);
  });
  test('frames that are not frames are dropped at the port with the reason', () => {
    const { sw, send, took } = setup({ a: {}, b: {} });
    send.a!.receive(new Uint8Array(13));
    send.a!.receive(frame(1, 2, 3).subarray(0, 17));
    send.a!.receive(new Uint8Array(1515).fill(2));
    expect(took()).toEqual([]);
    expect(sw.portCounters('a')).toMatchObject({ rxFrames: 3, rxBytes: 13 + 17 + 1515, drops: { 'too-short': 2, 'too-long': 1 } });
    expect(sw.table()).toEqual([]);
  });
  test('a full table learns no more, and frames to the unlearned flood', () => {
    const { sw, send, took } = setup({ a: {}, b: {}, c: {} }, { maxEntries: 1 });
    send.a!.receive(frame(1, BC));
    send.b!.receive(frame(2, BC));
    took();
    send.a!.receive(frame(1, 2));
    expect(took()).toEqual(['b', 'c']);
    send.c!.receive(frame(3, 2));
    expect(took()).toEqual(['a', 'b']);
    expect(sw.counters()).toMatchObject({ learned: 1, tableFull: 2 });
    expect(sw.table().map((r) => r.mac)).toEqual([MAC(1)]);
  });
});

describe('VLANs', () => {
  test('access ports of different VLANs never see each other, broadcast or unicast', () => {
    const { send, took } = setup({ a10: { vlan: 10 }, b10: { vlan: 10 }, c20: { vlan: 20 }, plain: {} });
    send.a10!.receive(frame(1, BC));
    expect(took()).toEqual(['b10']);
    send.c20!.receive(frame(3, BC));
    expect(took()).toEqual([]);
    send.c20!.receive(frame(3, 1)); // station 1 is known, but in VLAN 10
    expect(took()).toEqual([]);
    send.plain!.receive(frame(4, 1));
    expect(took()).toEqual([]);
  });
  test('the same MAC is a separate entry in each VLAN', () => {
    const { sw, send } = setup({ a: { vlan: 10 }, b: { vlan: 20 }, t: { trunk: true } });
    send.a!.receive(frame(1, BC));
    send.b!.receive(frame(1, BC));
    expect(sw.table().map((r) => [r.vlan, r.port])).toEqual([[10, 'a'], [20, 'b']]);
  });
  test('a trunk carries VLANs tagged: access frames leave it tagged and tagged frames reach access ports untagged', () => {
    const { send, got, took } = setup({ a10: { vlan: 10 }, a20: { vlan: 20 }, trunk: { trunk: true }, plain: {} });
    send.a10!.receive(frame(1, BC));
    expect(Object.keys(got).filter((n) => got[n]!.length)).toEqual(['trunk']);
    expect(parseFrame(got.trunk![0]!)).toMatchObject({ src: MAC(1), vlan: { vid: 10 } });
    expect(got.trunk![0]!.length).toBe(64);
    took();
    send.trunk!.receive(frame(9, BC, 20));
    expect(Object.keys(got).filter((n) => got[n]!.length)).toEqual(['a20']);
    expect(parseFrame(got.a20![0]!).vlan).toBeUndefined();
    expect(got.a20![0]!.length).toBe(60);
    took();
    send.trunk!.receive(frame(9, BC)); // untagged on a trunk without a native VLAN: the untagged network
    expect(took()).toEqual(['plain']);
    send.plain!.receive(frame(4, BC));
    expect(Object.keys(got).filter((n) => got[n]!.length)).toEqual(['trunk']);
    expect(parseFrame(got.trunk![0]!).vlan).toBeUndefined();
  });
  test('the tag priority survives the switch between trunks; an untagged frame gets priority 0', () => {
    const { send, got } = setup({ t1: { trunk: true }, t2: { trunk: true }, a: { vlan: 7 } });
    send.t1!.receive(buildFrame({ dst: BC, src: MAC(1), vlan: { vid: 7, priority: 5, dei: true }, ethertype: 0x88b5 }));
    expect(parseFrame(got.t2![0]!).vlan).toEqual({ vid: 7, priority: 5, dei: true });
    send.a!.receive(frame(2, BC));
    expect(parseFrame(got.t2![1]!).vlan).toEqual({ vid: 7, priority: 0, dei: false });
  });
  test('a trunk with a native VLAN sends and takes that VLAN untagged', () => {
    const { send, got } = setup({ t: { trunk: true, vlan: 10 }, a10: { vlan: 10 }, a30: { vlan: 30 }, plain: {} });
    send.a10!.receive(frame(1, BC));
    send.a30!.receive(frame(3, BC));
    expect(got.t!.map((f) => parseFrame(f).vlan?.vid)).toEqual([undefined, 30]);
    send.t!.receive(frame(5, BC));
    expect(got.a10!.length).toBe(1);
    expect(got.plain).toEqual([]); // the untagged network is not on this trunk
  });
  test('tags a port does not carry are dropped (vlan); priority tags belong to the native VLAN', () => {
    const { sw, send, took, env } = setup({ a: { vlan: 10 }, b: { vlan: 10 }, plain: {}, p2: {}, t: { trunk: true } });
    send.a!.receive(frame(1, BC, 20));
    send.plain!.receive(frame(2, BC, 10));
    send.t!.receive(buildFrame({ dst: BC, src: MAC(3), vlan: 4095, ethertype: 0x88b5 }));
    expect(took()).toEqual([]);
    expect(sw.portCounters('a').drops).toEqual({ vlan: 1 });
    expect(sw.portCounters('t').drops).toEqual({ vlan: 1 });
    expect(env.events.map((e) => [e.kind, e.where, e.vlan, e.reason])).toEqual([['drop', 'a', 20, 'vlan'], ['drop', 'plain', 10, 'vlan'], ['drop', 't', 4095, 'vlan']]);
    send.a!.receive(frame(1, BC, 10)); // its own VLAN, tagged: taken
    send.plain!.receive(frame(2, BC, 0)); // priority tag
    expect(took()).toEqual(['b', 'p2', 't']);
  });
});

describe('aging', () => {
  test('an entry not refreshed for the aging time is forgotten (guest time), and counted once', () => {
    const { sw, env, send, took } = setup({ a: {}, b: {}, c: {} }, { agingTicks: 1000 });
    send.a!.receive(frame(1, BC));
    took();
    env.now = 999;
    send.b!.receive(frame(2, 1));
    expect(took()).toEqual(['a']);
    expect(sw.table()).toEqual([{ mac: MAC(1), vlan: 0, port: 'a', age: 999 }, { mac: MAC(2), vlan: 0, port: 'b', age: 0 }]);
    env.now = 1000;
    expect(sw.table().map((r) => r.mac)).toEqual([MAC(2)]);
    expect(sw.counters().aged).toBe(0); // looking does not age
    send.b!.receive(frame(2, 1));
    expect(took()).toEqual(['a', 'c']);
    expect(sw.counters().aged).toBe(1);
    env.now = 5000;
    send.c!.receive(frame(3, BC)); // the sweep finds station 2 expired
    expect(sw.counters().aged).toBe(2);
    expect(sw.table().map((r) => r.mac)).toEqual([MAC(3)]);
  });
  test('traffic refreshes an entry', () => {
    const { sw, env, send } = setup({ a: {}, b: {} }, { agingTicks: 100 });
    for (env.now = 0; env.now <= 1000; env.now += 50) send.a!.receive(frame(1, BC));
    env.now = 1000;
    expect(sw.table()).toEqual([{ mac: MAC(1), vlan: 0, port: 'a', age: 0 }]);
    expect(sw.counters()).toMatchObject({ learned: 1, aged: 0 });
  });
});

describe('counters and events', () => {
  test('per-port frames and bytes both ways, floods counted at the ingress port', () => {
    const { sw, send } = setup({ a: {}, b: { vlan: 5 }, t: { trunk: true } });
    send.a!.receive(frame(1, BC, undefined, 100));
    send.b!.receive(frame(2, BC, undefined, 46));
    send.t!.receive(frame(9, 2, 5, 46));
    expect(sw.portCounters('a')).toEqual({ rxFrames: 1, rxBytes: 114, txFrames: 0, txBytes: 0, floods: 1, drops: {} });
    expect(sw.portCounters('b')).toEqual({ rxFrames: 1, rxBytes: 60, txFrames: 1, txBytes: 60, floods: 1, drops: {} });
    expect(sw.portCounters('t')).toEqual({ rxFrames: 1, rxBytes: 64, txFrames: 2, txBytes: 114 + 64, floods: 0, drops: {} });
    expect(sw.counters()).toEqual({ learned: 3, moved: 0, aged: 0, tableFull: 0, forwarded: 1, flooded: 2, dropped: 0 });
    expect(() => sw.portCounters('x')).toThrow("switch: no port 'x'");
    expect(sw.portList().map((p) => [p.name, p.vlan, p.trunk, p.counters.rxFrames, p.counters.txFrames])).toEqual(
      [['a', 0, false, 1, 0], ['b', 5, false, 1, 1], ['t', 0, true, 1, 2]]);
  });
  test('forward and flood events name the ingress port, the egress ports and the VLAN in the switch', () => {
    const { send, env } = setup({ a: { vlan: 5 }, b: { vlan: 5 }, t: { trunk: true } });
    send.a!.receive(frame(1, BC));
    send.b!.receive(frame(2, 1));
    expect(env.events).toEqual([
      { kind: 'flood', where: 'a', dst: BC, src: MAC(1), vlan: 5, ethertype: 0x88b5, length: 60, to: ['b', 't'] },
      { kind: 'forward', where: 'b', dst: MAC(1), src: MAC(2), vlan: 5, ethertype: 0x88b5, length: 60, to: ['a'] },
    ]);
  });
  test('bad configuration is refused with one line', () => {
    const sw = new Switch({ clock: () => 0 });
    sw.addPort('a', { receive: () => {} });
    expect(() => sw.addPort('a', { receive: () => {} })).toThrow("switch: port 'a' exists already");
    expect(() => sw.addPort('', { receive: () => {} })).toThrow('switch: a port needs a name');
    expect(() => sw.addPort('b', { receive: () => {} }, { vlan: 4095 })).toThrow("switch: port 'b': VLAN 4095 out of range 1..4094");
    expect(() => sw.addPort('b', { receive: () => {} }, { vlan: 0 })).toThrow('VLAN 0 out of range');
    expect(() => new Switch({ clock: () => 0, agingTicks: 0 })).toThrow('switch: aging time 0 is not a positive number of ticks');
    expect(() => new Switch({ clock: () => 0, maxEntries: -1 })).toThrow('switch: table size -1');
  });
});

describe('state', () => {
  test('save and restore the table and counters: the traffic after is the same', () => {
    const { sw, env, send, took } = setup({ a: {}, b: {}, c: {} }, { agingTicks: 500 });
    send.a!.receive(frame(1, BC));
    env.now = 100;
    send.b!.receive(frame(2, 1));
    took();
    const saved = sw.save();
    const script = () => {
      const seen: string[][] = [];
      env.now = 200; send.c!.receive(frame(3, 2)); seen.push(took());
      env.now = 550; send.c!.receive(frame(3, 1)); seen.push(took()); // station 1 has aged
      send.a!.receive(frame(1, 3)); seen.push(took());
      return { seen, counters: sw.counters(), ports: sw.portNames().map((n) => sw.portCounters(n)), table: sw.table() };
    };
    const first = script();
    expect(first.seen).toEqual([['b'], ['a', 'b'], ['c']]);
    sw.restore(saved);
    env.now = 100;
    expect(sw.counters()).toMatchObject({ learned: 2, flooded: 1, forwarded: 1 });
    expect(script()).toEqual(first);
  });
  test('a saved state is a copy; reset forgets the table and zeroes counters but keeps the ports', () => {
    const { sw, send, took } = setup({ a: {}, b: {} });
    send.a!.receive(frame(1, BC));
    const saved = sw.save();
    send.b!.receive(frame(2, BC));
    expect(saved.table.entries).toHaveLength(1);
    expect(saved.ports[1]!.rxFrames).toBe(0);
    sw.reset();
    expect(sw.table()).toEqual([]);
    expect(sw.counters()).toEqual({ learned: 0, moved: 0, aged: 0, tableFull: 0, forwarded: 0, flooded: 0, dropped: 0 });
    expect(sw.portCounters('a').rxFrames).toBe(0);
    took();
    send.b!.receive(frame(2, 1));
    expect(took()).toEqual(['a']);
    sw.restore(saved);
    expect(sw.table().map((r) => r.port)).toEqual(['a']);
    const other = new Switch({ clock: () => 0 });
    expect(() => other.restore(saved)).toThrow('switch: the saved state has 2 ports, this switch 0');
  });
});
