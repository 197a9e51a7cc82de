// tinyos's network layer (-D NET; docs/virtualization.md, "tinyos on the
// network"): the kernel finds its NIC by PCI enumeration, takes its interrupts
// and queues received frames; the network process (pid 6) pings the wire's echo
// through the net_send / net_recv system calls. With either NIC the run prints
// the same lines natively and under bt, hw and pv (the PV build), and the NET
// build without a NIC prints exactly what the default build prints. On an
// SR-IOV VF (a monitor's only) the kernel programs the VF's MSI-X vector 0 to
// its line and prints, under bt, hw and pv, what it prints natively on the e1000.

import { beforeAll, describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import { decode } from '../../src/isa/index.js';
import type { NetOptions } from '../../src/network/options.js';
import { createVm, type ModeName, type Vm } from '../../src/vmm/index.js';

const TINYOS = new URL('../../guests/tinyos/tinyos.s', import.meta.url).pathname;
const BUDGET = 20_000_000;
type Kind = 'emulated' | 'virtio' | 'vf';

const images = new Map<string, Image>();
function tinyos(defines: Record<string, number>): Image {
  const key = JSON.stringify(defines);
  let image = images.get(key);
  if (!image) {
    const r = assembleFile(TINYOS, { defines });
    if (!r.image) throw new Error(`tinyos does not assemble: ${r.diagnostics.map((d) => d.message).join('; ')}`);
    image = r.image;
    images.set(key, image);
  }
  return image;
}

interface Run { vm: Vm; console: string; code: number | undefined }

function run(image: Image, mode: ModeName, net?: NetOptions, posted = true): Run {
  const vm = createVm({ image, mode, ...(net ? { net } : {}), ...(posted ? {} : { hw: { posted: false } }) });
  const { stop } = vm.run(BUDGET);
  return { vm, console: vm.consoleText(), code: stop.kind === 'halted' ? stop.code : undefined };
}

/** A word of the guest's memory at symbol `name` (guest-physical: the kernel is identity-mapped). */
function kernelWord(r: Run, name: string): number {
  const s = r.vm.image.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return r.vm.monitor ? r.vm.monitor.guest.read(s.value, 4) | 0 : r.vm.machine.mem.read32(s.value);
}

const netRun = (kind: Kind, mode: ModeName, peer: NetOptions['peer'] = { mode: 'echo' }) =>
  run(tinyos(mode === 'pv' ? { NET: 1, PV: 1 } : { NET: 1 }), mode, { nic: { kind }, peer });

const REPLY = /^N6: reply (\d+): 64 bytes from ([0-9a-f]{2}(?::[0-9a-f]{2}){5})$/;

describe('tinyos -D NET', () => {
  let plain: string;
  beforeAll(() => {
    plain = run(tinyos({}), 'native').console;
  });

  test('without a NIC it prints exactly what the default build prints, natively and paravirtualized', () => {
    const r = run(tinyos({ NET: 1 }), 'native');
    expect(r.code).toBe(0);
    expect(r.console).toBe(plain);
    const p = run(tinyos({ NET: 1, PV: 1 }), 'pv');
    expect(p.code).toBe(0);
    expect(p.console).toBe(plain);
  });

  describe.each(['emulated', 'virtio'] as const)('with the %s NIC', (kind) => {
    let native: Run;
    beforeAll(() => {
      native = netRun(kind, 'native');
    });

    test('natively: the NIC is announced, the network process prints one line per echoed ping, the other processes are unchanged', () => {
      expect(native.code).toBe(0);
      const lines = native.console.split('\n');
      const name = kind === 'emulated' ? 'e1000' : 'virtio';
      expect(lines[1]).toBe(`tinyos: network: ${name} NIC, irq 2, mac 02:00:00:00:00:01`);
      expect(lines[2]).toBe('tinyos: paging on, 6 processes created');
      const replies = lines.filter((l) => l.startsWith('N6: reply')).map((l) => REPLY.exec(l));
      expect(replies.map((m) => m && Number(m[1]))).toEqual([0, 1, 2]);
      expect(lines).toContain('N6: 3 of 3 pings answered');
      expect(lines).toContain('tinyos: pid 6 exited with code 0');
      // Without the network's lines (and the sixth process in the count) the rest is the default run's.
      const others = lines.filter((l) => !l.startsWith('N6: ') && !l.startsWith('tinyos: network: ') && l !== 'tinyos: pid 6 exited with code 0')
        .join('\n').replace('6 processes created', '5 processes created');
      expect(others).toBe(plain);
    });

    test('natively: frames came in through the NIC\'s interrupt, none dropped; 3 sent and 3 received on the wire', () => {
      expect(kernelWord(native, 'knet_interrupts')).toBeGreaterThanOrEqual(1);
      expect(kernelWord(native, 'knet_dropped')).toBe(0);
      expect(kernelWord(native, 'knet_tail')).toBe(3); // frames the handler queued
      expect(kernelWord(native, 'knet_head')).toBe(3); // all of them taken by net_recv
      expect(native.vm.machine.counters.interrupts).toBeGreaterThan(0);
    });

    test.each(['bt', 'hw', 'pv'] as const)('under %s it prints the same lines as natively', (mode) => {
      const r = netRun(kind, mode);
      expect(r.code).toBe(0);
      expect(r.console).toBe(native.console);
      expect(kernelWord(r, 'knet_interrupts')).toBeGreaterThanOrEqual(1);
      expect(r.vm.monitor!.counters.mmioEmulated).toBeGreaterThan(0); // the BAR's registers, emulated
    });
  });

  test('the PV build\'s network layer has no privileged or sensitive instruction (configuration space and kicks are hypercalls)', () => {
    const image = tinyos({ NET: 1, PV: 1 });
    const text = image.sections.find((x) => x.name === '.text')!;
    const start = image.symbols.find((x) => x.name === 'knet_boot')!.value;
    const view = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength);
    const klasses = new Map<string, number>();
    for (let a = start; a < text.addr + text.data.length; a += 4) {
      const d = decode(view.getUint32(a - text.addr, true));
      const k = d ? d.def.klass : 'undecodable';
      klasses.set(k, (klasses.get(k) ?? 0) + 1);
    }
    expect(klasses.get('hypercall')).toBeGreaterThan(0);
    expect([...klasses.keys()].filter((k) => k === 'privileged' || k === 'sensitive' || k === 'undecodable')).toEqual([]);
  });

  test('with a sink on the wire every ping goes unanswered, and the run still ends', () => {
    const r = netRun('emulated', 'native', { mode: 'sink' });
    expect(r.code).toBe(0);
    const lines = r.console.split('\n').filter((l) => l.startsWith('N6: '));
    expect(lines).toEqual(['N6: ping 0: no reply', 'N6: ping 1: no reply', 'N6: ping 2: no reply', 'N6: 0 of 3 pings answered']);
  });

  describe('on an SR-IOV VF (net-vf.inc: MSI-X, no INTx)', () => {
    // The kernel routes the VF's MSI-X vector 0 on the VM's emulated table; the monitor (src/network/sriov)
    // posts (hw) or injects the VF's real line as that virtual line.
    let e1000: Run;
    beforeAll(() => {
      e1000 = netRun('emulated', 'native');
    });
    const vfAnnounce = 'tinyos: network: SR-IOV VF NIC, irq 2, mac 02:00:00:00:00:01';

    test.each(['bt', 'hw', 'pv'] as const)('under %s the VF is announced, the pings sent and the echo\'s replies received by the VF, with no exit on its data path', (mode) => {
      const r = netRun('vf', mode);
      expect(r.code).toBe(0);
      expect(r.console.split('\n')[1]).toBe(vfAnnounce);
      expect(kernelWord(r, 'knet_pages')).toBe(4); // BAR0's 16 KiB, not the e1000's 128
      const c = r.vm.net!.sriov!.nic.vfCounters(0);
      expect([c.txFrames, c.rxFrames]).toEqual([3, 3]);
      expect(c.interruptsRaised).toBeGreaterThanOrEqual(1); // the real VF's RX vector
      // BAR0 is mapped straight in: the only emulated accesses are the boot's four stores of MSI-X entry 0 (BAR3).
      expect(r.vm.monitor!.counters.mmioEmulated).toBe(4);
    });

    test.each(['bt', 'hw', 'pv'] as const)('under %s it prints what the e1000 prints natively, the replies taken through the VF\'s interrupt', (mode) => {
      const r = netRun('vf', mode);
      expect(r.code).toBe(0);
      expect(r.console).toBe(e1000.console.replace('tinyos: network: e1000 NIC, irq 2, mac 02:00:00:00:00:01', vfAnnounce));
      // Received frames reach the kernel's queue only in its interrupt handler: every reply came through it.
      expect(kernelWord(r, 'knet_interrupts')).toBeGreaterThanOrEqual(1);
      expect(kernelWord(r, 'knet_tail')).toBe(3);
      expect(kernelWord(r, 'knet_head')).toBe(3);
      expect(kernelWord(r, 'knet_dropped')).toBe(0);
    });

    test('under hw the VF\'s interrupts are posted (no exit); without posting each is an exit, with the same output', () => {
      const r = netRun('vf', 'hw');
      const taken = kernelWord(r, 'knet_interrupts');
      expect(taken).toBeGreaterThanOrEqual(1);
      expect(r.vm.monitor!.counters.postedInterrupts).toBeGreaterThanOrEqual(taken);
      const q = run(tinyos({ NET: 1 }), 'hw', { nic: { kind: 'vf' }, peer: { mode: 'echo' } }, false);
      expect(q.console).toBe(r.console);
      expect(kernelWord(q, 'knet_interrupts')).toBeGreaterThanOrEqual(1);
      expect(q.vm.monitor!.counters.postedInterrupts).toBe(0);
    });

    test('under trap it panics at the timer check, as the default build does, after announcing the VF', () => {
      const r = netRun('vf', 'trap');
      expect(r.code).toBe(1);
      expect(r.console.split('\n').slice(0, 3)).toEqual(['tinyos: booting', vfAnnounce, 'tinyos: paging on, 6 processes created']);
      expect(r.console).toContain('tinyos: panic: no timer interrupt arrived');
    });
  });

  test('under trap it panics at the timer check, as the default build does', () => {
    const r = netRun('virtio', 'trap');
    expect(r.code).toBe(1);
    expect(r.console).toBe([
      'tinyos: booting', 'tinyos: network: virtio NIC, irq 2, mac 02:00:00:00:00:01', 'tinyos: paging on, 6 processes created',
      'tinyos: interrupts on, checking the timer', 'tinyos: panic: no timer interrupt arrived (were interrupts left disabled?)', '',
    ].join('\n'));
  });
});
