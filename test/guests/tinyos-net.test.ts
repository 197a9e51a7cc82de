// tinyos's network layer (-D NET; docs/virtualization.md, "tinyos on the
// network"): the kernel finds its NIC by PCI enumeration, takes its interrupts
// and queues received frames; the network process (pid 6) pings the wire's echo
// through the net_send / net_recv system calls. With either NIC the run prints
// the same lines natively and under bt, hw and pv (the PV build), and the NET
// build without a NIC prints exactly what the default build prints.

import { beforeAll, describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import { decode } from '../../src/isa/index.js';
import type { NetOptions } from '../../src/network/options.js';
import { createVm, type ModeName, type Vm } from '../../src/vmm/index.js';

const TINYOS = new URL('../../guests/tinyos/tinyos.s', import.meta.url).pathname;
const BUDGET = 20_000_000;
type Kind = 'emulated' | 'virtio';

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

function run(image: Image, mode: ModeName, net?: NetOptions): Run {
  const vm = createVm({ image, mode, ...(net ? { net } : {}) });
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

  test('under trap it panics at the timer check, as the default build does', () => {
    const r = netRun('virtio', 'trap');
    expect(r.code).toBe(1);
    expect(r.console).toBe([
      'tinyos: booting', 'tinyos: network: virtio NIC, irq 2, mac 02:00:00:00:00:01', 'tinyos: paging on, 6 processes created',
      'tinyos: interrupts on, checking the timer', 'tinyos: panic: no timer interrupt arrived (were interrupts left disabled?)', '',
    ].join('\n'));
  });
});
