// The wire's link partner on its own, against a fake clock: echo, gen and sink,
// the capture tap, counters, options, and save/restore/reset.

import { describe, expect, test } from 'vitest';
import { buildFrame, parseFrame } from '../../src/net/frame.js';
import { readPcap, PcapWriter } from '../../src/net/pcap.js';
import type { FrameEvent } from '../../src/net/types.js';
import { parseWireSpec, wireSettings } from '../../src/net/wire-options.js';
import { Wire, type WireOptions } from '../../src/net/wire.js';

const VM = '02:00:00:00:00:01';
const OTHER = '02:00:00:00:00:33';

function setup(config: Omit<WireOptions, 'clock'>) {
  const env = { now: 0, got: [] as { at: number; frame: Uint8Array }[], events: [] as FrameEvent[] };
  const wire = new Wire({ ...config, clock: () => env.now, observer: (e) => env.events.push(e) });
  wire.connect({ receive: (frame) => env.got.push({ at: env.now, frame: frame.slice() }) });
  /** Advance the clock to `until`, ticking at every deadline as a machine does. */
  const run = (until: number) => {
    for (;;) {
      const d = wire.nextDeadline();
      if (d > until) break;
      env.now = Math.max(env.now, d);
      wire.tick(env.now);
    }
    env.now = until;
  };
  return { wire, env, run };
}

const frame = (dst: string, opts: { vlan?: number; n?: number } = {}) =>
  buildFrame({ dst, src: VM, vlan: opts.vlan, ethertype: 0x0800, payload: Uint8Array.from({ length: opts.n ?? 46 }, (_, i) => i) });

describe('echo', () => {
  test('a unicast frame comes back at once: dst = its src, src = its dst, tag and payload unchanged', () => {
    const { wire, env } = setup({ mode: 'echo' });
    const sent = frame(OTHER, { vlan: 5 });
    wire.receive(sent);
    expect(env.got).toHaveLength(1);
    const back = parseFrame(env.got[0]!.frame);
    expect(back).toMatchObject({ dst: VM, src: OTHER, vlan: { vid: 5 }, ethertype: 0x0800 });
    expect([...back.payload]).toEqual([...parseFrame(sent).payload]);
    expect(wire.nextDeadline()).toBe(Infinity);
  });
  test("a broadcast or multicast frame comes back from the wire's own MAC", () => {
    const { wire, env } = setup({ mode: 'echo' });
    wire.receive(frame('ff:ff:ff:ff:ff:ff'));
    wire.receive(frame('01:00:5e:00:00:fb'));
    expect(env.got.map((g) => parseFrame(g.frame).src)).toEqual(['02:00:00:00:00:fe', '02:00:00:00:00:fe']);
    const own = setup({ mode: 'echo', mac: '02:aa:00:00:00:01' });
    own.wire.receive(frame('ff:ff:ff:ff:ff:ff'));
    expect(parseFrame(own.env.got[0]!.frame).src).toBe('02:aa:00:00:00:01');
  });
  test('with a delay, reflections wait in order and go out at their deadline', () => {
    const { wire, env, run } = setup({ mode: 'echo', delay: 100 });
    env.now = 10;
    wire.receive(frame(OTHER, { n: 1 }));
    env.now = 30;
    wire.receive(frame(OTHER, { n: 2 }));
    expect(env.got).toHaveLength(0);
    expect(wire.nextDeadline()).toBe(110);
    run(129);
    expect(env.got.map((g) => [g.at, g.frame.length])).toEqual([[110, 15]]);
    run(1000);
    expect(env.got.map((g) => [g.at, g.frame.length])).toEqual([[110, 15], [130, 16]]);
    expect(wire.nextDeadline()).toBe(Infinity);
  });
  test('the delay queue is bounded: past 1024 waiting, reflections are dropped (no-buffer)', () => {
    const { wire } = setup({ mode: 'echo', delay: 5 });
    for (let i = 0; i < 1030; i++) wire.receive(frame(OTHER));
    expect(wire.counters()).toMatchObject({ framesIn: 1030, framesOut: 0, dropped: 6, drops: { 'no-buffer': 6 } });
  });
  test('frames that are not frames are counted in and dropped with the reason', () => {
    const { wire, env } = setup({ mode: 'echo' });
    wire.receive(new Uint8Array(10));
    wire.receive(new Uint8Array(1515));
    expect(env.got).toHaveLength(0);
    expect(wire.counters()).toEqual({ framesIn: 2, framesOut: 0, bytesIn: 1525, bytesOut: 0, dropped: 2, drops: { 'too-short': 1, 'too-long': 1 } });
  });
  test('counters and events count both directions', () => {
    const { wire, env } = setup({ mode: 'echo' });
    wire.receive(frame(OTHER, { n: 46 }));
    wire.receive(frame(OTHER, { n: 100, vlan: 9 }));
    expect(wire.counters()).toEqual({ framesIn: 2, framesOut: 2, bytesIn: 60 + 118, bytesOut: 60 + 118, dropped: 0, drops: {} });
    expect(env.events.map((e) => [e.kind, e.where, e.src, e.dst, e.vlan, e.length])).toEqual([
      ['rx', 'wire', VM, OTHER, undefined, 60], ['tx', 'wire', OTHER, VM, undefined, 60],
      ['rx', 'wire', VM, OTHER, 9, 118], ['tx', 'wire', OTHER, VM, 9, 118],
    ]);
  });
  test('with nothing connected, what the wire would send is dropped (no-port)', () => {
    const wire = new Wire({ mode: 'echo', clock: () => 0 });
    wire.receive(frame(OTHER));
    expect(wire.counters()).toMatchObject({ framesIn: 1, framesOut: 0, dropped: 1, drops: { 'no-port': 1 } });
  });
});

describe('gen', () => {
  test('sends size-byte frames to dst every N ticks from start, with a sequence number, up to count', () => {
    const { wire, env, run } = setup({ mode: 'gen', size: 100, every: 250, start: 1000, count: 4, dst: OTHER });
    run(999);
    expect(env.got).toHaveLength(0);
    run(100_000);
    expect(env.got.map((g) => g.at)).toEqual([1000, 1250, 1500, 1750]);
    for (const [i, g] of env.got.entries()) {
      const f = parseFrame(g.frame);
      expect(g.frame.length).toBe(100);
      expect(f).toMatchObject({ dst: OTHER, src: '02:00:00:00:00:fe', ethertype: 0x88b5 });
      expect(new DataView(f.payload.buffer, f.payload.byteOffset).getUint32(0)).toBe(i);
      expect(f.payload.subarray(4).every((b) => b === 0)).toBe(true);
    }
    expect(wire.nextDeadline()).toBe(Infinity);
    expect(wire.counters()).toMatchObject({ framesOut: 4, bytesOut: 400 });
  });
  test('defaults: broadcast, 60 bytes, every 10000 ticks from 10000, no limit; a VLAN tags the frames within size', () => {
    const { env, run } = setup({ mode: 'gen' });
    run(50_000);
    expect(env.got.map((g) => [g.at, g.frame.length, parseFrame(g.frame).dst])).toEqual(
      [10_000, 20_000, 30_000, 40_000, 50_000].map((t) => [t, 60, 'ff:ff:ff:ff:ff:ff']));
    const tagged = setup({ mode: 'gen', vlan: 300, size: 64, every: 1 });
    tagged.run(1);
    expect(tagged.env.got[0]!.frame.length).toBe(64);
    expect(parseFrame(tagged.env.got[0]!.frame).vlan).toEqual({ vid: 300, priority: 0, dei: false });
  });
  test('a late tick sends every frame it missed, the same frames as ticks on time', () => {
    const onTime = setup({ mode: 'gen', every: 7, count: 10 });
    onTime.run(1000);
    const late = setup({ mode: 'gen', every: 7, count: 10 });
    late.env.now = 30;
    late.wire.tick(30);
    expect(late.env.got).toHaveLength(4);
    late.env.now = 1000;
    late.wire.tick(1000);
    expect(late.env.got.map((g) => [...g.frame])).toEqual(onTime.env.got.map((g) => [...g.frame]));
  });
  test('two runs give the same frames at the same clocks, and the same capture', () => {
    const once = () => {
      const parts: Uint8Array[] = [];
      const s = setup({ mode: 'gen', every: 333, size: 80, count: 20, pcap: new PcapWriter((b) => parts.push(b.slice())) });
      s.run(10_000);
      return { got: s.env.got.map((g) => [g.at, [...g.frame]]), pcap: Buffer.concat(parts) };
    };
    const a = once();
    const b = once();
    expect(a.got).toHaveLength(20);
    expect(b).toEqual(a);
    expect(readPcap(a.pcap).records).toHaveLength(20);
  });
  test('what gen receives is counted and dropped', () => {
    const { wire } = setup({ mode: 'gen' });
    wire.receive(frame(OTHER));
    expect(wire.counters()).toMatchObject({ framesIn: 1, bytesIn: 60, dropped: 1, drops: { sink: 1 } });
  });
});

describe('sink', () => {
  test('counts and drops everything, sends nothing', () => {
    const { wire, env, run } = setup({ mode: 'sink' });
    for (let i = 0; i < 5; i++) wire.receive(frame(OTHER, { n: i * 10 }));
    run(1e9);
    expect(env.got).toHaveLength(0);
    expect(wire.nextDeadline()).toBe(Infinity);
    expect(wire.counters()).toEqual({ framesIn: 5, framesOut: 0, bytesIn: 5 * 14 + 100, bytesOut: 0, dropped: 5, drops: { sink: 5 } });
    expect(env.events.filter((e) => e.kind === 'drop').map((e) => e.reason)).toEqual(['sink', 'sink', 'sink', 'sink', 'sink']);
  });
});

describe('capture tap', () => {
  test('every frame crossing the wire, both ways, stamped with the owner clock', () => {
    const parts: Uint8Array[] = [];
    const { wire, env } = setup({ mode: 'echo', delay: 2000, pcap: new PcapWriter((b) => parts.push(b.slice())) });
    env.now = 5000;
    const sent = frame(OTHER);
    wire.receive(sent);
    env.now = 7000;
    wire.tick(7000);
    const records = readPcap(Buffer.concat(parts)).records;
    expect(records.map((r) => [r.usec, r.data.length])).toEqual([[5, 60], [7, 60]]);
    expect([...records[0]!.data]).toEqual([...sent]);
    expect([...records[1]!.data]).toEqual([...env.got[0]!.frame]);
  });
});

describe('state', () => {
  test('restore goes back to a saved point; the run from there is the same', () => {
    const { wire, env, run } = setup({ mode: 'gen', every: 100, count: 50 });
    wire.receive(frame(OTHER));
    run(1050);
    const saved = wire.save();
    const at = env.got.length;
    run(3000);
    const after = env.got.slice(at).map((g) => [g.at, [...g.frame]]);
    const counters = wire.counters();
    wire.restore(saved);
    expect(wire.counters()).toMatchObject({ framesOut: 10, framesIn: 1 });
    env.now = 1050;
    env.got.length = at;
    run(3000);
    expect(env.got.slice(at).map((g) => [g.at, [...g.frame]])).toEqual(after);
    expect(wire.counters()).toEqual(counters);
  });
  test('a saved state is a copy: later traffic does not change it, restoring it twice works', () => {
    const { wire, env } = setup({ mode: 'echo', delay: 10 });
    wire.receive(frame(OTHER));
    const saved = wire.save();
    env.now = 10;
    wire.tick(10);
    wire.receive(frame(OTHER));
    expect(saved.counters.framesIn).toBe(1);
    expect(saved.pending).toHaveLength(1);
    wire.restore(saved);
    wire.tick(10);
    wire.restore(saved);
    expect(wire.nextDeadline()).toBe(10);
    expect(wire.counters().framesOut).toBe(0);
  });
  test('reset forgets counters, queued reflections and the generator schedule', () => {
    const { wire, run } = setup({ mode: 'gen', every: 10 });
    run(100);
    wire.receive(frame(OTHER));
    wire.reset();
    expect(wire.counters()).toEqual({ framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, dropped: 0, drops: {} });
    expect(wire.nextDeadline()).toBe(10);
  });
});

describe('options', () => {
  test.each([
    [{ mode: 'ping' }, "wire: unknown mode 'ping' (echo, gen or sink)"],
    [{ mode: 'echo', size: 100 }, "wire: 'size' is an option of gen, not of echo"],
    [{ mode: 'sink', every: 100 }, "wire: 'every' is an option of gen, not of sink"],
    [{ mode: 'gen', delay: 1 }, "wire: 'delay' is an option of echo, not of gen"],
    [{ mode: 'gen', size: 17 }, 'wire: size 17 out of range 18..1514'],
    [{ mode: 'gen', size: 1515 }, 'wire: size 1515 out of range 18..1514'],
    [{ mode: 'gen', size: 1519, vlan: 2 }, 'wire: size 1519 out of range 22..1518'],
    [{ mode: 'gen', vlan: 0 }, 'wire: vlan 0 out of range 1..4094'],
    [{ mode: 'gen', vlan: 4095 }, 'wire: vlan 4095 out of range 1..4094'],
    [{ mode: 'gen', every: 0 }, 'wire: every 0 out of range'],
    [{ mode: 'gen', count: -1 }, 'wire: count -1 out of range'],
    [{ mode: 'gen', every: 1.5 }, 'wire: every 1.5 out of range'],
    [{ mode: 'gen', dst: 'broadcast' }, "invalid MAC address 'broadcast'"],
    [{ mode: 'echo', mac: '02:00:00:00:00' }, "invalid MAC address '02:00:00:00:00'"],
  ])('%j is refused: %s', (config, message) => {
    expect(() => new Wire({ ...(config as WireOptions), clock: () => 0 })).toThrow(message);
  });
  test('the text form: MODE,key=value,...', () => {
    expect(parseWireSpec('echo')).toEqual({ mode: 'echo' });
    expect(parseWireSpec('gen,size=128,every=0x100,count=10,dst=02:00:00:00:00:01,vlan=5')).toEqual(
      { mode: 'gen', size: 128, every: 256, count: 10, dst: '02:00:00:00:00:01', vlan: 5 });
    expect(wireSettings(parseWireSpec('gen,count=0')).count).toBe(0);
  });
  test.each([
    ['', "wire: unknown mode ''"],
    ['gen,speed=1', "wire: unknown option 'speed' in 'gen,speed=1' (mac, delay, dst, size, every, start, count, vlan)"],
    ['gen,size', "wire: option 'size' needs a value (size=...)"],
    ['gen,size=1e3', 'wire: size=1e3: not a number'],
    ['gen,size=-5', 'wire: size=-5: not a number'],
    ['gen,size=100,size=200', "wire: option 'size' given twice"],
    ['echo,count=3', "wire: 'count' is an option of gen, not of echo"],
  ])('the text %j is refused: %s', (spec, message) => {
    expect(() => parseWireSpec(spec)).toThrow(message);
  });
});
