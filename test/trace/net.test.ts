// Frame records (docs/trace.md, `frame`): a guest that programs the e1000's
// registers itself sends one broadcast frame and waits for the wire's echo;
// the trace shows each device, switch port and the wire it crossed, natively,
// under monitors and on a host.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { WIRE_MAC } from '../../src/net/wire-options.js';
import { convertFrameEvent, formatTextRecord } from '../../src/trace/index.js';
import { oneErrorLine, runCli } from '../cli/run.js';

const tmp = mkdtempSync(join(tmpdir(), 'virtlab-trace-net-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// One 60-byte broadcast from the NIC's own MAC (read from RAL0/RAH0), then a wait for
// the first received frame; halts with its length. BAR0 is where firmware puts it.
const SEND = `
        .equ BAR, 0xe0000000
        .text
        .global _start
_start:
        li      t3, BAR
        la      t0, rx_ring
        la      t1, rx_bufs
        li      t2, 8
1:      sw      t1, 0(t0)
        addi    t0, t0, 16
        addi    t1, t1, 2048
        addi    t2, t2, -1
        bnez    t2, 1b
        la      t0, rx_ring
        sw      t0, 0x2800(t3)          ; RDBAL
        li      t0, 128
        sw      t0, 0x2808(t3)          ; RDLEN
        li      t0, 7
        sw      t0, 0x2818(t3)          ; RDT
        li      t0, 0x8002
        sw      t0, 0x0100(t3)          ; RCTL: EN | BAM
        la      t0, tx_ring
        sw      t0, 0x3800(t3)          ; TDBAL
        li      t0, 128
        sw      t0, 0x3808(t3)          ; TDLEN
        li      t0, 2
        sw      t0, 0x0400(t3)          ; TCTL: EN
        la      t0, frame
        lw      t1, 0x5400(t3)          ; RAL0: MAC bytes 0..3
        li      t2, 4
3:      sb      t1, 6(t0)
        srli    t1, t1, 8
        addi    t0, t0, 1
        addi    t2, t2, -1
        bnez    t2, 3b
        lw      t1, 0x5404(t3)          ; RAH0: bytes 4..5
        sb      t1, 6(t0)
        srli    t1, t1, 8
        sb      t1, 7(t0)
        la      t0, tx_ring
        la      t1, frame
        sw      t1, 0(t0)
        lui     t1, 0x0b00
        ori     t1, t1, 60
        sw      t1, 8(t0)               ; 60 bytes, EOP | IFCS | RS
        li      t0, 1
        sw      t0, 0x3818(t3)          ; TDT: send
        la      t0, rx_ring
2:      lbu     t1, 12(t0)              ; wait for DD
        andi    t1, t1, 1
        beqz    t1, 2b
        lhu     a0, 8(t0)
        halt    a0
        .data
        .align 4
frame:  .byte   0xff, 0xff, 0xff, 0xff, 0xff, 0xff
        .space  6
        .byte   0x88, 0xb5
        .space  46
        .bss
        .align 128
tx_ring: .space 128
rx_ring: .space 128
rx_bufs: .space 8 * 2048
`;
const send = join(tmp, 'send.s');
writeFileSync(send, SEND);

const MAC = '02:00:00:00:00:01';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const TDT = 0xe000_0000 + 0x3818;

type Rec = Record<string, unknown> & { type: string; step: number };

async function jsonl(args: string[], code = 60): Promise<Rec[]> {
  const r = await runCli(['trace', ...args, '--format', 'jsonl']);
  expect(r.code, r.stderr).toBe(code);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
}

const frames = (recs: Rec[]) => recs.filter((r) => r.type === 'frame');
const path = (recs: Rec[]) => frames(recs).map((r) => `${String(r.event)} ${String(r.where)}`);

describe('frame records', () => {
  test('natively: tx at the NIC, rx and tx at the wire (echo), rx at the NIC, all in the step of the TDT store, after its mmio', async () => {
    const recs = await jsonl([send, '--nic', 'emulated']);
    expect(frames(recs)).toEqual([
      { type: 'frame', step: expect.any(Number), event: 'tx', where: 'e1000', dst: BROADCAST, src: MAC, vlan: null, ethertype: 0x88b5, length: 60, reason: null, to: null },
      { type: 'frame', step: expect.any(Number), event: 'rx', where: 'wire', dst: BROADCAST, src: MAC, vlan: null, ethertype: 0x88b5, length: 60, reason: null, to: null },
      { type: 'frame', step: expect.any(Number), event: 'tx', where: 'wire', dst: MAC, src: WIRE_MAC, vlan: null, ethertype: 0x88b5, length: 60, reason: null, to: null },
      { type: 'frame', step: expect.any(Number), event: 'rx', where: 'e1000', dst: MAC, src: WIRE_MAC, vlan: null, ethertype: 0x88b5, length: 60, reason: null, to: null },
    ]);
    const store = recs.find((r) => r.type === 'insn' && (r.mem as { paddr: number }[]).some((m) => m.paddr === TDT))!;
    expect(store).toBeDefined();
    expect(recs.filter((r) => r.step === store.step).map((r) => r.type)).toEqual(['insn', 'mmio', 'frame', 'frame', 'frame', 'frame']);
  });

  test('--mac: the frames carry the NIC\'s address', async () => {
    const mac = '02:00:00:00:00:42';
    const f = frames(await jsonl([send, '--nic', 'emulated', '--mac', mac, '--events', 'net']));
    expect(f.map((r) => [r.event, r.where, r.src, r.dst])).toEqual([
      ['tx', 'e1000', mac, BROADCAST], ['rx', 'wire', mac, BROADCAST], ['tx', 'wire', WIRE_MAC, mac], ['rx', 'e1000', WIRE_MAC, mac],
    ]);
  });

  test.each(['hw', 'trap'])('under --mode %s: the switch floods the broadcast to the wire and forwards the echo to the guest', async (mode) => {
    const recs = await jsonl([send, '--nic', 'emulated', '--mode', mode]);
    expect(path(recs)).toEqual(['tx e1000', 'flood guest', 'rx wire', 'tx wire', 'forward wire', 'rx e1000']);
    const f = frames(recs);
    expect(f[1]).toMatchObject({ dst: BROADCAST, src: MAC, to: ['wire'], reason: null });
    expect(f[4]).toMatchObject({ dst: MAC, src: WIRE_MAC, to: ['guest'], reason: null });
    // Sent inside the step whose store to TDT the monitor emulated; nothing goes back in time.
    const store = recs.find((r) => r.type === 'monitor' && r.event === 'emulate' && r.mnemonic === 'sw' && f[0]!.step === r.step);
    expect(store, 'the emulated TDT store').toBeDefined();
    const steps = f.map((r) => r.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    // Every record is in step order too: the frames are placed in the stream, not appended.
    const all = recs.map((r) => r.step);
    expect(all).toEqual([...all].sort((a, b) => a - b));
  });

  test('--events net keeps exactly the frame records; the same run twice gives the same trace', async () => {
    const args = [send, '--nic', 'emulated', '--mode', 'hw'];
    const all = await jsonl(args);
    const only = await jsonl([...args, '--events', 'net']);
    expect(only.length).toBe(6);
    expect(only).toEqual(frames(all));
    const [a, b] = await Promise.all([runCli(['trace', ...args]), runCli(['trace', ...args])]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain(' frame ');
  });

  test('--peer sink: the wire takes the frame in and drops it with its reason; nothing comes back', async () => {
    const f = frames(await jsonl([send, '--nic', 'emulated', '--peer', 'sink', '--max-steps', '500', '--events', 'net'], 124));
    expect(f.map((r) => [r.event, r.where, r.reason])).toEqual([['tx', 'e1000', null], ['rx', 'wire', null], ['drop', 'wire', 'sink']]);
  });

  test('the virtio NIC: pingpong\'s two round trips', async () => {
    const f = frames(await jsonl(['guests/net/pingpong.s', '-D', 'COUNT=2', '--nic', 'virtio', '--events', 'net'], 0));
    expect(path(f.map((r) => r as Rec))).toEqual(['tx virtio-net', 'rx wire', 'tx wire', 'rx virtio-net', 'tx virtio-net', 'rx wire', 'tx wire', 'rx virtio-net']);
    expect(f.map((r) => r.length)).toEqual(Array(8).fill(64));
    expect(f[4]).toMatchObject({ src: MAC, dst: WIRE_MAC }); // the second ping goes to whoever answered
  });

  test('text: one aligned line, MACs lined up, VLAN, egress ports and drop reasons when there are', async () => {
    const r = await runCli(['trace', send, '--nic', 'emulated', '--events', 'net']);
    const lines = r.stdout.split('\n').filter((l) => l.includes(' frame '));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^ +\\d+  frame {7}tx {6}e1000 {6}${MAC} > ${BROADCAST}  0x88b5  60 bytes$`));
    expect(lines[2]).toMatch(new RegExp(`^ +\\d+  frame {7}tx {6}wire {7}${WIRE_MAC} > ${MAC}  0x88b5  60 bytes$`));
    expect(new Set(lines.map((l) => l.indexOf(' > '))).size).toBe(1);
    const base = { where: 'a', dst: BROADCAST, src: MAC, ethertype: 0x0800, length: 64 };
    expect(formatTextRecord(convertFrameEvent({ ...base, kind: 'flood', vlan: 10, to: ['b', 'wire'] }, 5)))
      .toBe(`       5  frame       flood   a          ${MAC} > ${BROADCAST}  vlan 10  0x0800  64 bytes -> b,wire`);
    expect(formatTextRecord(convertFrameEvent({ ...base, kind: 'drop', where: 'e1000', reason: 'no-buffer' }, 7)))
      .toBe(`       7  frame       drop    e1000      ${MAC} > ${BROADCAST}  0x0800  64 bytes (no-buffer)`);
  });

  test('--pcap is closed when the trace ends, also when --limit cut it short', async () => {
    const pcap = join(tmp, 'limit.pcap');
    const r = await runCli(['trace', send, '--nic', 'emulated', '--events', 'net', '--limit', '3', '--pcap', pcap]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes(' frame '))).toHaveLength(3);
    // The global header and both frames that crossed the wire (the guest's and the echo), 16-byte record headers.
    expect(readFileSync(pcap).length).toBe(24 + 2 * (16 + 60));
  });

  test('--pcap cannot be the -o file', async () => {
    const same = join(tmp, 'same.out');
    const r = await runCli(['trace', send, '--nic', 'emulated', '--pcap', same, '-o', same]);
    expect(r.code).not.toBe(0);
    expect(oneErrorLine(r)).toMatch(/--pcap and -o name the same file/);
    expect(existsSync(same)).toBe(false);
  });
});

describe('frame records on a host', () => {
  const config = join(tmp, 'host.json');
  writeFileSync(config, JSON.stringify({
    slice: 50,
    vms: [
      { name: 'a', program: 'send.s', mode: 'hw', memory: 2, nic: { kind: 'emulated' } },
      { name: 'b', program: 'send.s', mode: 'trap', memory: 2, nic: { kind: 'emulated', mac: '02:00:00:00:00:02' } },
    ],
  }));

  test('each frame is led by the VM whose NIC or port saw it, the wire\'s by null; --vm keeps those of its VM', async () => {
    const all = await jsonl([config, '--events', 'net', '--max-steps', '100000']);
    expect(all.every((r) => r.type === 'frame')).toBe(true);
    for (const r of all) {
      if (r.vm === null) expect(r.where).toBe('wire');
      else if (r.where !== 'e1000') expect(r.where).toBe(r.vm);
    }
    for (const [vm, mac] of [['a', MAC], ['b', '02:00:00:00:00:02']] as const) {
      const own = all.filter((r) => r.vm === vm);
      expect(own.find((r) => r.event === 'tx' && r.where === 'e1000')).toMatchObject({ src: mac, dst: BROADCAST });
      expect(own.find((r) => r.event === 'flood')).toMatchObject({ where: vm, to: [vm === 'a' ? 'b' : 'a', 'wire'] });
      expect(own.find((r) => r.event === 'rx' && r.src === WIRE_MAC)).toMatchObject({ where: 'e1000', dst: mac });
    }
    // b's NIC sees a's broadcast (rx, or a drop while its receiver is still off): during a's step, led by b.
    const aTx = all.find((r) => r.vm === 'a' && r.event === 'tx')!;
    expect(all.find((r) => r.vm === 'b' && r.step === aTx.step && r.src === MAC)).toBeDefined();
    const steps = all.map((r) => r.step);
    expect(steps).toEqual([...steps].sort((x, y) => x - y));

    const onlyB = await jsonl([config, '--events', 'net', '--max-steps', '100000', '--vm', 'b']);
    expect(onlyB).toEqual(all.filter((r) => r.vm === 'b'));
  });

  test('text: the wire\'s records are led by `-`; --nic is refused on a host', async () => {
    const r = await runCli(['trace', config, '--events', 'net', '--max-steps', '100000']);
    expect(r.stdout).toMatch(new RegExp(`^- \\| +\\d+  frame {7}rx {6}wire {7}${MAC} > ${BROADCAST}  0x88b5  60 bytes$`, 'm'));
    expect(r.stdout).toMatch(/^b \| +\d+ {2}frame {7}tx {6}e1000 /m);
    const bad = await runCli(['trace', config, '--nic', 'virtio']);
    expect(bad.code).not.toBe(0);
    expect(oneErrorLine(bad)).toMatch(/--nic applies to a lone program/);
  });
});
