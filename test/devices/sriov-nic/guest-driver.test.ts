// guests/lib/igbvf.inc, the VF driver, run natively by the interpreter through
// net.inc, on a machine whose PCI bus holds the SR-IOV NIC (PF at device 8)
// and the wire's echo or sink on its uplink. The test plays the monitor and
// the PF driver: it enables one VF, gives VF 0 its MAC, turns its bus
// mastering on, answers the mailbox (fakePfDriver: VF_RESET -> ACK with the
// MAC, VFRE/VFTE on), and shows the VF to the guest as the monitor will, at
// 00:04.0 with IDs 8086:10CA and a BAR0 that is the VF's own BAR0 (a stub
// function forwarding to it: natively a VF's configuration space reads 0xFFFF).

import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../../src/asm/index.js';
import { pciBoardDevice, type PciSlot } from '../../../src/devices/pci/bus.js';
import { COMMAND, ConfigSpace, PCI } from '../../../src/devices/pci/config-space.js';
import type { PciFunction } from '../../../src/devices/pci/function.js';
import { SRIOV, SRIOV_CONTROL } from '../../../src/devices/pci/sriov.js';
import { MSG, NIC_CLASS, VF_BAR_SIZE, VF_DEVICE_ID, VF_REG } from '../../../src/devices/sriov-nic/registers.js';
import { SriovNic } from '../../../src/devices/sriov-nic/pf.js';
import { Interpreter } from '../../../src/engine/index.js';
import { standardBoard } from '../../../src/machine/board.js';
import { loadImage } from '../../../src/machine/loader.js';
import { Machine } from '../../../src/machine/index.js';
import type { BusDevice } from '../../../src/machine/device.js';
import { Wire } from '../../../src/net/wire.js';
import type { WireMode } from '../../../src/net/wire-options.js';
import { cfgWrite } from '../pci/helpers.js';
import { fakePfDriver, PF_DEVICE, vfMac, vfMacBytes } from './helpers.js';

const NET = new URL('../../../guests/net/', import.meta.url).pathname;
/** Where the monitor puts the VF in a VM's configuration space. */
const GUEST_DEVICE = 4;
const VF = 0;

function image(name: 'pingpong' | 'stream', defines: Record<string, number>) {
  const r = assembleFile(`${NET}${name}.s`, { defines });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.image!;
}

/** 00:04.0 as the guest sees it: 8086:10CA, class 020000, BAR0 of 16 KiB decoding to the real VF's BAR0. */
function guestView(nic: () => SriovNic): PciFunction {
  const config = new ConfigSpace({ vendorId: 0x8086, deviceId: VF_DEVICE_ID, classCode: NIC_CLASS, bars: [VF_BAR_SIZE] });
  const bar0: BusDevice = {
    read: (offset, size) => nic().vf(VF)?.bar(0)?.read(offset, size) ?? 0xffffffff,
    write: (offset, size, value) => nic().vf(VF)?.bar(0)?.write(offset, size, value),
  };
  return { name: 'vf-view', config, bar: (n) => (n === 0 ? bar0 : undefined), reset() {}, save: () => null, restore() {} };
}

interface Options {
  wire?: WireMode;
  /** The PF driver: 'ack' (fakePfDriver), 'nack' (VF_RESET refused), 'silent' (never answers). */
  pf?: 'ack' | 'nack' | 'silent';
  /** Put the VF at 00:04.0 (default true). */
  view?: boolean;
}

function run(name: 'pingpong' | 'stream', defines: Record<string, number>, o: Options = {}) {
  let nic!: SriovNic;
  const slots: PciSlot[] = [{ device: PF_DEVICE, make: (ctx) => (nic = new SriovNic(ctx)) }];
  const m = new Machine({
    memorySize: 2 << 20,
    devices: [...standardBoard(), pciBoardDevice(o.view === false ? slots : [{ device: GUEST_DEVICE, make: () => guestView(() => nic) }, ...slots])],
  });
  const wire = new Wire({ mode: o.wire ?? 'echo', clock: () => m.clock() });
  nic.connect(wire);
  wire.connect(nic);
  const img = image(name, defines);
  loadImage(m, img); // (a machine reset: VF Enable goes off, so the PF driver's work comes after it)
  // The PF driver: one VF, its MAC, the mailbox served.
  cfgWrite(m, PF_DEVICE, 0, nic.sriov.offset + SRIOV.NUM_VFS, 1);
  cfgWrite(m, PF_DEVICE, 0, nic.sriov.offset + SRIOV.CONTROL, SRIOV_CONTROL.VF_ENABLE | SRIOV_CONTROL.VF_MSE);
  nic.setVfMac(VF, vfMac(VF));
  const rid = nic.vfRoutingId(VF)!;
  cfgWrite(m, rid >>> 3, rid & 7, PCI.COMMAND, COMMAND.BUS_MASTER); // the monitor's part of the guest's pci_enable
  const pf = o.pf ?? 'ack';
  const { log } = pf === 'ack' ? fakePfDriver(nic) : { log: [] as { vf: number; type: number }[] };
  if (pf === 'nack') nic.mailbox.onMessage = (vf, words) => { nic.mailbox.reply(vf, [((words[0]! & MSG.TYPE_MASK) | MSG.NACK | MSG.CTS) >>> 0]); };
  const stop = new Interpreter(m).run(20_000_000).stop;
  const macAt = img.symbols.find((s) => s.name === 'net_mac')!.value;
  return { m, nic, wire, log, stop, text: m.console!.text(), mac: Array.from(m.mem.u8.subarray(macAt, macAt + 6)) };
}

describe('igbvf.inc through net.inc, natively', () => {
  test('pingpong.s: found at 00:04.0, MAC from the PF\'s VF_RESET reply, 20 round trips through the VF and the echo', () => {
    const r = run('pingpong', { COUNT: 20 });
    expect(r.stop).toMatchObject({ kind: 'halted', code: 0 });
    expect(r.text).toMatch(/^ping: 20 round trips, mean \d+ ticks each\n$/);
    expect(r.mac).toEqual(vfMacBytes(VF));
    expect(r.log).toEqual([{ vf: VF, type: MSG.VF_RESET }]);
    const c = r.nic.vfCounters(VF);
    expect([c.txFrames, c.rxFrames, c.spoofMac, c.dmaFaults, c.deviceErrors]).toEqual([20, 20, 0, 0, 0]);
    expect(c.resets).toBe(1); // the driver's CTRL.RST, before VF_RESET
    expect(r.wire.counters()).toMatchObject({ framesIn: 20, framesOut: 20 });
    // The VF's own statistics say the same, read from its BAR0.
    const bar0 = r.nic.vf(VF)!.bar(0)!;
    expect([bar0.read(VF_REG.GPTC, 4), bar0.read(VF_REG.GPRC, 4)]).toEqual([20, 20]);
  });

  test('stream.s: 40 frames of 1514 bytes in batches of 16, counted by the VF and by the wire\'s sink', () => {
    const r = run('stream', { COUNT: 40, BATCH: 16, SIZE: 1514 }, { wire: 'sink' });
    expect(r.stop).toMatchObject({ kind: 'halted', code: 0 });
    expect(r.text).toMatch(/^stream: sent 40 frames/);
    const c = r.nic.vfCounters(VF);
    expect([c.txFrames, c.txBytes, c.txDropped]).toEqual([40, 40 * 1514, 0]);
    expect(r.nic.vf(VF)!.bar(0)!.read(VF_REG.GOTC, 4)).toBe(40 * 1514);
    expect(r.wire.counters()).toMatchObject({ framesIn: 40, bytesIn: 40 * 1514 });
  });

  test('a PF that never answers VF_RESET: igbvf_init gives up after its bounded poll, pingpong says there is no NIC', () => {
    const r = run('pingpong', { COUNT: 2, IGBVF_POLLS: 500 }, { pf: 'silent' });
    expect(r.stop).toMatchObject({ kind: 'halted', code: 2 });
    expect(r.text).toBe('no network card found\n');
    expect(r.nic.vfCounters(VF)).toMatchObject({ mailboxRequests: 1, txFrames: 0 });
  });

  test('a NACK to VF_RESET (no MAC for this VF) fails too; without a function 8086:10CA nothing is touched', () => {
    const nack = run('pingpong', { COUNT: 2 }, { pf: 'nack' });
    expect(nack.stop).toMatchObject({ kind: 'halted', code: 2 });
    expect(nack.nic.vfCounters(VF)).toMatchObject({ mailboxRequests: 1, mailboxReplies: 1, txFrames: 0 });
    const none = run('pingpong', { COUNT: 2 }, { view: false });
    expect(none.stop).toMatchObject({ kind: 'halted', code: 2 });
    expect(none.nic.vfCounters(VF)).toMatchObject({ regWrites: 0, mailboxRequests: 0 });
  });

  test('the paravirtualized builds assemble with the driver in them', () => {
    for (const name of ['pingpong', 'stream'] as const) {
      const img = image(name, { PV: 1 });
      expect(img.symbols.some((s) => s.name === 'igbvf_init')).toBe(true);
    }
  });
});
