// The switch's forwarding table: (VLAN, MAC) -> port, learned from source
// addresses, aged in the owner's clock (guest time). An entry not refreshed
// for `agingTicks` ticks is gone: lookups treat it as absent at once (so
// forwarding does not depend on when sweeps run) and a sweep removes expired
// entries when the clock passes the earliest expiry the last sweep saw. Each
// expired entry is counted once in `aged`. Bounded: past `maxEntries`, new
// addresses are not learned (counted in `full`) and frames to them flood.

export interface MacEntry {
  vlan: number;
  /** The MAC as macKey() gives it. */
  mac: number;
  port: number;
  lastSeen: number;
}

export interface MacTableCounters {
  learned: number;
  moved: number;
  aged: number;
  full: number;
}

export interface MacTableState {
  entries: MacEntry[];
  nextSweep: number;
  counters: MacTableCounters;
}

export type LearnResult = 'new' | 'moved' | 'refreshed' | 'full';

export class MacTable {
  private byVlan = new Map<number, Map<number, MacEntry>>();
  private size = 0;
  private nextSweep = Infinity;
  counters: MacTableCounters = { learned: 0, moved: 0, aged: 0, full: 0 };

  constructor(readonly agingTicks: number, readonly maxEntries: number) {}

  /** The port `mac` was last seen on in `vlan`, unless unknown or expired at `now`. */
  lookup(vlan: number, mac: number, now: number): number | undefined {
    const e = this.byVlan.get(vlan)?.get(mac);
    if (!e) return undefined;
    if (now - e.lastSeen >= this.agingTicks) {
      this.remove(e);
      return undefined;
    }
    return e.port;
  }

  /** `mac` was the source of a frame in `vlan` arriving on `port` at `now`. */
  learn(vlan: number, mac: number, port: number, now: number): LearnResult {
    if (now >= this.nextSweep) this.sweep(now);
    let macs = this.byVlan.get(vlan);
    const e = macs?.get(mac);
    if (e && now - e.lastSeen < this.agingTicks) {
      e.lastSeen = now;
      if (e.port === port) return 'refreshed';
      e.port = port;
      this.counters.moved++;
      return 'moved';
    }
    if (e) this.remove(e);
    if (this.size >= this.maxEntries) {
      this.counters.full++;
      return 'full';
    }
    if (!macs) this.byVlan.set(vlan, (macs = new Map()));
    macs.set(mac, { vlan, mac, port, lastSeen: now });
    this.size++;
    this.counters.learned++;
    this.nextSweep = Math.min(this.nextSweep, now + this.agingTicks);
    return 'new';
  }

  /** Remove every entry expired at `now`. */
  sweep(now: number): void {
    let next = Infinity;
    for (const macs of this.byVlan.values()) {
      for (const e of macs.values()) {
        if (now - e.lastSeen >= this.agingTicks) this.remove(e);
        else next = Math.min(next, e.lastSeen + this.agingTicks);
      }
    }
    this.nextSweep = next;
  }

  /** The entries alive at `now` (without removing the others: looking does not change counters). */
  entries(now: number): MacEntry[] {
    const out: MacEntry[] = [];
    for (const macs of this.byVlan.values()) for (const e of macs.values()) if (now - e.lastSeen < this.agingTicks) out.push({ ...e });
    return out;
  }

  clear(): void {
    this.byVlan.clear();
    this.size = 0;
    this.nextSweep = Infinity;
    this.counters = { learned: 0, moved: 0, aged: 0, full: 0 };
  }

  save(): MacTableState {
    const entries: MacEntry[] = [];
    for (const macs of this.byVlan.values()) for (const e of macs.values()) entries.push({ ...e });
    return { entries, nextSweep: this.nextSweep, counters: { ...this.counters } };
  }

  restore(s: MacTableState): void {
    this.clear();
    for (const e of s.entries) {
      let macs = this.byVlan.get(e.vlan);
      if (!macs) this.byVlan.set(e.vlan, (macs = new Map()));
      macs.set(e.mac, { ...e });
    }
    this.size = s.entries.length;
    this.nextSweep = s.nextSweep;
    this.counters = { ...s.counters };
  }

  private remove(e: MacEntry): void {
    const macs = this.byVlan.get(e.vlan)!;
    macs.delete(e.mac);
    if (macs.size === 0) this.byVlan.delete(e.vlan);
    this.size--;
    this.counters.aged++;
  }
}
