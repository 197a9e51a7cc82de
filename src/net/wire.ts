// The link partner outside every VM: whatever a VM sends out of the host ends
// here, and what the outside sends comes from here. Built in and deterministic
// (time is the owner's machine clock):
//   echo  reflects each frame: dst = the original src; src = the original dst
//         when that was unicast, else the wire's own MAC; tag, ethertype and
//         payload unchanged. At once (inside receive) or `delay` ticks later.
//   gen   sends `size`-byte frames to `dst` every `every` ticks from `start`,
//         up to `count`, ethertype 0x88b5, a 32-bit big-endian sequence
//         number (0, 1, ...) first in the payload, zeros after it.
//   sink  counts and drops (so does gen with what it receives).
// Frames that cross the wire in either direction go to the capture tap (a
// PcapWriter) stamped with the owner's clock. Like a machine device it has
// nextDeadline()/tick(clock) and save()/restore()/reset() (snapshots and
// reverse stepping); the capture itself is output and is not rolled back.

import { addTag, ETHERTYPE_EXPERIMENTAL, describeFrame, frameError } from './frame.js';
import { observing } from './observe.js';
import { isMulticast, MAC_LENGTH } from './mac.js';
import type { PcapWriter } from './pcap.js';
import type { DropReason, FrameObserver, FrameReceiver, FrameSender } from './types.js';
import { ECHO_QUEUE_LIMIT, wireSettings, type WireConfig, type WireSettings } from './wire-options.js';

export interface WireOptions extends WireConfig {
  /** The owner's clock (machine or host), for gen, echo's delay and the capture. */
  clock: () => number;
  pcap?: PcapWriter;
  /** rx/tx/drop events, `where: 'wire'`. */
  observer?: FrameObserver;
}

export interface WireCounters {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Frames dropped, in or out; by reason in `drops`. */
  dropped: number;
  drops: Partial<Record<DropReason, number>>;
}

export interface WireState {
  counters: WireCounters;
  /** gen: frames sent so far and the clock of the next one. */
  sent: number;
  nextGen: number;
  /** echo with a delay: reflections not yet sent, in order. */
  pending: { due: number; frame: Uint8Array }[];
}

function zeroCounters(): WireCounters {
  return { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, dropped: 0, drops: {} };
}

export class Wire implements FrameReceiver, FrameSender {
  readonly name = 'wire';
  readonly settings: WireSettings;
  private peer: FrameReceiver | undefined;
  private readonly clock: () => number;
  private readonly pcap: PcapWriter | undefined;
  private readonly observer: FrameObserver | undefined;
  private state: WireState;

  constructor(options: WireOptions) {
    this.settings = wireSettings(options);
    this.clock = options.clock;
    this.pcap = options.pcap;
    this.observer = options.observer;
    this.state = this.initial();
  }

  connect(peer: FrameReceiver): void {
    this.peer = peer;
  }

  /** A frame from the host side arrives on the wire. */
  receive(frame: Uint8Array): void {
    const c = this.state.counters;
    c.framesIn++;
    c.bytesIn += frame.length;
    this.pcap?.record(this.clock(), frame);
    if (observing(this.observer)) this.observer({ kind: 'rx', where: this.name, ...describeFrame(frame) });
    if (this.settings.mode !== 'echo') return this.drop(frame, 'sink');
    const bad = frameError(frame);
    if (bad) return this.drop(frame, bad);
    const reply = this.reflect(frame);
    if (this.settings.delay === 0) return this.send(reply, this.clock());
    if (this.state.pending.length >= ECHO_QUEUE_LIMIT) return this.drop(reply, 'no-buffer');
    this.state.pending.push({ due: this.clock() + this.settings.delay, frame: reply });
  }

  /** Clock value at which tick() must next run, or Infinity. */
  nextDeadline(): number {
    const s = this.state;
    const gen = this.settings.mode === 'gen' && s.sent < this.settings.count ? s.nextGen : Infinity;
    return s.pending.length > 0 ? Math.min(s.pending[0]!.due, gen) : gen;
  }

  /** Send what is due at `clock`: delayed reflections, then generated frames (each missed period's too). */
  tick(clock: number): void {
    const s = this.state;
    while (s.pending.length > 0 && s.pending[0]!.due <= clock) this.send(s.pending.shift()!.frame, clock);
    if (this.settings.mode !== 'gen') return;
    while (s.sent < this.settings.count && s.nextGen <= clock) {
      this.send(this.generate(s.sent), clock);
      s.sent++;
      s.nextGen += this.settings.every;
    }
  }

  counters(): WireCounters {
    const c = this.state.counters;
    return { ...c, drops: { ...c.drops } };
  }

  reset(): void {
    this.state = this.initial();
  }

  save(): WireState {
    const s = this.state;
    return { counters: this.counters(), sent: s.sent, nextGen: s.nextGen, pending: s.pending.map((p) => ({ due: p.due, frame: p.frame.slice() })) };
  }

  restore(state: unknown): void {
    const s = state as WireState;
    this.state = {
      counters: { ...s.counters, drops: { ...s.counters.drops } },
      sent: s.sent, nextGen: s.nextGen,
      pending: s.pending.map((p) => ({ due: p.due, frame: p.frame.slice() })),
    };
  }

  private initial(): WireState {
    return { counters: zeroCounters(), sent: 0, nextGen: this.settings.start, pending: [] };
  }

  private reflect(frame: Uint8Array): Uint8Array {
    const reply = frame.slice();
    reply.set(frame.subarray(MAC_LENGTH, 2 * MAC_LENGTH), 0);
    reply.set(isMulticast(frame, 0) ? this.settings.mac : frame.subarray(0, MAC_LENGTH), MAC_LENGTH);
    return reply;
  }

  private generate(seq: number): Uint8Array {
    const { dst, mac, size, vlan } = this.settings;
    const untagged = new Uint8Array(vlan === undefined ? size : size - 4);
    untagged.set(dst, 0);
    untagged.set(mac, MAC_LENGTH);
    untagged[12] = ETHERTYPE_EXPERIMENTAL >>> 8;
    untagged[13] = ETHERTYPE_EXPERIMENTAL & 0xff;
    new DataView(untagged.buffer).setUint32(14, seq >>> 0, false);
    return vlan === undefined ? untagged : addTag(untagged, vlan);
  }

  private send(frame: Uint8Array, clock: number): void {
    if (!this.peer) return this.drop(frame, 'no-port');
    const c = this.state.counters;
    c.framesOut++;
    c.bytesOut += frame.length;
    this.pcap?.record(clock, frame);
    if (observing(this.observer)) this.observer({ kind: 'tx', where: this.name, ...describeFrame(frame) });
    this.peer.receive(frame);
  }

  private drop(frame: Uint8Array, reason: DropReason): void {
    const c = this.state.counters;
    c.dropped++;
    c.drops[reason] = (c.drops[reason] ?? 0) + 1;
    if (observing(this.observer)) this.observer({ kind: 'drop', where: this.name, ...describeFrame(frame), reason });
  }
}
