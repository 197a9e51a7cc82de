// ConfigSpace on its own: write masks, BAR sizing, capability lists, hooks, reset.

import { describe, expect, test } from 'vitest';
import { CAP, COMMAND, ConfigSpace, PCI } from '../../../src/devices/pci/config-space.js';

const ids = { vendorId: 0x1af4, deviceId: 0x1041, classCode: 0x020000, revision: 1, bars: [0x4000, 0, 0x10] };

describe('ConfigSpace', () => {
  test('byte, word and dword reads of the header; misaligned or out-of-range accesses read all ones and write nothing', () => {
    const c = new ConfigSpace(ids);
    expect(c.read(0, 4)).toBe(0x1041_1af4);
    expect(c.read(2, 2)).toBe(0x1041);
    expect(c.read(0x0b, 1)).toBe(0x02);
    expect(c.read(0x3d, 1)).toBe(1);
    expect(c.read(1, 2)).toBe(0xffff);
    expect(c.read(4094, 4)).toBe(0xffffffff);
    c.write(0x3d, 2, 0xffff); // misaligned: ignored
    expect(c.read(0x3c, 2)).toBe(0x0100);
    c.write(0x3c, 1, 0x0a);
    expect(c.interruptLine).toBe(10);
  });

  test('BARs: sizing, decoding only with memory space on, BARs that do not exist read 0', () => {
    const c = new ConfigSpace(ids);
    expect([c.barSize(0), c.barSize(1), c.barSize(2), c.barSize(5)]).toEqual([0x4000, 0, 0x10, 0]);
    c.write(0x10, 4, 0xffffffff);
    c.write(0x14, 4, 0xffffffff);
    c.write(0x18, 4, 0xffffffff);
    expect([c.read(0x10, 4), c.read(0x14, 4), c.read(0x18, 4)]).toEqual([0xffffc000, 0, 0xfffffff0]);
    c.write(0x10, 4, 0xe000_4000);
    expect(c.barAddress(0)).toBeUndefined();
    c.write(PCI.COMMAND, 2, COMMAND.MEMORY);
    expect(c.barAddress(0)).toBe(0xe000_4000);
    c.write(0x12, 2, 0xe001); // a word write to the BAR's upper half
    expect(c.barAddress(0)).toBe(0xe001_4000);
    expect(() => c.defineBar(1, 24)).toThrow(/power of two/);
    expect(() => c.defineBar(6, 16)).toThrow(/no BAR 6/);
  });

  test('capabilities link from 0x34 in order; the extended list from 0x100; running out of room is an error', () => {
    const c = new ConfigSpace(ids);
    expect(c.read(PCI.STATUS, 2) & 0x10).toBe(0);
    const a = c.addVendorCapability([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0]);
    const b = c.addMsixCapability(2, 0, 0x3800, 0, 0x3c00);
    expect(c.read(PCI.STATUS, 2) & 0x10).toBe(0x10);
    expect(c.read(0x34, 1)).toBe(a);
    expect(c.read(a + 1, 1)).toBe(b);
    expect(c.read(b + 1, 1)).toBe(0);
    expect(c.read(a + 2, 1)).toBe(16); // cap_len
    expect(c.findCapabilities(CAP.VENDOR)).toEqual([a]);
    expect(c.findCapability(CAP.MSIX)).toBe(b);
    // The MSI-X control word: only enable and function mask are writable.
    c.write(b + 2, 2, 0xffff);
    expect(c.read(b + 2, 2)).toBe(0xc001);
    const e1 = c.addExtendedCapability(0x10, 1, 0x40);
    const e2 = c.addExtendedCapability(0x0b, 2, 8);
    expect(e1).toBe(0x100);
    expect(c.read(0x100, 4)).toBe(((e2 << 20) | 0x10010) >>> 0);
    expect(c.findExtendedCapability(0x0b)).toBe(e2);
    expect(c.findExtendedCapability(0x99)).toBeUndefined();
    expect(() => { for (let i = 0; i < 100; i++) c.addCapability(0x05, 8); }).toThrow(/no room/);
  });

  test('writable fields of a capability, write hooks, and reset to power-on', () => {
    const c = new ConfigSpace(ids);
    const cap = c.addCapability(0x10, 8);
    c.setWritable(cap + 4, 2, 0x0fff);
    const seen: number[] = [];
    c.watch(cap + 4, 2, (off) => seen.push(off));
    c.write(cap + 4, 4, 0xffffffff);
    expect(c.read(cap + 4, 4)).toBe(0x0fff);
    c.write(cap, 4, 0); // the header is read-only and outside the watch
    expect(c.read(cap, 1)).toBe(0x10);
    expect(seen).toEqual([cap + 4]);
    c.write(PCI.COMMAND, 2, 0x0406);
    c.write(0x10, 4, 0xe000_0000);
    c.setInterruptStatus(true);
    expect(c.read(PCI.STATUS, 2)).toBe(0x18);
    c.reset();
    expect([c.read(cap + 4, 4), c.command, c.read(0x10, 4), c.read(PCI.STATUS, 2), c.read(0, 4)]).toEqual([0, 0, 0, 0x10, 0x1041_1af4]);
    const saved = c.save();
    c.write(0x10, 4, 0xe100_0000);
    c.restore(saved);
    expect(c.read(0x10, 4)).toBe(0);
    expect(() => c.restore({ bytes: [1, 2] })).toThrow(/malformed/);
  });
});
