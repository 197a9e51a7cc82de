// A learning L2 switch, as a Linux bridge with VLAN filtering: the monitor's
// virtual switch, with a port per VM NIC and one for the wire.
//
// VLANs. Inside the switch every frame belongs to one VLAN: 1..4094, or 0,
// the untagged network of ports that have no VLAN. A port has a native VLAN
// (its `vlan` option, else 0) and may be a trunk:
//   - untagged frames (and priority-tagged ones, VID 0) arriving on a port
//     belong to its native VLAN;
//   - a tagged frame arriving is taken when its VID is the native VLAN's or
//     the port is a trunk, else dropped ('vlan'); VID 4095 is always dropped;
//   - a port carries its native VLAN and, if a trunk, every VLAN 1..4094;
//   - on the way out, a frame of the port's native VLAN leaves untagged and
//     any other leaves tagged with its VLAN (priority and DEI kept from the
//     tag it came in with).
// So `{ vlan: 10 }` is an access port of VLAN 10 (the VM never sees tags),
// `{ trunk: true }` carries the untagged network untagged and every VLAN
// tagged (the wire's port, usually), `{ trunk: true, vlan: 10 }` is a trunk
// whose untagged traffic is VLAN 10, and `{}` carries the untagged network.
//
// Forwarding: the source MAC is learned per (VLAN, port) unless it is a group
// or all-zero address; a known unicast goes to its one port, and to nowhere
// (dropped 'no-port') when that is the port it came from; unknown unicast,
// broadcast and multicast flood to every other port carrying the VLAN. Never
// out the port a frame came in. Delivery is synchronous (types.ts).

import { NetError } from './errors.js';
import { FrameForms, switchEvent } from './egress.js';
import { frameError, MAX_VID, tagControl } from './frame.js';
import { formatMac, isMulticast, isZeroMac, macFromKey, macKey, MAC_LENGTH } from './mac.js';
import { observing } from './observe.js';
import { MacTable, type MacTableState } from './mac-table.js';
import type { DropReason, FrameEvent, FrameObserver, FrameReceiver } from './types.js';

export interface PortOptions {
  /** Native VLAN (1..4094): untagged frames on this port belong to it. Default: the untagged network (0). */
  vlan?: number;
  /** Carries every VLAN, tagged (the native one untagged). */
  trunk?: boolean;
}

export interface SwitchOptions {
  /** The owner's clock (guest time) for aging. */
  clock: () => number;
  /** Ticks an unrefreshed entry lives (default 300e9: Linux's 300 s at 1 tick = 1 ns); Infinity never ages. */
  agingTicks?: number;
  /** Table capacity (default 4096). */
  maxEntries?: number;
  observer?: FrameObserver;
}

export interface PortCounters {
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  /** Frames that came in on this port and were flooded. */
  floods: number;
  /** Frames that came in on this port and were dropped, by reason. */
  drops: Partial<Record<DropReason, number>>;
}

export interface SwitchCounters {
  /** Table entries created, moved to another port, expired, refused for want of room. */
  learned: number;
  moved: number;
  aged: number;
  tableFull: number;
  /** Frames sent to one port, flooded, dropped. */
  forwarded: number;
  flooded: number;
  dropped: number;
}

export interface PortInfo {
  name: string;
  /** Native VLAN; 0: the untagged network. */
  vlan: number;
  trunk: boolean;
  counters: PortCounters;
}

export interface TableRow {
  mac: string;
  /** 0: the untagged network. */
  vlan: number;
  port: string;
  /** Clock ticks since the address was last seen. */
  age: number;
}

interface Port {
  readonly name: string;
  readonly index: number;
  readonly receiver: FrameReceiver;
  readonly native: number;
  readonly trunk: boolean;
  counters: PortCounters;
}

export interface SwitchState {
  table: MacTableState;
  forwarded: number;
  flooded: number;
  dropped: number;
  ports: PortCounters[];
}

export const DEFAULT_AGING_TICKS = 300e9;
export const DEFAULT_MAX_ENTRIES = 4096;

const zeroPort = (): PortCounters => ({ rxFrames: 0, rxBytes: 0, txFrames: 0, txBytes: 0, floods: 0, drops: {} });
const copyPort = (c: PortCounters): PortCounters => ({ ...c, drops: { ...c.drops } });

export class Switch {
  private readonly ports: Port[] = [];
  private readonly macs: MacTable;
  private readonly clock: () => number;
  private readonly observer: FrameObserver | undefined;
  private forwarded = 0;
  private flooded = 0;
  private dropped = 0;

  constructor(options: SwitchOptions) {
    const aging = options.agingTicks ?? DEFAULT_AGING_TICKS;
    if (!(aging === Infinity || (Number.isSafeInteger(aging) && aging >= 1))) throw new NetError(`switch: aging time ${aging} is not a positive number of ticks`);
    const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isSafeInteger(max) || max < 0) throw new NetError(`switch: table size ${max} is not a non-negative integer`);
    this.macs = new MacTable(aging, max);
    this.clock = options.clock;
    this.observer = options.observer;
  }

  /** Add a port delivering to `receiver`; returns what the port's owner sends its frames into. */
  addPort(name: string, receiver: FrameReceiver, options: PortOptions = {}): FrameReceiver {
    if (name === '') throw new NetError('switch: a port needs a name');
    if (this.ports.some((p) => p.name === name)) throw new NetError(`switch: port '${name}' exists already`);
    const { vlan } = options;
    if (vlan !== undefined && (!Number.isInteger(vlan) || vlan < 1 || vlan > MAX_VID)) throw new NetError(`switch: port '${name}': VLAN ${vlan} out of range 1..${MAX_VID}`);
    const port: Port = { name, index: this.ports.length, receiver, native: vlan ?? 0, trunk: options.trunk === true, counters: zeroPort() };
    this.ports.push(port);
    return { receive: (frame) => this.ingress(port, frame) };
  }

  portNames(): string[] {
    return this.ports.map((p) => p.name);
  }

  /** Every port in the order added, with its configuration and a copy of its counters (for `virtlab host`). */
  portList(): PortInfo[] {
    return this.ports.map((p) => ({ name: p.name, vlan: p.native, trunk: p.trunk, counters: copyPort(p.counters) }));
  }

  portCounters(name: string): PortCounters {
    const port = this.ports.find((p) => p.name === name);
    if (!port) throw new NetError(`switch: no port '${name}'`);
    return copyPort(port.counters);
  }

  counters(): SwitchCounters {
    const t = this.macs.counters;
    return { learned: t.learned, moved: t.moved, aged: t.aged, tableFull: t.full, forwarded: this.forwarded, flooded: this.flooded, dropped: this.dropped };
  }

  /** The live entries, by VLAN then MAC (looking changes nothing). */
  table(): TableRow[] {
    const now = this.clock();
    return this.macs.entries(now)
      .sort((a, b) => a.vlan - b.vlan || a.mac - b.mac)
      .map((e) => ({ mac: formatMac(macFromKey(e.mac)), vlan: e.vlan, port: this.ports[e.port]!.name, age: Math.max(0, now - e.lastSeen) }));
  }

  /** Forget the table and zero the counters; ports stay. */
  reset(): void {
    this.macs.clear();
    this.forwarded = this.flooded = this.dropped = 0;
    for (const p of this.ports) p.counters = zeroPort();
  }

  save(): SwitchState {
    return { table: this.macs.save(), forwarded: this.forwarded, flooded: this.flooded, dropped: this.dropped, ports: this.ports.map((p) => copyPort(p.counters)) };
  }

  restore(state: unknown): void {
    const s = state as SwitchState;
    if (s.ports.length !== this.ports.length) throw new NetError(`switch: the saved state has ${s.ports.length} ports, this switch ${this.ports.length}`);
    this.macs.restore(s.table);
    this.forwarded = s.forwarded;
    this.flooded = s.flooded;
    this.dropped = s.dropped;
    this.ports.forEach((p, i) => { p.counters = copyPort(s.ports[i]!); });
  }

  private ingress(port: Port, frame: Uint8Array): void {
    const c = port.counters;
    c.rxFrames++;
    c.rxBytes += frame.length;
    const bad = frameError(frame);
    if (bad) return this.drop(port, frame, bad, undefined);
    const tci = tagControl(frame);
    const vid = tci === undefined ? 0 : tci & 0xfff;
    let vlan: number;
    if (vid === 0 || vid === port.native) vlan = port.native;
    else if (port.trunk && vid <= MAX_VID) vlan = vid;
    else return this.drop(port, frame, 'vlan', vid);

    const now = this.clock();
    if (!isMulticast(frame, MAC_LENGTH) && !isZeroMac(frame, MAC_LENGTH)) this.macs.learn(vlan, macKey(frame, MAC_LENGTH), port.index, now);

    const out = new FrameForms(frame, tci, vlan);
    if (!isMulticast(frame, 0)) {
      const to = this.macs.lookup(vlan, macKey(frame, 0), now);
      if (to !== undefined) {
        if (to === port.index) return this.drop(port, frame, 'no-port', vlan);
        const dest = this.ports[to]!;
        this.forwarded++;
        this.event('forward', port, frame, vlan, [dest]);
        return this.transmit(dest, egressForm(out, dest));
      }
    }
    const dests = this.ports.filter((p) => p !== port && (p.native === vlan || (p.trunk && vlan !== 0)));
    if (dests.length === 0) return this.drop(port, frame, 'no-port', vlan);
    c.floods++;
    this.flooded++;
    this.event('flood', port, frame, vlan, dests);
    for (const dest of dests) this.transmit(dest, egressForm(out, dest));
  }

  private transmit(port: Port, frame: Uint8Array): void {
    port.counters.txFrames++;
    port.counters.txBytes += frame.length;
    port.receiver.receive(frame);
  }

  private drop(port: Port, frame: Uint8Array, reason: DropReason, vlan: number | undefined): void {
    const d = port.counters.drops;
    d[reason] = (d[reason] ?? 0) + 1;
    this.dropped++;
    this.event('drop', port, frame, vlan, undefined, reason);
  }

  /** `to`: the ports a frame went out of, named only when someone observes (so is the frame). */
  private event(kind: FrameEvent['kind'], port: Port, frame: Uint8Array, vlan: number | undefined, to?: readonly Port[], reason?: DropReason): void {
    if (!observing(this.observer)) return;
    this.observer(switchEvent(kind, port.name, frame, vlan, reason, to?.map((p) => p.name)));
  }

}

/** Untagged on a port whose native VLAN it is in, tagged elsewhere. */
function egressForm(out: FrameForms, port: Port): Uint8Array {
  return out.vlan === port.native ? out.untagged() : out.taggedForm();
}
