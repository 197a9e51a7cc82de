// The PCI bus on a real machine, driven as a guest drives it: configuration
// cycles through ports 0xCF8/0xCFC, BAR accesses through MMIO in the window.

import { describe, expect, test } from 'vitest';
import { COMMAND, PCI } from '../../../src/devices/pci/config-space.js';
import { cfgAddr, cfgRead, cfgWrite, pciMachine } from './helpers.js';

describe('enumeration', () => {
  test('present functions show their IDs; absent ones, other buses and a disabled address read all ones', () => {
    const { machine: m } = pciMachine([{ device: 3, name: 'a' }, { device: 3, function: 2, name: 'b', options: { deviceId: 0x9abc } }]);
    expect(cfgRead(m, 3, 0, 0)).toBe(0x5678_1234);
    expect(cfgRead(m, 3, 2, 0)).toBe(0x9abc_1234);
    expect(cfgRead(m, 3, 0, PCI.REVISION)).toBe(0x0200_0002); // class 0x020000, revision 2
    expect(cfgRead(m, 3, 1, 0)).toBe(0xffffffff);
    expect(cfgRead(m, 4, 0, 0)).toBe(0xffffffff);
    m.portWrite(0xcf8, cfgAddr(3, 0, 0, 1));
    expect(m.portRead(0xcfc) >>> 0).toBe(0xffffffff);
    m.portWrite(0xcf8, cfgAddr(3, 0, 0) & 0x7fffffff);
    expect(m.portRead(0xcfc) >>> 0).toBe(0xffffffff);
    expect(m.portRead(0xcf8) >>> 0).toBe(cfgAddr(3, 0, 0) & 0x7fffffff); // CONFIG_ADDRESS reads back
    // Function 0 says the device has more functions (header type bit 7); a single-function device does not.
    expect((cfgRead(m, 3, 0, 0x0c) >>> 16) & 0xff).toBe(0x80);
    const single = pciMachine([{ device: 0, name: 'x' }]).machine;
    expect((cfgRead(single, 0, 0, 0x0c) >>> 16) & 0xff).toBe(0);
  });

  test('writes to read-only fields change nothing; writes to an absent function are ignored', () => {
    const { machine: m } = pciMachine([{ device: 1, name: 'a' }]);
    cfgWrite(m, 1, 0, 0, 0);
    cfgWrite(m, 1, 0, 8, 0);
    expect(cfgRead(m, 1, 0, 0)).toBe(0x5678_1234);
    expect(cfgRead(m, 1, 0, 8)).toBe(0x0200_0002);
    cfgWrite(m, 2, 0, 0x10, 0x12345678);
    expect(cfgRead(m, 2, 0, 0x10)).toBe(0xffffffff);
    // Only memory space, bus master and INTx disable are writable in the command register.
    cfgWrite(m, 1, 0, PCI.COMMAND, 0xffff);
    expect(cfgRead(m, 1, 0, PCI.COMMAND) & 0xffff).toBe(COMMAND.MEMORY | COMMAND.BUS_MASTER | COMMAND.INTX_DISABLE);
  });
});

describe('firmware and BARs', () => {
  test('firmware sizes and places BARs aligned in device/function/BAR order, enables decoding, gives lines 2, 3, ...', () => {
    const { machine: m } = pciMachine([
      { device: 5, name: 'late', options: { bars: [0x100] } },
      { device: 1, name: 'first', options: { bars: [0x20000, 0x10] } },
      { device: 1, function: 1, name: 'second', options: { bars: [0x1000] } },
    ]);
    expect(cfgRead(m, 1, 0, 0x10)).toBe(0xe000_0000);
    expect(cfgRead(m, 1, 0, 0x14)).toBe(0xe002_0000);
    expect(cfgRead(m, 1, 1, 0x10)).toBe(0xe002_1000); // 4 KiB-aligned after the 16-byte BAR
    expect(cfgRead(m, 5, 0, 0x10)).toBe(0xe002_2000);
    expect(cfgRead(m, 1, 0, 0x18)).toBe(0); // no BAR2
    for (const [d, f] of [[1, 0], [1, 1], [5, 0]] as const) expect(cfgRead(m, d, f, PCI.COMMAND) & 0xffff).toBe(COMMAND.MEMORY | COMMAND.BUS_MASTER);
    expect(cfgRead(m, 1, 0, 0x3c) & 0xffff).toBe(0x0102); // pin INTA, line 2
    expect(cfgRead(m, 1, 1, 0x3c) & 0xffff).toBe(0x0102); // same device, same line
    expect(cfgRead(m, 5, 0, 0x3c) & 0xffff).toBe(0x0103);
  });

  test('BAR sizing reads back ~(size - 1); a re-programmed BAR decodes at its new address only', () => {
    const { machine: m, probe } = pciMachine([{ device: 2, name: 'a', options: { bars: [0x20000] } }]);
    const base = cfgRead(m, 2, 0, 0x10);
    cfgWrite(m, 2, 0, 0x10, 0xffffffff);
    expect(cfgRead(m, 2, 0, 0x10)).toBe(0xfffe_0000);
    cfgWrite(m, 2, 0, 0x10, base);
    m.mmioWrite(base + 8, 4, 0xcafe);
    expect(probe('a').regs[2]).toBe(0xcafe);
    cfgWrite(m, 2, 0, 0x10, 0xe800_0123); // low bits are read-only 0; the address is size-aligned
    expect(cfgRead(m, 2, 0, 0x10)).toBe(0xe800_0000);
    expect(m.mmioRead(base + 8, 4)).toBe(0xffffffff); // nothing decodes the old address
    expect(m.mmioRead(0xe800_0008, 4)).toBe(0xcafe);
    expect(m.mmioRead(0xe800_0008, 2)).toBe(0xcafe);
    // Memory space off: the BAR decodes nothing.
    cfgWrite(m, 2, 0, PCI.COMMAND, COMMAND.BUS_MASTER);
    expect(m.mmioRead(0xe800_0008, 4)).toBe(0xffffffff);
    m.mmioWrite(0xe800_0008, 4, 1);
    expect(probe('a').regs[2]).toBe(0xcafe);
  });

  test('overlapping BARs: the first function in device order answers, whichever answered last', () => {
    const { machine: m, probe } = pciMachine([{ device: 1, name: 'a' }, { device: 2, name: 'b' }]);
    probe('a').regs[0] = 0xaaaa;
    probe('b').regs[0] = 0xbbbb;
    const b = cfgRead(m, 2, 0, 0x10);
    expect(m.mmioRead(b, 4)).toBe(0xbbbb);
    cfgWrite(m, 1, 0, 0x10, b); // a moves onto b
    expect(m.mmioRead(b, 4)).toBe(0xaaaa);
    cfgWrite(m, 1, 0, 0x10, 0xe800_0000); // and away again
    expect(m.mmioRead(b, 4)).toBe(0xbbbb);
    expect(m.mmioRead(0xe800_0000, 4)).toBe(0xaaaa);
  });

  test('a machine reset runs the firmware again: a moved BAR goes back to its place', () => {
    const { machine: m } = pciMachine([{ device: 2, name: 'a' }]);
    cfgWrite(m, 2, 0, 0x10, 0xe900_0000);
    cfgWrite(m, 2, 0, 0x3c, 9);
    m.reset(0);
    expect(cfgRead(m, 2, 0, 0x10)).toBe(0xe000_0000);
    expect(cfgRead(m, 2, 0, 0x3c) & 0xff).toBe(2);
  });
});

describe('capabilities', () => {
  test('the list from 0x34 walks MSI-X then the vendor capability; the extended list starts at 0x100', () => {
    const { machine: m } = pciMachine([{ device: 0, name: 'a', options: { msix: true, vendorCap: true, extCap: true } }]);
    expect((cfgRead(m, 0, 0, PCI.COMMAND) >>> 16) & 0x10).toBe(0x10); // status: capability list
    const seen: number[] = [];
    let p = cfgRead(m, 0, 0, 0x34) & 0xfc;
    while (p !== 0 && seen.length < 10) {
      const head = cfgRead(m, 0, 0, p);
      seen.push(head & 0xff);
      if ((head & 0xff) === 0x11) {
        expect((head >>> 16) & 0x7ff).toBe(3); // 4 vectors
        expect(cfgRead(m, 0, 0, p + 4)).toBe(0x800); // table at BAR0 + 0x800
        expect(cfgRead(m, 0, 0, p + 8)).toBe(0xc00);
      } else expect((head >>> 16) & 0xff).toBe(16); // vendor cap_len
      p = (head >>> 8) & 0xfc;
    }
    expect(seen).toEqual([0x11, 0x09]);
    expect(cfgRead(m, 0, 0, 0x100)).toBe(0x0001_0010); // SR-IOV ID, version 1, no next
    const plain = pciMachine([{ device: 0, name: 'b' }]).machine;
    expect(cfgRead(plain, 0, 0, 0x34) & 0xff).toBe(0);
    expect(cfgRead(plain, 0, 0, 0x100)).toBe(0);
  });
});
