// The backbone of the network: the same guest, with either NIC, does the same
// round trips natively and under every monitor, and each mode pays for them
// in the currency the counters say: natively no exit at all; under a monitor
// one exit per register access of the emulated e1000 (at least one per
// packet), while the virtio NIC's batched kicks bring it under one per packet.

import { describe, expect, test } from 'vitest';
import { netReport } from '../../src/network/report.js';
import type { Vm } from '../../src/vmm/index.js';
import { MODES, NICS, runNet } from './helpers.js';

function report(vm: Vm) {
  const [{ vm: name, nic }] = vm.net!.nics();
  return netReport(nic, vm.monitor?.counters, vm.net!.switch()?.portCounters(name));
}

/** The console with the round-trip time masked: bt's clock runs a little fast by design (docs/virtualization.md). */
function roundTrips(text: string): string {
  return text.replace(/mean \d+ ticks/, 'mean N ticks');
}

describe('pingpong.s against the wire\'s echo', () => {
  for (const kind of NICS) {
    const native = runNet('pingpong', 'native', kind, { COUNT: 12 });
    test(`${kind}: natively, 12 round trips and no exits`, () => {
      expect(native.consoleText()).toMatch(/^ping: 12 round trips, mean \d+ ticks each\n$/);
      const r = report(native);
      expect([r.txFrames, r.rxFrames, r.deviceExits]).toEqual([12, 12, 0]);
      expect(native.net!.wire().counters().framesIn).toBe(12);
    });
    for (const mode of MODES.filter((m) => m !== 'native')) {
      test(`${kind} under ${mode}: the same round trips as natively`, () => {
        const vm = runNet('pingpong', mode, kind, { COUNT: 12 });
        expect(roundTrips(vm.consoleText())).toBe(roundTrips(native.consoleText()));
        // The echo lands where it lands natively: the round-trip time is the guest's own, except under bt.
        if (mode === 'trap' || mode === 'hw') expect(vm.consoleText()).toBe(native.consoleText());
        const r = report(vm);
        expect([r.txFrames, r.rxFrames]).toEqual([12, 12]);
        expect(r.port).toMatchObject({ rxFrames: 12, txFrames: 12 }); // the monitor's switch copied each frame
        expect(r.deviceExits).toBeGreaterThan(0);
        if (kind === 'emulated') expect(r.perPacket!.deviceExits).toBeGreaterThanOrEqual(1);
      });
    }
  }
});

describe('stream.s into the wire\'s sink: batching', () => {
  for (const mode of MODES.filter((m) => m !== 'native')) {
    test(`under ${mode}, the virtio NIC costs less than one exit per packet, the e1000 at least one`, () => {
      const virtio = report(runNet('stream', mode, 'virtio', { COUNT: 64, BATCH: 16, SIZE: 128 }));
      const e1000 = report(runNet('stream', mode, 'emulated', { COUNT: 64, BATCH: 16, SIZE: 128 }));
      expect(virtio.txFrames).toBe(64);
      expect(e1000.txFrames).toBe(64);
      expect(virtio.perPacket!.deviceExits).toBeLessThan(1);
      expect(virtio.counters.notifications).toBe(4); // one kick per batch of 16
      expect(e1000.perPacket!.deviceExits).toBeGreaterThanOrEqual(1);
      expect(virtio.deviceExits).toBeLessThan(e1000.deviceExits);
    });
  }
});
