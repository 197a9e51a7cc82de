// guests/lib/virtio-net.inc, the guest driver, run by the interpreter on a
// machine whose PCI bus holds the virtio NIC, with an echoing peer: it finds
// the NIC by enumeration, sends batches (one kick per flush at most), receives
// the echoes, and costs no interrupt (it polls and says so with used_event).

import { describe, expect, test } from 'vitest';
import { assemble } from '../../../src/asm/index.js';
import { pciBoardDevice } from '../../../src/devices/pci/bus.js';
import { VirtioNet } from '../../../src/devices/virtio-net/net.js';
import { Interpreter } from '../../../src/engine/index.js';
import { standardBoard } from '../../../src/machine/board.js';
import { loadImage } from '../../../src/machine/loader.js';
import { Machine } from '../../../src/machine/index.js';
import type { FrameReceiver } from '../../../src/net/types.js';
import { MAC } from './driver.js';

const LIB = new URL('../../../guests/lib/', import.meta.url).pathname;
const PV_DIR = new URL('../../../guests/pv/', import.meta.url).pathname;

/**
 * Send TOTAL 64-byte frames (sequence number at byte 16), flushing after every
 * BATCH, then receive TOTAL echoes in order. Exit 0, or the failing check's
 * number. The MAC the driver read ends up at net_mac.
 */
function program(total: number, batch: number): string {
  return `
        .equ TOTAL, ${total}
        .equ BATCH, ${batch}
        .text
        .global _start
_start: li      sp, 0x80000
        call    vnet_init
        li      s2, 1
        bnez    a0, fail
        li      s0, 0                   ; frames sent
        li      s1, 0                   ; frames received
send:   la      a0, frame
        sw      s0, 16(a0)
        li      a1, 64
        call    vnet_send
        li      s2, 2
        bnez    a0, fail
        addi    s0, s0, 1
        li      t0, BATCH
        rem     t0, s0, t0
        bnez    t0, 1f
        call    vnet_flush
1:      li      t0, TOTAL
        blt     s0, t0, send
        call    vnet_flush
recv:   la      a0, rxbuf
        call    vnet_recv
        li      s2, 3
        li      t0, 64
        bne     a0, t0, fail
        la      t0, rxbuf
        lw      t1, 16(t0)
        li      s2, 4
        bne     t1, s1, fail
        addi    s1, s1, 1
        li      t0, TOTAL
        blt     s1, t0, recv
        la      a0, rxbuf
        call    vnet_recv
        li      s2, 5
        bnez    a0, fail
        halt    zero
fail:   halt    s2

        .include "pci.inc"
        .include "virtio-net.inc"

        .data
        .align 4
net_mac: .space 8
frame:  .byte 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x88, 0xb5
        .space 50
        .align 4
rxbuf:  .space 1516
`;
}

/** Round trips: send one frame, flush, receive its echo; ROUNDS times (the rings wrap many times). */
function pingpong(rounds: number): string {
  return program(0, 1).replace(/send:[\s\S]*?halt    zero/, `send:   la      a0, frame
        sw      s0, 16(a0)
        li      a1, 64
        call    vnet_send
        li      s2, 2
        bnez    a0, fail
        call    vnet_flush
        la      a0, rxbuf
        call    vnet_recv
        li      s2, 3
        li      t0, 64
        bne     a0, t0, fail
        la      t0, rxbuf
        lw      t1, 16(t0)
        li      s2, 4
        bne     t1, s0, fail
        addi    s0, s0, 1
        li      t0, ${rounds}
        blt     s0, t0, send
        halt    zero`);
}

/** Run the program on a machine whose virtio NIC echoes every frame it sends back into itself. */
function runGuest(total: number, batch: number, source = program(total, batch)) {
  const result = assemble(source, { file: 'virtio-test.s', includeDirs: [LIB] });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors).toEqual([]);
  let dev!: VirtioNet;
  const m = new Machine({ memorySize: 1 << 20, devices: [...standardBoard(), pciBoardDevice([{ device: 3, make: (ctx) => (dev = new VirtioNet(ctx, { mac: MAC })) }])] });
  const echo: FrameReceiver = { receive: (f) => dev.receive(f.slice()) };
  dev.connect(echo);
  loadImage(m, result.image!);
  const stop = new Interpreter(m).run(5_000_000).stop;
  const macAt = result.image!.symbols.find((s) => s.name === 'net_mac')!.value;
  return { stop, dev, m, mac: Array.from(m.mem.u8.subarray(macAt, macAt + 6)) };
}

describe('guests/lib/virtio-net.inc', () => {
  test('finds the NIC, reads its MAC, sends a batch with one kick and receives the echoes, with no interrupt', () => {
    const { stop, dev, mac } = runGuest(8, 8);
    expect(stop).toMatchObject({ kind: 'halted', code: 0 });
    expect(mac).toEqual([2, 0, 0, 0, 0, 1]);
    expect(dev.counters.txFrames).toBe(8);
    expect(dev.counters.rxFrames).toBe(8);
    expect(dev.counters.notifications).toBe(1);
    expect(dev.counters.interruptsRaised).toBe(0);
    expect(dev.counters.deviceErrors).toBe(0);
  });

  test('batches of 4 over 16-entry rings: one kick per flush, every echo back in order, rings filled exactly', () => {
    const { stop, dev } = runGuest(16, 4);
    expect(stop).toMatchObject({ kind: 'halted', code: 0 });
    expect(dev.counters.notifications).toBe(4);
    expect(dev.counters.txFrames).toBe(16);
    expect(dev.counters.rxFrames).toBe(16);
    expect(dev.counters.rxDropped).toBe(0);
    expect(dev.counters.interruptsRaised).toBe(0);
  });

  test('100 round trips: the 16-entry rings wrap, one kick per frame, RX buffers reposted, no interrupt', () => {
    const { stop, dev } = runGuest(0, 1, pingpong(100));
    expect(stop).toMatchObject({ kind: 'halted', code: 0 });
    expect(dev.counters.notifications).toBe(100);
    expect(dev.counters.rxFrames).toBe(100);
    expect(dev.counters.rxDropped).toBe(0);
    expect(dev.counters.interruptsRaised).toBe(0);
    expect(dev.counters.suppressedInterrupts).toBe(200);
  });

  test('a batch larger than the transmit ring: vnet_send refuses the 17th frame', () => {
    const { stop, dev } = runGuest(17, 32);
    expect(stop).toMatchObject({ kind: 'halted', code: 2 });
    expect(dev.counters.notifications).toBe(0);
  });

  test('assembles with -D PV (kicks by the net_notify hypercall, configuration by hypercalls)', () => {
    const src = `        .include "hypercalls.inc"\n${program(4, 4)}`;
    const result = assemble(src, { file: 'virtio-pv.s', includeDirs: [LIB, PV_DIR], defines: { PV: 1 } });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const text = result.listing.map((l) => l.source ?? '').join('\n');
    expect(text).toMatch(/hcall\s+HC_NET_NOTIFY/);
  });
});
