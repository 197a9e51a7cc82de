// The guest's e1000 driver (guests/lib/pci.inc + e1000.inc), assembled and run
// natively on a machine with the PCI bus and the NIC: it finds the NIC by
// enumeration and moves frames through the rings.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assemble, assembleFile } from '../../../src/asm/index.js';
import { E1000 } from '../../../src/devices/e1000/e1000.js';
import { pciBoardDevice, type PciSlot } from '../../../src/devices/pci/bus.js';
import { Interpreter } from '../../../src/engine/interp/index.js';
import { standardBoard } from '../../../src/machine/board.js';
import { loadImage, Machine } from '../../../src/machine/index.js';
import { ProbeFunction } from '../pci/helpers.js';

const LIB = new URL('../../../guests/lib/', import.meta.url).pathname;
const PROGRAM = join(new URL('./fixtures/', import.meta.url).pathname, 'loopback.s');

function build(defines: Record<string, number> = {}) {
  const r = assembleFile(PROGRAM, { includeDirs: [LIB], defines });
  if (!r.image) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.image;
}

/** Run the loopback program on a machine whose NIC (if any) sits at `device` behind other functions. */
function run(opts: { nic?: boolean; device?: number; count?: number; peer?: 'loop' | 'sink' } = {}) {
  let nic: E1000 | undefined;
  const slots: PciSlot[] = [
    { device: 0, make: (ctx) => new ProbeFunction('other', ctx) },
    { device: 1, function: 3, make: (ctx) => new ProbeFunction('other-fn', ctx) },
  ];
  if (opts.nic !== false) slots.push({ device: opts.device ?? 5, make: (ctx) => (nic = new E1000(ctx, { mac: '02:00:00:00:00:2a' })) });
  const m = new Machine({ memorySize: 1 << 21, devices: [...standardBoard(), pciBoardDevice(slots)] });
  const sunk: Uint8Array[] = [];
  nic?.connect({ receive: (f) => (opts.peer === 'sink' ? sunk.push(f.slice()) : nic!.receive(f)) });
  loadImage(m, build(opts.count ? { COUNT: opts.count } : {}));
  const r = new Interpreter(m).run(5_000_000);
  return { stop: r.stop, nic, m, sunk };
}

describe('guests/lib e1000 driver', () => {
  test('finds the NIC past other devices (device 1 has only function 3: function 0 absent), reads its MAC, loops 20 frames through 8-slot rings', () => {
    const { stop, nic } = run();
    expect(stop).toMatchObject({ kind: 'halted', code: 0 });
    expect(nic!.counters.txFrames).toBe(20);
    expect(nic!.counters.rxFrames).toBe(20);
    expect(nic!.counters.rxDropped).toBe(0);
    expect(nic!.counters.deviceErrors).toBe(0);
    // One TDT write per frame sent, one RDT write per frame received, plus the setup.
    expect(nic!.counters.regWrites).toBeLessThan(20 * 2 + 25);
  });

  test('the NIC as function 0 of device 31, the last the enumeration looks at', () => {
    expect(run({ device: 31, count: 3 }).stop).toMatchObject({ kind: 'halted', code: 0 });
  });

  test('no NIC on the bus: e1000_init says -1', () => {
    expect(run({ nic: false }).stop).toMatchObject({ kind: 'halted', code: 1 });
  });

  test('no PCI bus at all (configuration ports unanswered): e1000_init says -1', () => {
    const m = new Machine({ memorySize: 1 << 21 });
    loadImage(m, build());
    expect(new Interpreter(m).run(5_000_000).stop).toMatchObject({ kind: 'halted', code: 1 });
  });

  test('frames to a sink: sent with the MAC the driver read, none come back (exit 4)', () => {
    const { stop, sunk } = run({ peer: 'sink' });
    expect(stop).toMatchObject({ kind: 'halted', code: 4 });
    expect(sunk.length).toBe(1);
    expect(Array.from(sunk[0]!.subarray(0, 14))).toEqual([2, 0, 0, 0, 0, 0x2a, 2, 0, 0, 0, 0, 0x2a, 0x88, 0xb5]);
    expect(sunk[0]!.length).toBe(100);
  });
});

test('with -D PV configuration cycles are the pci_config_read/write hypercalls (18, 19) and no port is touched', () => {
  const source = '        .include "hypercalls.inc"\n        .text\n_start: call pci_find\n        hcall HC_HALT\n        .include "pci.inc"\n';
  const r = assemble(source, { file: join(LIB, 'pv-probe.s'), includeDirs: [LIB, join(LIB, '../pv')], defines: { PV: 1 } });
  expect(r.diagnostics).toEqual([]);
  const text = r.image!.sections.find((s) => s.name === '.text')!;
  const words = Array.from({ length: text.data.length / 4 }, (_, i) => new DataView(text.data.buffer, text.data.byteOffset).getUint32(4 * i, true));
  expect(words).toContain(0x5200_0012);
  expect(words).toContain(0x5200_0013);
  expect(words.filter((w) => w >>> 24 === 0x65 || w >>> 24 === 0x66)).toEqual([]); // no in/out
});
