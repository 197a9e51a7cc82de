// Direct assignment: a VF's registers are mapped into the VM, its DMA goes
// through the IOMMU domain of that VM, the PF driver answers its mailbox.
// The data path costs no exit in any mode; a guest abusing its VF is stopped
// and counted at each step while the VMs beside it run as they run alone.

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import { Host, type HostVmConfig } from '../../src/host/index.js';
import { vfReport } from '../../src/network/report.js';
import type { Vm } from '../../src/vmm/index.js';
import { oneErrorLine, runCli } from '../cli/run.js';
import { GUESTS } from '../vmm/helpers.js';
import { netProgram, runNet } from './helpers.js';

function vfOf(vm: Vm) {
  const s = vm.net!.sriov!;
  return { counters: s.nic.vfCounters(0), report: vfReport('vf0', s.vms[0]!.mac, s.nic.vfCounters(0), vm.monitor?.counters) };
}

describe('pingpong.s and stream.s on a VF', () => {
  for (const mode of ['trap', 'bt', 'pv', 'hw'] as const) {
    test(`under ${mode}: the round trips of the other NICs, with no exit on the data path`, () => {
      const vm = runNet('pingpong', mode, 'vf', { COUNT: 10 });
      expect(vm.consoleText()).toMatch(/^ping: 10 round trips, mean \d+ ticks each\n$/);
      const { counters, report } = vfOf(vm);
      expect([counters.txFrames, counters.rxFrames]).toEqual([10, 10]);
      expect(report.deviceExits).toBe(0);
      expect(vm.monitor!.counters.mmioEmulated).toBe(0);
      // The driver's register accesses went straight to the device, as on bare metal.
      expect(vm.machine.counters.mmioWrites).toBeGreaterThan(20);
      expect(vm.net!.sriov!.iommu.counters.faults).toBe(0);
    });
  }

  test('stream.s: 64 frames through the IOMMU, 0 exits per packet under hw', () => {
    const vm = runNet('stream', 'hw', 'vf', { COUNT: 64, SIZE: 256 }, { peer: { mode: 'sink' } });
    const { counters, report } = vfOf(vm);
    expect(counters.txFrames).toBe(64);
    expect(report.perPacket!.deviceExits).toBe(0);
    expect(vm.net!.sriov!.iommu.counters.translations).toBeGreaterThan(64);
  });

  test('natively there is no monitor to assign a VF: one line, exit 2', async () => {
    const r = await runCli(['run', join(GUESTS, 'net', 'pingpong.s'), '--nic', 'vf']);
    expect(r.code).not.toBe(0);
    expect(oneErrorLine(r)).toContain('--nic vf needs --mode trap, bt, pv or hw');
  });
});

const attack = (() => {
  const r = assembleFile(join(GUESTS, 'hostile', 'vf-attack.s'), {});
  if (!r.image) throw new Error('vf-attack.s does not assemble');
  return r.image;
})();

function pair(): HostVmConfig[] {
  return [
    { name: 'ping', image: netProgram('pingpong', { COUNT: 8, PEER: 3, RETRY: 3000 }, 'bt'), mode: 'bt', guestMemory: 2 << 20, nic: { kind: 'vf', mac: '02:00:00:00:00:02', vlan: 7 } },
    { name: 'pong', image: netProgram('pingpong', { COUNT: 8, SERVER: 1 }, 'pv'), mode: 'pv', guestMemory: 2 << 20, nic: { kind: 'vf', mac: '02:00:00:00:00:03', vlan: 7 } },
  ];
}

function runHost(vms: HostVmConfig[]) {
  const host = new Host({ vms, slice: 1500, net: { peer: { mode: 'echo' } } });
  expect(host.run(20_000_000).end).toBe('stopped');
  return host;
}

describe('a VM abusing its VF', () => {
  const quiet = runHost(pair());
  const busy = runHost([{ name: 'evil', image: attack, mode: 'hw', guestMemory: 2 << 20, nic: { kind: 'vf', mac: '02:00:00:00:00:01' } }, ...pair()]);
  const sriov = busy.sriov!;
  const evil = sriov.vms.find((v) => v.name === 'evil')!;

  test('its spoofed frames are dropped and reported to the PF', () => {
    const c = sriov.nic.vfCounters(evil.vf);
    expect([c.spoofMac, c.spoofVlan]).toEqual([1, 1]);
    expect(sriov.pfDriver.spoofs[evil.vf]).toBe(2);
  });

  test('its DMA past its memory is refused by the IOMMU, recorded with its requester', () => {
    const rid = sriov.nic.vfRoutingId(evil.vf)!;
    expect(sriov.iommu.counters.faultsByRequester[rid]).toBe(1);
    expect(sriov.nic.vfCounters(evil.vf).dmaFaults).toBe(1);
    for (const v of sriov.vms.filter((x) => x.name !== 'evil')) expect(sriov.iommu.counters.faultsByRequester[sriov.nic.vfRoutingId(v.vf)!]).toBeUndefined();
  });

  test('its mailbox flood is refused, then rate-limited; the others are served', () => {
    const m = sriov.pfDriver.mailbox[evil.vf]!;
    expect(m.requests).toBe(201); // VF_RESET and 200 SET_MAC_ADDR
    expect(m.acks).toBe(1);
    expect(m.nacks + m.rateLimited).toBe(200);
    expect(m.rateLimited).toBeGreaterThan(0);
    expect(busy.vms.find((v) => v.name === 'evil')!.consoleText()).toBe('vf-attack: the PF refused 200 of 200 MAC changes\nvf-attack: done\n');
    expect(sriov.nic.vfMac(evil.vf)).toBe('02:00:00:00:00:01');
  });

  test('the VMs beside it print what they print without it', () => {
    const masked = (t: string) => t.replace(/mean \d+ ticks/, 'mean N ticks');
    for (const name of ['ping', 'pong']) {
      expect(masked(busy.vms.find((v) => v.name === name)!.consoleText())).toBe(masked(quiet.vms.find((v) => v.name === name)!.consoleText()));
    }
    expect(busy.vms.map((v) => v.stop?.kind)).toEqual(['halted', 'halted', 'halted']);
  });
});

describe('VFs and switch NICs on one host: the monitor\'s switch hangs off the PF\'s port', () => {
  test('a VF client pings an e1000 server and an e1000 client a VF server, through the NIC\'s switch and the monitor\'s', () => {
    const vms: HostVmConfig[] = [
      { name: 'vf-ping', image: netProgram('pingpong', { COUNT: 6, PEER: 2, RETRY: 3000 }, 'hw'), mode: 'hw', guestMemory: 2 << 20, nic: { kind: 'vf', mac: '02:00:00:00:00:01' } },
      { name: 'e1000-pong', image: netProgram('pingpong', { COUNT: 6, SERVER: 1 }, 'bt'), mode: 'bt', guestMemory: 2 << 20, nic: { kind: 'emulated', mac: '02:00:00:00:00:02' } },
      { name: 'virtio-ping', image: netProgram('pingpong', { COUNT: 6, PEER: 4, RETRY: 3000 }, 'pv'), mode: 'pv', guestMemory: 2 << 20, nic: { kind: 'virtio', mac: '02:00:00:00:00:03' } },
      { name: 'vf-pong', image: netProgram('pingpong', { COUNT: 6, SERVER: 1 }, 'hw'), mode: 'hw', guestMemory: 2 << 20, nic: { kind: 'vf', mac: '02:00:00:00:00:04' } },
    ];
    const host = new Host({ vms, slice: 1500, net: { peer: { mode: 'sink' } } });
    expect(host.run(20_000_000).end).toBe('stopped');
    for (const vm of host.vms) {
      expect(vm.stop?.kind).toBe('halted');
      expect(vm.consoleText()).toMatch(vm.name.endsWith('-ping') ? /^ping: 6 round trips/ : /^pong: answered 6 frames\n$/);
    }
    // The VF's frames to e1000-pong left the NIC by its PF port into the monitor's switch, and back.
    expect(host.net!.switch.portCounters('wire').rxFrames).toBeGreaterThanOrEqual(12);
    expect(host.sriov!.nic.vfCounters(0).rxFrames).toBe(6);
  });
});
