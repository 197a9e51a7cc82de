// The host's driver of the SR-IOV NIC's physical function (Xen's dom0, a KVM
// host's igb driver): it enables the VFs, gives each its MAC, port VLAN,
// spoof checking and trust, and answers their mailbox requests by policy.
// It is software of the monitor, not of any guest; it runs when a VF posts a
// message (on another core in a real host, so a VF's request costs its VM
// no exit).
//
// Policy (as Linux's igb): VF_RESET is answered with the VF's MAC; a VF may
// set its own MAC, any MAC only when trusted; VLANs are refused while a port
// VLAN is enforced; multicast lists are accepted. A VF that posts more than
// MAILBOX_BUDGET messages within MAILBOX_WINDOW ticks is answered NACK and
// counted as rate-limited until its window passes: it cannot keep the PF
// from the others.

import { MSG } from '../../devices/sriov-nic/registers.js';
import type { SriovNic } from '../../devices/sriov-nic/pf.js';
import { SRIOV, SRIOV_CONTROL } from '../../devices/pci/sriov.js';
import { formatMac, parseMac } from '../../net/mac.js';

/** Messages one VF may post in a window before it is rate-limited. */
export const MAILBOX_BUDGET = 64;
/** The window, in host clock ticks. */
export const MAILBOX_WINDOW = 100_000;

export interface VfPolicy {
  mac: string;
  /** A port VLAN the VF's frames are tagged with and confined to. */
  vlan?: number;
  /** May set any MAC (default false). */
  trusted?: boolean;
  /** Drop frames whose source MAC or VLAN is not the VF's (default true). */
  spoofCheck?: boolean;
}

export interface MailboxCounters {
  requests: number;
  acks: number;
  nacks: number;
  rateLimited: number;
}

export interface MailboxEvent {
  vf: number;
  type: number;
  reply: 'ack' | 'nack' | 'rate-limited';
}

interface DriverState {
  mailbox: MailboxCounters[];
  windows: { start: number; count: number }[];
  spoofs: number[];
}

const zero = (): MailboxCounters => ({ requests: 0, acks: 0, nacks: 0, rateLimited: 0 });

export class PfDriver {
  readonly mailbox: MailboxCounters[];
  /** Spoof events the NIC reported, per VF (Linux: "Spoofed packet detected on VF n"). */
  spoofs: number[];
  /** Each answered message, for trace records. */
  onMailbox: ((e: MailboxEvent) => void) | undefined;
  private windows: { start: number; count: number }[];

  constructor(
    private readonly nic: SriovNic,
    private readonly policies: readonly VfPolicy[],
    private readonly clock: () => number,
    /** Configuration cycles to the PF (its bus's configWrite). */
    private readonly configWrite: (offset: number, size: 1 | 2 | 4, value: number) => void,
    private readonly sriovBase: number,
  ) {
    this.mailbox = policies.map(zero);
    this.spoofs = policies.map(() => 0);
    this.windows = policies.map(() => ({ start: 0, count: 0 }));
    nic.mailbox.onMessage = (vf, words) => this.serve(vf, words);
    nic.onEvent = (e) => {
      if (e.kind === 'spoof' && e.vf < this.spoofs.length) this.spoofs[e.vf]!++;
    };
  }

  /** Enable one VF per policy and configure each (after every reset of the machine). */
  start(): void {
    const n = this.policies.length;
    if (n === 0) return;
    this.configWrite(this.sriovBase + SRIOV.NUM_VFS, 2, n);
    this.configWrite(this.sriovBase + SRIOV.CONTROL, 2, SRIOV_CONTROL.VF_ENABLE | SRIOV_CONTROL.VF_MSE);
    this.policies.forEach((p, vf) => {
      this.nic.setVfMac(vf, p.mac);
      if (p.vlan !== undefined) this.nic.setVfPortVlan(vf, p.vlan);
      this.nic.setVfSpoofCheck(vf, p.spoofCheck !== false);
      this.nic.setVfTrust(vf, p.trusted === true);
    });
    this.reset();
  }

  reset(): void {
    this.mailbox.forEach((c) => Object.assign(c, zero()));
    this.spoofs.fill(0);
    this.windows = this.policies.map(() => ({ start: 0, count: 0 }));
  }

  private serve(vf: number, words: Uint32Array): void {
    const policy = this.policies[vf];
    const c = this.mailbox[vf];
    if (!policy || !c) return;
    c.requests++;
    const type = words[0]! & MSG.TYPE_MASK;
    const w = this.windows[vf]!;
    const now = this.clock();
    if (now - w.start >= MAILBOX_WINDOW) {
      w.start = now;
      w.count = 0;
    }
    if (++w.count > MAILBOX_BUDGET) {
      c.rateLimited++;
      this.nic.mailbox.reply(vf, [type | MSG.NACK]);
      this.onMailbox?.({ vf, type, reply: 'rate-limited' });
      return;
    }
    const ok = this.decide(vf, type, words, policy);
    if (ok) c.acks++;
    else c.nacks++;
    this.onMailbox?.({ vf, type, reply: ok ? 'ack' : 'nack' });
  }

  /** Answer one request; true for ACK. */
  private decide(vf: number, type: number, words: Uint32Array, policy: VfPolicy): boolean {
    const nic = this.nic;
    switch (type) {
      case MSG.VF_RESET: {
        nic.clearVfFilters(vf);
        nic.setVfQueuesEnabled(vf, true, true);
        const mac = parseMac(nic.vfMac(vf) ?? policy.mac);
        const lo = mac[0]! | (mac[1]! << 8) | (mac[2]! << 16) | (mac[3]! << 24);
        const hi = mac[4]! | (mac[5]! << 8);
        nic.mailbox.reply(vf, [MSG.VF_RESET | MSG.ACK | MSG.CTS, lo >>> 0, hi]);
        return true;
      }
      case MSG.SET_MAC_ADDR: {
        const bytes = new Uint8Array([words[1]! & 0xff, (words[1]! >>> 8) & 0xff, (words[1]! >>> 16) & 0xff, words[1]! >>> 24, words[2]! & 0xff, (words[2]! >>> 8) & 0xff]);
        const own = formatMac(bytes) === policy.mac;
        const ok = own || policy.trusted === true;
        if (ok) nic.setVfMac(vf, bytes);
        nic.mailbox.reply(vf, [type | (ok ? MSG.ACK : MSG.NACK) | MSG.CTS]);
        return ok;
      }
      case MSG.SET_VLAN: {
        const add = ((words[0]! & MSG.INFO_MASK) >>> MSG.INFO_SHIFT & 1) === 1;
        const vid = words[1]! & 0xfff;
        const ok = policy.vlan === undefined && (add ? nic.addVfVlan(vf, vid) : (nic.removeVfVlan(vf, vid), true));
        nic.mailbox.reply(vf, [type | (ok ? MSG.ACK : MSG.NACK) | MSG.CTS]);
        return ok;
      }
      case MSG.SET_MULTICAST: {
        const count = Math.min(30, (words[0]! & MSG.INFO_MASK) >>> MSG.INFO_SHIFT);
        const hashes: number[] = [];
        for (let i = 0; i < count; i++) hashes.push((words[1 + (i >> 1)]! >>> ((i & 1) * 16)) & 0xffff);
        nic.setVfMulticast(vf, hashes);
        nic.mailbox.reply(vf, [type | MSG.ACK | MSG.CTS]);
        return true;
      }
      case MSG.SET_LPE:
        nic.mailbox.reply(vf, [type | MSG.ACK | MSG.CTS]);
        return true;
      default:
        nic.mailbox.reply(vf, [type | MSG.NACK | MSG.CTS]);
        return false;
    }
  }

  save(): DriverState {
    return { mailbox: this.mailbox.map((c) => ({ ...c })), windows: this.windows.map((w) => ({ ...w })), spoofs: [...this.spoofs] };
  }

  restore(state: unknown): void {
    const s = state as DriverState;
    s.mailbox.forEach((c, i) => Object.assign(this.mailbox[i]!, c));
    this.windows = s.windows.map((w) => ({ ...w }));
    this.spoofs = [...s.spoofs];
  }
}
