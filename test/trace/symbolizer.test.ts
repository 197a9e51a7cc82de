import { describe, expect, test } from 'vitest';
import type { Image } from '../../src/elf/image.js';
import { Symbolizer } from '../../src/trace/index.js';

const flags = { read: true, write: false, exec: true };
const IMAGE: Image = {
  entry: 0x1000,
  sections: [
    { name: '.text', addr: 0x1000, data: new Uint8Array(0x40), size: 0x40, flags },
    { name: '.data', addr: 0x2000, data: new Uint8Array(0x10), size: 0x10, flags: { read: true, write: true, exec: false } },
    { name: '.bss', addr: 0x3000, data: new Uint8Array(0), size: 0x100, flags: { read: true, write: true, exec: false } },
  ],
  symbols: [
    { name: 'loop', value: 0x1010, section: '.text', global: false, kind: 'func' },
    { name: '_start', value: 0x1000, section: '.text', global: true, kind: 'func' },
    { name: 'alias', value: 0x1010, section: '.text', global: false, kind: 'func' },
    { name: 'CONSOLE', value: 0x1004, global: false, kind: 'abs' },
    { name: 'msg', value: 0x2004, section: '.data', global: false, kind: 'object' },
    { name: 'buf', value: 0x3000, section: '.bss', global: false, kind: 'object' },
  ],
  lines: [
    { addr: 0x1000, file: 'prog.s', line: 3 },
    { addr: 0x1004, file: 'prog.s', line: 4 },
    { addr: 0x1010, file: 'lib.inc', line: 9 },
  ],
};

describe('Symbolizer', () => {
  const sym = new Symbolizer(IMAGE);

  test('names an address by the nearest label at or below it, with a hex offset', () => {
    expect(sym.describe(0x1000)).toBe('_start');
    expect(sym.describe(0x100c)).toBe('_start+0xc');
    expect(sym.describe(0x103c)).toBe('loop+0x2c'); // the first label defined at 0x1010, not `alias`
    expect(sym.describe(0x3080)).toBe('buf+0x80');
  });

  test('.equ constants are not labels: 0x1004 is still _start+0x4', () => {
    expect(sym.describe(0x1004)).toBe('_start+0x4');
    expect(sym.symbolAt(0x1004)).toBeUndefined();
  });

  test('no name outside the sections, or before the first label of a section', () => {
    expect(sym.describe(0x1040)).toBeUndefined(); // one past .text
    expect(sym.describe(0x0ffc)).toBeUndefined();
    expect(sym.describe(0x2000)).toBeUndefined(); // .data starts before `msg`
    expect(sym.describe(0x2008)).toBe('msg+0x4');
    expect(sym.describe(0xfffffffc)).toBeUndefined();
  });

  test('exact labels, source lines, and lookup by name (constants included)', () => {
    expect(sym.symbolAt(0x1010)).toBe('loop');
    expect(sym.source(0x1004)).toEqual({ file: 'prog.s', line: 4 });
    expect(sym.source(0x1008)).toBeUndefined();
    expect(sym.lookup('msg')).toBe(0x2004);
    expect(sym.lookup('CONSOLE')).toBe(0x1004);
    expect(sym.lookup('nope')).toBeUndefined();
  });

  test('an image without symbols names nothing', () => {
    const none = Symbolizer.none();
    expect(none.describe(0x1000)).toBeUndefined();
    expect([...none.names()]).toEqual([]);
  });
});
