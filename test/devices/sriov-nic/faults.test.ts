// What goes wrong in one VF stays in it: a DMA its context refuses (the bus's
// IOMMU hook for its requester ID, or bus mastering off) drops that
// descriptor and counts a fault; a malformed ring stops that VF only, with a
// device error it can see; random ring programming never throws and never
// writes outside the VF's DMA window.

import { describe, expect, test } from 'vitest';
import { COMMAND, PCI } from '../../../src/devices/pci/config-space.js';
import { STATUS_DERR, STATUS_LU, VF_CTRL_RST, VF_INT, VF_REG } from '../../../src/devices/sriov-nic/registers.js';
import type { Dma } from '../../../src/machine/dma.js';
import type { PhysicalMemory } from '../../../src/machine/memory.js';
import { frame, nicMachine, VF_AREA, VF_AREA_SIZE, vfMacBytes, type VfDriver } from './helpers.js';

const WIRE_HOST = [2, 0, 0, 0, 0x99, 1];

/** DMA to bus addresses [lo, hi) only, identity-mapped (an IOMMU domain of one range). */
function rangeDma(mem: PhysicalMemory, lo: number, hi: () => number): Dma {
  const ok = (a: number, l: number) => a >= lo && a + l <= hi();
  return {
    read: (a, l) => (ok(a, l) ? mem.u8.slice(a, a + l) : undefined),
    write: (a, b) => {
      if (!ok(a, b.length)) return false;
      mem.u8.set(b, a);
      return true;
    },
  };
}

function setup() {
  const env = nicMachine();
  env.enable(2);
  const d = [env.vf(0), env.vf(1)] as [VfDriver, VfDriver];
  for (const v of d) {
    v.setupTx();
    v.setupRx();
  }
  return { env, d };
}

describe('DMA refused', () => {
  test('through the IOMMU hook for VF 1\'s requester ID: its frames dropped, faults counted, DD still written; VF 0 runs on', () => {
    const { env, d } = setup();
    const area = VF_AREA + VF_AREA_SIZE;
    let end = area + 0x1000; // VF 1 may reach its rings only, not its buffers
    const rid1 = env.nic.vfRoutingId(1)!;
    env.bus.iommu = (rid) => (rid === rid1 ? rangeDma(env.machine.mem, area, () => end) : undefined);
    d[1]!.send(frame(vfMacBytes(0), vfMacBytes(1)));
    d[1]!.send(frame(vfMacBytes(0), vfMacBytes(1)));
    expect(d[0]!.received()).toEqual([]);
    expect(d[1]!.rd(VF_REG.TDH)).toBe(2);
    expect(d[1]!.u32(d[1]!.txRing + 12) & 1).toBe(1);
    expect(env.nic.vfCounters(1)).toMatchObject({ dmaFaults: 2, txDropped: 2, txFrames: 0, deviceErrors: 0 });
    expect(env.events).toContainEqual({ kind: 'dma-fault', vf: 1, addr: d[1]!.txBuf, write: false });
    expect(d[1]!.rd(VF_REG.STATUS)).toBe(STATUS_LU);
    // Receive: the buffer write is refused, the descriptor comes back with RXE, the frame is dropped.
    env.nic.receive(frame(vfMacBytes(1), WIRE_HOST));
    expect(d[1]!.rd(VF_REG.RDH)).toBe(1);
    expect(d[1]!.rxStatus(0) & 1).toBe(1);
    expect(env.machine.mem.u8[d[1]!.rxRing + 13]).toBe(0x80);
    expect(env.nic.vfCounters(1)).toMatchObject({ dmaFaults: 3, rxDropped: 1, rxFrames: 0 });
    expect(env.frames.at(-1)).toMatchObject({ kind: 'drop', reason: 'dma-fault' });
    // VF 0's DMA goes to the board's: it sends and receives.
    const f = frame(vfMacBytes(1), vfMacBytes(0));
    d[0]!.send(f);
    expect(env.nic.vfCounters(0)).toMatchObject({ txFrames: 1, dmaFaults: 0 });
    // The domain grows: VF 1 works again without a reset.
    end = area + VF_AREA_SIZE;
    const g = frame(vfMacBytes(0), vfMacBytes(1), 60, 4);
    d[1]!.send(g);
    expect(d[0]!.received()).toEqual([g]);
  });

  test('bus mastering off: every descriptor faults, bounded by the ring, no exception', () => {
    const { env, d } = setup();
    d[1]!.cfgWr(PCI.COMMAND, 0);
    for (let i = 0; i < 3; i++) d[1]!.send(frame(vfMacBytes(0), vfMacBytes(1)));
    expect(env.nic.vfCounters(1)).toMatchObject({ dmaFaults: 3, txDropped: 3, txFrames: 0 });
    expect(d[1]!.rd(VF_REG.TDH)).toBe(3);
    d[1]!.cfgWr(PCI.COMMAND, COMMAND.BUS_MASTER);
    d[1]!.send(frame(vfMacBytes(0), vfMacBytes(1)));
    expect(env.nic.vfCounters(1).txFrames).toBe(1);
  });
});

describe('malformed rings: a device error for that VF only', () => {
  const cases: [string, (v: VfDriver) => void, RegExp][] = [
    ['TDLEN not a multiple of 128', (v) => { v.wr(VF_REG.TDLEN, 100); v.send(frame(WIRE_HOST, vfMacBytes(1))); }, /TX: ring length 100/],
    ['a frame without EOP before the tail', (v) => {
      v.put32(v.txRing, v.txBuf);
      v.put32(v.txRing + 8, 60);
      v.wr(VF_REG.TDT, 1);
    }, /without EOP/],
    ['a frame over 1518 bytes', (v) => {
      for (let i = 0; i < 2; i++) {
        v.put32(v.txRing + 16 * i, v.txBuf);
        v.put32(v.txRing + 16 * i + 8, 1000 | (i === 1 ? 0x0100_0000 : 0));
      }
      v.wr(VF_REG.TDT, 2);
    }, /longer than 1518/],
    ['TDT beyond the ring', (v) => v.wr(VF_REG.TDT, 9), /tail 9 is beyond/],
    ['an RX ring of length 0', (v) => v.wr(VF_REG.RDLEN, 0), /RX: ring length 0/],
  ];
  for (const [what, program, why] of cases) {
    test(what, () => {
      const { env, d } = setup();
      const v = d[1]!;
      v.wr(VF_REG.EIMS, VF_INT.DERR);
      program(v);
      env.nic.receive(frame(vfMacBytes(1), WIRE_HOST)); // an RX ring error shows when a frame arrives
      expect(env.nic.vf(1)!.error).toMatch(why);
      expect(v.rd(VF_REG.STATUS)).toBe((STATUS_LU | STATUS_DERR) >>> 0);
      expect((v.rd(VF_REG.EICR) & VF_INT.DERR) >>> 0).toBe(VF_INT.DERR);
      expect(env.nic.vfCounters(1).deviceErrors).toBe(1);
      expect(env.events).toContainEqual({ kind: 'device-error', vf: 1, error: env.nic.vf(1)!.error });
      // Stopped: frames for it are dropped; VF 0 still sends and receives.
      env.nic.receive(frame(vfMacBytes(1), WIRE_HOST));
      expect(env.frames.at(-1)).toMatchObject({ kind: 'drop', reason: 'device-error' });
      const f = frame(vfMacBytes(0), WIRE_HOST);
      env.nic.receive(f);
      expect(d[0]!.received()).toEqual([f]);
      d[0]!.send(frame(WIRE_HOST, vfMacBytes(0)));
      expect(env.nic.vfCounters(0)).toMatchObject({ txFrames: 1, deviceErrors: 0 });
      // Its reset brings it back.
      v.wr(VF_REG.CTRL, VF_CTRL_RST);
      expect(v.rd(VF_REG.STATUS)).toBe(STATUS_LU);
    });
  }
});

test('300 seeded random ring programs for VF 1: no exception, nothing written outside its DMA window', () => {
  const { env, d } = setup();
  const mem = env.machine.mem.u8;
  const lo = VF_AREA + VF_AREA_SIZE;
  const hi = lo + VF_AREA_SIZE;
  const rid1 = env.nic.vfRoutingId(1)!;
  env.bus.iommu = (rid) => (rid === rid1 ? rangeDma(env.machine.mem, lo, () => hi) : undefined);
  env.nic.setVfQueuesEnabled(0, false, false); // VF 0's DMA is the board's: keep it out of this
  mem.fill(0xa5, 0, lo);
  mem.fill(0xa5, hi, 1 << 20);
  const before = mem.slice();
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const v = d[1]!;
  const regs = [VF_REG.TDBAL, VF_REG.TDLEN, VF_REG.TDH, VF_REG.TDT, VF_REG.RDBAL, VF_REG.RDLEN, VF_REG.RDH, VF_REG.RDT, VF_REG.TXDCTL, VF_REG.RXDCTL];
  const addr = () => [lo + rnd(VF_AREA_SIZE), rnd(0x100000), 0xfffffff0, lo + VF_AREA_SIZE - 8][rnd(4)]!;
  for (let i = 0; i < 300; i++) {
    for (let k = 0; k < 4; k++) v.put32(lo + rnd(VF_AREA_SIZE - 4), rnd(4) === 0 ? addr() : rnd(0x10000) | (rnd(2) << 24));
    const reg = regs[rnd(regs.length)]!;
    const value = reg === VF_REG.TDBAL || reg === VF_REG.RDBAL ? addr() : reg === VF_REG.TXDCTL || reg === VF_REG.RXDCTL ? 1 << 25 : rnd(4) === 0 ? 128 * rnd(5) : rnd(20);
    expect(() => {
      v.wr(reg, value);
      v.wr(VF_REG.TDT, rnd(16));
      env.nic.receive(frame(vfMacBytes(1), WIRE_HOST, rnd(200)));
      if (rnd(10) === 0) v.wr(VF_REG.CTRL, VF_CTRL_RST);
      if (rnd(10) === 0) env.nic.setVfQueuesEnabled(1, true, true);
    }).not.toThrow();
  }
  const c = env.nic.vfCounters(1);
  expect(c.dmaFaults + c.deviceErrors).toBeGreaterThan(0);
  expect(Buffer.compare(mem.subarray(0, lo), before.subarray(0, lo))).toBe(0);
  expect(Buffer.compare(mem.subarray(hi), before.subarray(hi))).toBe(0);
});
