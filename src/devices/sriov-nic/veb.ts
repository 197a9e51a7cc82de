// The embedded switch (VEB, "virtual Ethernet bridge") inside the SR-IOV
// NIC: ports for each VF, the PF and the uplink (the wire). Unlike the
// monitor's learning switch (src/net/switch.ts) it does not learn: it forwards
// by the addresses the PF driver programmed (each VF's MAC, the PF's RAR
// entries), as igb's pools do.
//
// VLANs: a VF with a port VLAN (VMVIR) sends untagged frames that belong to
// that VLAN and receives that VLAN's frames untagged; a VF without one sends
// and receives the untagged network (0) untagged and the VLANs of its filter
// entries tagged. The PF and the uplink are trunks: untagged = 0, a tag = its
// VLAN. Anti-spoofing, per VF (VF_CTL): a frame whose source MAC is not the
// VF's, or whose tag names a VLAN the VF may not use (with a port VLAN: any
// other; without: one not in its filter), is dropped, counted and reported to
// the PF. The PF is exempt (it may front emulated NICs with other MACs).
//
// Forwarding: a unicast goes to the VF with that MAC that carries the VLAN,
// else to the PF if one of its RAR entries matches, else out the uplink
// (from the uplink: dropped, 'no-port'); broadcast and multicast are
// replicated to every other port that takes them (a VF: BAM for broadcast, its
// multicast table or MPE for multicast). Never back out the port it came in.

import { FrameForms, switchEvent } from '../../net/egress.js';
import { describeFrame, frameError, MAX_VID, tagControl } from '../../net/frame.js';
import { observing } from '../../net/observe.js';
import { isBroadcast, isMulticast, MAC_LENGTH } from '../../net/mac.js';
import type { DropReason, FrameEvent, FrameObserver, FrameReceiver } from '../../net/types.js';
import type { VfAdmin } from './vf-admin.js';
import { macMatches, mtaHit, vfAccepts, vfMayUse } from './vf-admin.js';
import { VF_CTL } from './registers.js';
import type { VfCounters } from './types.js';

/** What the switch asks of the NIC around it. */
export interface VebHost {
  /** How many VFs exist (VF Enable). */
  vfCount(): number;
  admin(vf: number): VfAdmin;
  /** VFTE / VFRE. */
  txEnabled(vf: number): boolean;
  rxEnabled(vf: number): boolean;
  /** Put a frame into VF `vf`'s receive ring; the reason if it could not. */
  deliverToVf(vf: number, frame: Uint8Array): DropReason | undefined;
  /** Whether a PF RAR entry holds the destination MAC of `frame`. */
  pfAccepts(frame: Uint8Array): boolean;
  spoof(vf: number, what: 'mac' | 'vlan', frame: Uint8Array, vlan: number | undefined): void;
  counters(vf: number): VfCounters;
}

export interface PortCount {
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  dropped: number;
}

export interface VebCounters {
  /** Frames sent to one port, replicated to several, dropped. */
  forwarded: number;
  replicated: number;
  dropped: number;
  uplink: PortCount;
  pf: PortCount;
}

type Source = { kind: 'vf'; vf: number } | { kind: 'pf' } | { kind: 'uplink' };

const zeroPort = (): PortCount => ({ rxFrames: 0, rxBytes: 0, txFrames: 0, txBytes: 0, dropped: 0 });

export function zeroVebCounters(): VebCounters {
  return { forwarded: 0, replicated: 0, dropped: 0, uplink: zeroPort(), pf: zeroPort() };
}

export class Veb {
  counters: VebCounters = zeroVebCounters();
  observer: FrameObserver | undefined;
  uplink: FrameReceiver | undefined;
  pf: FrameReceiver | undefined;

  constructor(private readonly name: string, private readonly host: VebHost) {}

  fromVf(vf: number, frame: Uint8Array): void {
    this.ingress({ kind: 'vf', vf }, frame);
  }

  fromPf(frame: Uint8Array): void {
    this.ingress({ kind: 'pf' }, frame);
  }

  fromUplink(frame: Uint8Array): void {
    this.ingress({ kind: 'uplink' }, frame);
  }

  private portName(s: Source): string {
    return `${this.name}.${s.kind === 'vf' ? `vf${s.vf}` : s.kind}`;
  }

  private ingress(src: Source, frame: Uint8Array): void {
    if (src.kind === 'vf') {
      this.functionEvent('tx', src.vf, frame);
      if (!this.host.txEnabled(src.vf)) return this.drop(src, frame, 'disabled');
    } else {
      const c = this.counters[src.kind];
      c.rxFrames++;
      c.rxBytes += frame.length;
    }
    const bad = frameError(frame);
    if (bad) return this.drop(src, frame, bad);
    const tci = tagControl(frame);
    const vid = tci === undefined ? 0 : tci & 0xfff;
    let vlan = vid;
    if (vid > MAX_VID) return this.drop(src, frame, 'vlan');
    if (src.kind === 'vf') {
      const a = this.host.admin(src.vf);
      if ((a.ctl & VF_CTL.MAC_ANTISPOOF) !== 0 && !macMatches(a, frame, MAC_LENGTH)) return this.spoof(src.vf, 'mac', frame, tci === undefined ? undefined : vid);
      if (vid !== 0 && (a.ctl & VF_CTL.VLAN_ANTISPOOF) !== 0 && !vfMayUse(a, vid)) return this.spoof(src.vf, 'vlan', frame, vid);
      if (vid === 0 && a.portVlan !== 0) vlan = a.portVlan;
      const c = this.host.counters(src.vf);
      c.txFrames++;
      c.txBytes += frame.length;
    }

    const out = new FrameForms(frame, tci, vlan);
    const dests: Source[] = [];
    const vfs = this.host.vfCount();
    if (!isMulticast(frame, 0)) {
      for (let vf = 0; vf < vfs; vf++) {
        if (src.kind === 'vf' && src.vf === vf) continue;
        const a = this.host.admin(vf);
        if (macMatches(a, frame, 0) && vfAccepts(a, vlan)) {
          dests.push({ kind: 'vf', vf });
          break;
        }
      }
      if (dests.length === 0 && src.kind !== 'pf' && this.host.pfAccepts(frame)) dests.push({ kind: 'pf' });
      if (dests.length === 0 && src.kind !== 'uplink') dests.push({ kind: 'uplink' });
      if (dests.length === 0) return this.drop(src, frame, 'no-port', vlan);
      this.counters.forwarded++;
    } else {
      const broadcast = isBroadcast(frame, 0);
      for (let vf = 0; vf < vfs; vf++) {
        if (src.kind === 'vf' && src.vf === vf) continue;
        const a = this.host.admin(vf);
        if (!vfAccepts(a, vlan)) continue;
        if (broadcast ? (a.ctl & VF_CTL.BAM) !== 0 : (a.ctl & VF_CTL.MPE) !== 0 || mtaHit(a, frame)) dests.push({ kind: 'vf', vf });
      }
      if (src.kind !== 'pf') dests.push({ kind: 'pf' });
      if (src.kind !== 'uplink') dests.push({ kind: 'uplink' });
      this.counters.replicated++;
    }
    this.event(dests.length > 1 || isMulticast(frame, 0) ? 'flood' : 'forward', src, frame, vlan, undefined, dests);
    for (const d of dests) this.egress(d, out, frame);
  }

  private egress(d: Source, out: FrameForms, original: Uint8Array): void {
    if (d.kind === 'vf') {
      const a = this.host.admin(d.vf);
      const bytes = (a.portVlan !== 0 && a.portVlan === out.vlan) || out.vlan === 0 ? out.untagged() : out.taggedForm();
      const c = this.host.counters(d.vf);
      const why = this.host.rxEnabled(d.vf) ? this.host.deliverToVf(d.vf, bytes) : 'disabled';
      if (why) {
        c.rxDropped++;
        this.event('drop', d, original, out.vlan, why);
        return;
      }
      c.rxFrames++;
      c.rxBytes += bytes.length;
      this.functionEvent('rx', d.vf, bytes);
      return;
    }
    const peer = d.kind === 'pf' ? this.pf : this.uplink;
    const bytes = out.vlan === 0 ? out.untagged() : out.taggedForm();
    const c = this.counters[d.kind];
    if (!peer) {
      c.dropped++;
      return;
    }
    c.txFrames++;
    c.txBytes += bytes.length;
    peer.receive(bytes);
  }

  private spoof(vf: number, what: 'mac' | 'vlan', frame: Uint8Array, vlan: number | undefined): void {
    const c = this.host.counters(vf);
    if (what === 'mac') c.spoofMac++;
    else c.spoofVlan++;
    this.counters.dropped++;
    this.event('drop', { kind: 'vf', vf }, frame, vlan, 'spoof');
    this.host.spoof(vf, what, frame, vlan);
  }

  private drop(src: Source, frame: Uint8Array, reason: DropReason, vlan?: number): void {
    this.counters.dropped++;
    if (src.kind === 'vf') this.host.counters(src.vf).txDropped++;
    else this.counters[src.kind].dropped++;
    this.event('drop', src, frame, vlan, reason);
  }

  /** A frame leaving or entering VF `vf` itself (as the e1000 reports its own): where = the VF function's name. */
  private functionEvent(kind: 'tx' | 'rx', vf: number, frame: Uint8Array): void {
    if (observing(this.observer)) this.observer({ kind, where: `${this.name}-vf${vf}`, ...describeFrame(frame) });
  }

  /** `to`: the ports a frame went out of, named only when someone observes (so is the frame). */
  private event(kind: FrameEvent['kind'], port: Source, frame: Uint8Array, vlan: number | undefined, reason?: DropReason, to?: readonly Source[]): void {
    if (observing(this.observer)) this.observer(switchEvent(kind, this.portName(port), frame, vlan, reason, to?.map((d) => this.portName(d))));
  }

}

