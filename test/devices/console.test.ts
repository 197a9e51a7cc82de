// The console through ports and MMIO: output capture or sink, input, status,
// the receive interrupt.

import { describe, expect, test } from 'vitest';
import { CAUSE } from '../../src/isa/index.js';
import { boot, crs, HALTING_HANDLER, li, setTvec, type Row } from '../machine/helpers.js';

const DATA = { offset: 0x10, base: 'zero' };
const STATUS_PORT = { offset: 0x11, base: 'zero' };
const CONTROL = { offset: 0x12, base: 'zero' };

function putc(ch: string): Row[] {
  return [['addi', 't0', 'zero', ch.charCodeAt(0)], ['out', 't0', DATA]];
}

describe('output', () => {
  test('port writes send the low byte and are captured', () => {
    const { m, eng } = boot([...putc('h'), ...putc('i'), ...li('t0', 0x1234_5621), ['out', 't0', DATA], ['halt', 'zero']]);
    eng.run(100);
    expect(m.console!.text()).toBe('hi!');
  });
  test('MMIO writes at 0xF0000000 reach the same console', () => {
    const { m, eng } = boot([...li('a0', 0xf000_0000), ['addi', 't0', 'zero', 0x4f], ['sw', 't0', { offset: 0, base: 'a0' }], ['sb', 't0', { offset: 0, base: 'a0' }], ['halt', 'zero']]);
    eng.run(100);
    expect(m.console!.text()).toBe('OO');
  });
  test('with a sink, output is delivered in chunks at newlines and at the end of a run', () => {
    const chunks: string[] = [];
    const sink = (b: Uint8Array) => chunks.push(new TextDecoder().decode(b));
    const { m, eng } = boot([...putc('a'), ...putc('\n'), ...putc('b'), ['halt', 'zero']], { console: { sink } });
    eng.run(100);
    expect(chunks).toEqual(['a\n', 'b']);
    expect(m.console!.text()).toBe(''); // nothing captured when a sink is given
  });
});

describe('input', () => {
  test('reads bytes in order, then 0xffffffff; status bit 0 says whether input is available', () => {
    const { m, eng } = boot([
      ['in', 's0', STATUS_PORT], ['in', 'a0', DATA], ['in', 'a1', DATA], ['in', 's1', STATUS_PORT], ['in', 'a2', DATA], ['halt', 'zero'],
    ], { console: { input: 'ok' } });
    eng.run(100);
    const r = m.cpu.regs;
    expect([r[12], r[4], r[5], r[13], r[6]]).toEqual([1, 0x6f, 0x6b, 0, -1]);
  });
  test('MMIO data and status registers', () => {
    const { m, eng } = boot([...li('a0', 0xf000_0000), ['lw', 's0', { offset: 4, base: 'a0' }], ['lbu', 's1', { offset: 0, base: 'a0' }], ['lw', 's2', { offset: 0, base: 'a0' }], ['halt', 'zero']], { console: { input: 'Z' } });
    eng.run(100);
    expect([m.cpu.regs[12], m.cpu.regs[13], m.cpu.regs[14]]).toEqual([1, 0x5a, -1]);
  });
  test('with the receive interrupt enabled, line 1 is raised while input is available', () => {
    const { m, eng } = boot([
      ...setTvec(), ['addi', 't0', 'zero', 1], ['out', 't0', CONTROL], ['sti'],
      'spin:', ['jal', 'zero', '@spin'],
      ...HALTING_HANDLER,
    ], { console: { input: 'x' } });
    expect(eng.run(100).stop.kind).toBe('halted');
    expect(crs(m).cause >>> 0).toBe((CAUSE.INTERRUPT | 1) >>> 0);
  });
  test('reading the last byte lowers the line; feed() raises it again', () => {
    const { m, eng } = boot([['addi', 't0', 'zero', 1], ['out', 't0', CONTROL], ['in', 'a0', DATA], ['halt', 'zero']], { console: { input: 'x' } });
    eng.run(2);
    expect(m.irqPending).toBe(2);
    eng.run(100);
    expect(m.irqPending).toBe(0);
    m.console!.feed('y');
    expect(m.irqPending).toBe(2);
  });
  test('without the control bit no line is raised', () => {
    const { m } = boot([], { console: { input: 'x' } });
    expect(m.irqPending).toBe(0);
  });
});

describe('snapshots', () => {
  test('with a sink, save() after restore() to before flushed output equals the saved state', () => {
    const seen: number[] = [];
    const { m, eng } = boot([...putc('a'), ...putc('b'), ...putc('c'), ['halt', 'zero']], { console: { sink: (b) => seen.push(...b) } });
    eng.run(4); // 'a' and 'b' written
    const con = m.console!;
    const early = con.save();
    eng.run(100);
    con.flush(); // "abc" handed to the sink: the outside world saw it
    expect(String.fromCharCode(...seen)).toBe('abc');
    con.restore(early);
    expect(con.save()).toEqual(early);
    expect(String.fromCharCode(...seen)).toBe('abc'); // nothing can be unsent
  });
});
