// Records of SR-IOV (docs/trace.md, `mailbox`, `iommu`, and `delivery` under
// hw): a VM given a VF resets it through the mailbox and its DMA is
// translated by its IOMMU domain; beside others on a host, the hostile guest's
// refused and rate-limited mailbox flood, its stray DMA and its spoofed frames
// are each a record led by its name; a posted interrupt is told apart from an
// injected one. Tracing any of it changes nothing the run does.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import { Host, type HostVmConfig } from '../../src/host/index.js';
import {
  convertIommuEvent, convertMailboxEvent, formatRequester, formatTextRecord, memorySink, Symbolizer, traceHost, traceRun,
  type EventKind,
} from '../../src/trace/index.js';
import { createVm, type Vm } from '../../src/vmm/index.js';
import { netProgram } from '../network/helpers.js';
import { GUESTS, kernel } from '../vmm/helpers.js';
import { postedVm, type PulseSpec } from '../vmm/hw/posted-device.js';
import { runCli } from '../cli/run.js';

type Rec = Record<string, unknown> & { type: string; step: number };

const DOC = readFileSync(new URL('../../docs/trace.md', import.meta.url), 'utf8');

const parse = (lines: string[]): Rec[] => lines.map((l) => JSON.parse(l) as Rec);

function vfVm(): Vm {
  return createVm({ image: netProgram('pingpong', { COUNT: 2 }, 'hw'), mode: 'hw', guestMemory: 2 << 20, net: { nic: { kind: 'vf' } } });
}

/** A lone hw VM with a VF, traced keeping `events` (every kind when undefined); the VM after its run and the records. */
function traceVf(events?: EventKind[]) {
  const vm = vfVm();
  const sink = memorySink();
  const r = traceRun({
    engine: vm.engine, symbolizer: new Symbolizer(vm.image), sink, format: 'jsonl', maxSteps: 5_000_000,
    monitor: vm.monitor!, net: vm.net!, ...(events ? { events: new Set(events) } : {}),
  });
  expect(r.stop).toMatchObject({ kind: 'halted', code: 0 });
  return { vm, records: parse(sink.lines) };
}

/** What the run did, whatever was traced: its steps, its console, the NIC's, the IOMMU's and the PF driver's counters. */
function outcome(vm: Vm) {
  const s = vm.net!.sriov!;
  return {
    steps: vm.machine.counters.steps, console: vm.consoleText(), monitor: { ...vm.monitor!.counters },
    vf: s.nic.vfCounters(0), iommu: s.iommu.counters, mailbox: s.pfDriver.mailbox,
  };
}

describe('a lone hw VM with a VF', () => {
  const all = traceVf();
  const sriov = all.vm.net!.sriov!;
  const requester = formatRequester(sriov.nic.vfRoutingId(0)!);

  test('the VF driver\'s reset through the mailbox: one VF_RESET, acked', () => {
    expect(all.records.filter((r) => r.type === 'mailbox')).toEqual([
      { type: 'mailbox', step: expect.any(Number), vf: 0, message: 'VF_RESET', code: 1, reply: 'ack' },
    ]);
    // Served during the driver's store to the VF's mailbox register: after that store's mmio record.
    const step = all.records.find((r) => r.type === 'mailbox')!.step;
    expect(all.records.filter((r) => r.step === step).map((r) => r.type)).toEqual(['insn', 'mmio', 'mailbox']);
  });

  test('every DMA page translated is an iommu record of the VF\'s requester, guest-physical onto the VM\'s window of host RAM', () => {
    const tr = all.records.filter((r) => r.type === 'iommu');
    expect(tr.length).toBe(sriov.iommu.counters.translations);
    expect(tr.filter((r) => r.iotlb === 'miss').length).toBe(sriov.iommu.counters.iotlbMisses);
    const base = all.vm.monitor!.layout.base;
    for (const r of tr) {
      expect(r).toMatchObject({ event: 'translate', requester, domain: 1, reason: null, recorded: null, scope: null, dropped: null });
      expect(r.hpa).toBe(((r.address as number) + base) >>> 0);
      expect(['read', 'write']).toContain(r.access);
    }
    expect(requester).toMatch(/^00:[0-9a-f]{2}\.[0-7]$/);
    // In the stream in step order, as frames are; the first DMA comes after the reset.
    const steps = all.records.map((r) => r.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(tr[0]!.step).toBeGreaterThan(all.records.find((r) => r.type === 'mailbox')!.step);
  });

  test('--events leaves translations out (dma) or keeps only them; no kind traced changes what the run does', () => {
    const quiet = traceVf(['insn']);
    const noDma = traceVf(['sriov', 'net']);
    const onlyDma = traceVf(['dma']);
    expect(noDma.records.filter((r) => r.type === 'iommu')).toEqual([]);
    expect(noDma.records.filter((r) => r.type === 'mailbox')).toHaveLength(1);
    expect(onlyDma.records).toEqual(all.records.filter((r) => r.type === 'iommu'));
    const untraced = vfVm();
    expect(untraced.run(5_000_000).stop).toMatchObject({ kind: 'halted', code: 0 });
    for (const t of [all, quiet, noDma, onlyDma]) expect(outcome(t.vm)).toEqual(outcome(untraced));
  });

  test('the hooks it found are back in place after the trace', () => {
    const vm = vfVm();
    const s = vm.net!.sriov!;
    const seen: string[] = [];
    s.pfDriver.onMailbox = (e) => seen.push(`mailbox ${e.type}`);
    const iommuHook = (): void => { seen.push('iommu'); };
    s.iommu.observer = iommuHook;
    const mailboxHook = s.pfDriver.onMailbox;
    traceRun({ engine: vm.engine, symbolizer: new Symbolizer(vm.image), sink: memorySink(), format: 'jsonl', maxSteps: 5_000_000, monitor: vm.monitor!, net: vm.net! });
    expect(s.pfDriver.onMailbox).toBe(mailboxHook);
    expect(s.iommu.observer).toBe(iommuHook);
    // They were called all along, the trace's beside them.
    expect(seen[0]).toBe('mailbox 1');
    expect(seen.filter((x) => x === 'iommu').length).toBe(s.iommu.counters.translations);
  });

  test('text lines, and the CLI\'s --events sriov', async () => {
    expect(formatTextRecord(convertMailboxEvent({ vf: 3, type: 2, reply: 'rate-limited' }, 12))).toBe('      12  mailbox     vf3 SET_MAC_ADDR -> rate-limited');
    expect(formatTextRecord(convertMailboxEvent({ vf: 0, type: 0x42, reply: 'nack' }, 1))).toBe('       1  mailbox     vf0 0x0042 -> nack');
    expect(formatTextRecord(convertIommuEvent({ kind: 'translate', requester: 0x19, domain: 1, addr: 0x19400, hpa: 0x119400, access: 'read', iotlb: 'miss' }, 7)))
      .toBe('       7  iommu       translate  00:03.1 domain 1 read 0x00019400 -> 0x00119400 (iotlb miss)');
    expect(formatTextRecord(convertIommuEvent({ kind: 'fault', requester: 0x18, domain: 2, addr: 0x7ff00020, access: 'write', reason: 'address-beyond', code: 4, recorded: true }, 9)))
      .toBe('       9  iommu       fault      00:03.0 domain 2 write 0x7ff00020 (address-beyond)');
    expect(formatTextRecord(convertIommuEvent({ kind: 'invalidate', scope: 'page', domain: 2, addr: 0x5000, dropped: 1 }, 9)))
      .toBe('       9  iommu       invalidate page domain 2 page 0x00005000: 1 entries');
    const r = await runCli(['trace', 'guests/net/pingpong.s', '-D', 'COUNT=2', '--nic', 'vf', '--mode', 'hw', '--events', 'sriov']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ +\d+ {2}mailbox {5}vf0 VF_RESET -> ack$/m);
    expect(r.stdout).not.toContain('translate');
  });
});

describe('a host with the hostile guest beside a ping-pong pair', () => {
  const attack = (() => {
    const r = assembleFile(join(GUESTS, 'hostile', 'vf-attack.s'), {});
    if (!r.image) throw new Error('vf-attack.s does not assemble');
    return r.image;
  })();
  const VMS: HostVmConfig[] = [
    { name: 'evil', image: attack, mode: 'hw', guestMemory: 2 << 20, nic: { kind: 'vf', mac: '02:00:00:00:00:01' } },
    { name: 'ping', image: netProgram('pingpong', { COUNT: 2, PEER: 3, RETRY: 3000 }, 'bt'), mode: 'bt', guestMemory: 2 << 20, nic: { kind: 'vf', mac: '02:00:00:00:00:02', vlan: 7 } },
    { name: 'pong', image: netProgram('pingpong', { COUNT: 2, SERVER: 1 }, 'pv'), mode: 'pv', guestMemory: 2 << 20, nic: { kind: 'vf', mac: '02:00:00:00:00:03', vlan: 7 } },
  ];
  function traced(vms?: string[]) {
    const host = new Host({ vms: VMS, slice: 1500, net: { peer: { mode: 'echo' } } });
    const sink = memorySink();
    const r = traceHost({ host, sink, format: 'jsonl', maxSteps: 20_000_000, events: new Set(['sriov', 'net']), ...(vms ? { vms } : {}) });
    expect(r.end).toBe('stopped');
    return { host, records: parse(sink.lines) };
  }
  const { host, records } = traced();
  const sriov = host.sriov!;
  const evil = sriov.vms.find((v) => v.name === 'evil')!;
  const own = (vm: string) => records.filter((r) => r.vm === vm);

  test('its mailbox flood: refused, then rate-limited, each message a record; the others\' resets acked', () => {
    const mb = own('evil').filter((r) => r.type === 'mailbox');
    const counters = sriov.pfDriver.mailbox[evil.vf]!;
    expect(mb.length).toBe(counters.requests);
    expect(mb[0]).toMatchObject({ vf: evil.vf, message: 'VF_RESET', reply: 'ack' });
    const count = (reply: string) => mb.filter((r) => r.message === 'SET_MAC_ADDR' && r.reply === reply).length;
    expect([count('nack'), count('rate-limited')]).toEqual([counters.nacks, counters.rateLimited]);
    expect(counters.nacks).toBeGreaterThan(0);
    expect(counters.rateLimited).toBeGreaterThan(0);
    // Rate-limiting begins once its budget is spent, and lasts.
    const firstLimited = mb.findIndex((r) => r.reply === 'rate-limited');
    expect(mb.slice(firstLimited).every((r) => r.reply === 'rate-limited')).toBe(true);
    for (const name of ['ping', 'pong']) {
      const v = sriov.vms.find((x) => x.name === name)!;
      expect(own(name).filter((r) => r.type === 'mailbox')).toEqual([
        { vm: name, type: 'mailbox', step: expect.any(Number), vf: v.vf, message: 'VF_RESET', code: 1, reply: 'ack' },
      ]);
    }
  });

  test('its DMA past its memory: one iommu fault with its requester, the address and the reason; none for the others', () => {
    const faults = records.filter((r) => r.type === 'iommu' && r.event === 'fault');
    const rid = sriov.nic.vfRoutingId(evil.vf)!;
    expect(faults).toHaveLength(1);
    const [reason] = Object.entries(sriov.iommu.counters.faultsByReason).find(([, n]) => n === 1)!;
    expect(faults[0]).toMatchObject({ vm: 'evil', event: 'fault', requester: formatRequester(rid), domain: expect.any(Number), reason, hpa: null, iotlb: null });
    // Past the 2 MiB of guest memory the VM has.
    expect(faults[0]!.address as number).toBeGreaterThanOrEqual(2 << 20);
    // --events sriov,net: no translations.
    expect(records.filter((r) => r.type === 'iommu' && r.event === 'translate')).toEqual([]);
  });

  test('its spoofed frames: dropped at its VF\'s switch port, reason spoof, led by its name', () => {
    const spoofs = records.filter((r) => r.type === 'frame' && r.reason === 'spoof');
    const c = sriov.nic.vfCounters(evil.vf);
    expect(spoofs).toHaveLength(c.spoofMac + c.spoofVlan);
    expect(spoofs.length).toBe(2);
    for (const r of spoofs) expect(r).toMatchObject({ vm: 'evil', event: 'drop', where: `sriov-nic.vf${evil.vf}` });
    // The pair's frames are theirs, not evil's: each VF's records go to its VM.
    expect(own('ping').some((r) => r.type === 'frame' && r.event === 'tx')).toBe(true);
    for (const r of records.filter((x) => x.type === 'frame' && x.vm !== null)) {
      expect(r.where as string).toMatch(new RegExp(`vf${sriov.vms.find((v) => v.name === r.vm)!.vf}$`));
    }
  });

  test('the sample lines of docs/trace.md\'s "SR-IOV on a host" come from this run', () => {
    const text = records.map(({ vm, ...r }) => `${String(vm ?? '-').padEnd(4)} | ${formatTextRecord(r as never)}`);
    const block = /SR-IOV on a host\.\*\*[\s\S]*?```\n([\s\S]*?)```/.exec(DOC)![1]!.split('\n').filter((l) => l !== '');
    expect(block.length).toBe(5);
    for (const line of block) expect(text, line).toContain(line);
  });

  test('--vm ping keeps exactly ping\'s records', () => {
    const only = traced(['ping']).records;
    expect(only.length).toBeGreaterThan(0);
    expect(only).toEqual(own('ping'));
  });
});

describe('posted interrupts under hw', () => {
  const DEV = 0x0100_0000; // guest-physical, past the guest's RAM
  // Interrupts on; each one's handler acknowledges the device; halt after three.
  const GUEST = kernel(`la      t0, handler
        mtcr    tvec, t0
        li      s1, 0
        sti
1:      li      t1, 3
        blt     s1, t1, 1b
        cli
        halt    s1
handler: li     t2, ${DEV}
        lw      t3, 0(t2)
        add     s1, s1, t3
        rett
`);
  const SPECS: PulseSpec[] = [{ line: 9, vline: 3, deadlines: [500, 1500, 2500], gpa: DEV }];

  function traceIt(posted: boolean) {
    const vm = postedVm(GUEST, SPECS, posted);
    const sink = memorySink();
    const engine = { ...vm.engine, machine: vm.machine, step: () => vm.engine.step(), run: (b?: number) => vm.run(b) };
    const r = traceRun({ engine, symbolizer: new Symbolizer(GUEST), sink, format: 'jsonl', maxSteps: 1_000_000, monitor: vm.monitor, events: new Set(['interrupt', 'monitor']) });
    expect(r.stop).toMatchObject({ kind: 'halted', code: 3 });
    return { vm, records: parse(sink.lines) };
  }

  test('posted: an interrupt record of the virtual line, delivery posted, no exit and no injection', () => {
    const { vm, records } = traceIt(true);
    const ints = records.filter((r) => r.type === 'interrupt');
    expect(ints).toHaveLength(vm.monitor.counters.postedInterrupts);
    expect(ints).toHaveLength(3);
    for (const r of ints) expect(r).toMatchObject({ line: 3, delivered: 'vector', delivery: 'posted' });
    expect(records.filter((r) => r.type === 'monitor' && (r.event === 'inject' || r.event === 'vmexit') && r.reason !== 'hlt')).toEqual([]);
    // docs/trace.md shows this line.
    const hwSection = DOC.split('### Fields added under `--mode hw`')[1]!;
    expect(hwSection).toContain('```\n' + formatTextRecord(ints[0] as never) + '\n```');
  });

  test('--no-posted-interrupts: no posted record; each is an external-interrupt exit and a monitor inject record', () => {
    const { vm, records } = traceIt(false);
    expect(records.filter((r) => r.type === 'interrupt' && r.delivery === 'posted')).toEqual([]);
    const injects = records.filter((r) => r.type === 'monitor' && r.event === 'inject');
    expect(injects).toHaveLength(vm.monitor.counters.injected);
    expect(injects).toHaveLength(3);
    for (const r of injects) expect(r.line).toBe(3);
    expect(records.filter((r) => r.type === 'monitor' && r.event === 'vmexit' && r.reason === 'external-interrupt')).toHaveLength(3);
  });

  test('the same run traced or not', () => {
    const traced = traceIt(true).vm;
    const plain = postedVm(GUEST, SPECS, true);
    expect(plain.run(1_000_000).stop).toMatchObject({ kind: 'halted', code: 3 });
    expect(traced.monitor.counters).toEqual(plain.monitor.counters);
    expect(traced.machine.counters.steps).toBe(plain.machine.counters.steps);
  });
});
