// What `virtlab bt-dump` shows, gathered from a VM that ran under bt: the
// translation units (those the cache holds at the end, or with history every
// unit made during the run), their chains resolved to the units they join,
// and totals over them. Pure data; bt-dump-format.ts turns it into text/JSON.

import type { Monitor } from '../vmm/index.js';
import type { CachedUnit, TranslationCache } from '../vmm/bt/cache.js';
import { unitCounts, type CalloutKind, type TranslationUnit } from '../vmm/bt/index.js';
import { unitIndex } from '../vmm/bt/unit-index.js';

/**
 * valid: held by the cache at the end of the run.
 * invalidated: thrown away during the run (its guest code was written, it was
 *   retranslated with a callout, or a newer unit replaced it).
 * flushed: lost when the cache filled up and was flushed whole.
 */
export type UnitState = 'valid' | 'invalidated' | 'flushed';

/** Names a unit without its body: what chains point at. */
export interface UnitRef {
  pc: number;
  gfn: number;
  paging: boolean;
  tc: number;
}

/** An exit site of this unit patched into a direct jump to another unit. */
export interface ChainOut {
  /** Word index of the patched site in the unit. */
  site: number;
  /** TC address of the patched word. */
  tc: number;
  /** Index (in unit.callouts) of the exit callout the jump replaced (or stands in for). */
  callout: number;
  /** The conditional branch itself was retargeted (a taken exit in its reach): the exit word stays. */
  branch: boolean;
  to: UnitRef;
}

/** A patched exit of some unit that jumps into this one. */
export interface ChainIn {
  tc: number;
  from: UnitRef;
  site: number;
}

export interface DumpUnit {
  pc: number;
  gfn: number;
  paging: boolean;
  /** TC address of the unit's first word (for dead units: where it was). */
  tc: number;
  unit: TranslationUnit;
  state: UnitState;
  /** Why an invalidated unit went, when the monitor said. */
  reason?: 'code-write' | 'retranslate' | 'replaced';
  /** Order of translation over the run (only known with history; otherwise the cache's order). */
  seq: number;
  chainsOut: ChainOut[];
  chainsIn: ChainIn[];
}

export interface DumpTotals {
  units: number;
  guestInsns: number;
  translatedWords: number;
  ident: number;
  nonIdent: number;
  callouts: Record<CalloutKind, number>;
  /** Exit callouts that are indirect (jalr), counted in callouts.exit too. */
  indirectExits: number;
  /** Emulate callouts by mnemonic. */
  emulated: Record<string, number>;
  /** Chains (patched exits) out of the units counted. */
  chains: number;
}

/** The translation cache of a VM running under bt (asked of the mode, not its class), or undefined for any other mode. */
export function btCache(monitor: Monitor | undefined): TranslationCache | undefined {
  return monitor?.mode.translationCache?.();
}

/**
 * Keeps every unit translated while attached (through the monitor's event
 * listener), so that units invalidated or flushed during the run can be shown.
 * Units translated before attaching (the entry unit is made when the VM is
 * reset) are taken from the cache.
 */
export class UnitHistory {
  private readonly seen: { cu: CachedUnit; seq: number; state?: UnitState; reason?: DumpUnit['reason'] }[] = [];
  private readonly previous: Monitor['listener'];

  constructor(private readonly monitor: Monitor, private readonly cache: TranslationCache) {
    for (const cu of cache.all()) this.seen.push({ cu, seq: this.seen.length });
    this.previous = monitor.listener;
    monitor.listener = (ev) => {
      this.previous?.(ev);
      switch (ev.kind) {
        case 'translate': {
          const cu = this.cache.unitAt(ev.tc);
          if (cu) this.seen.push({ cu, seq: this.seen.length });
          break;
        }
        case 'tc-invalidate': {
          // The unit just invalidated: the newest dead one at that pc not yet accounted for.
          const hit = [...this.seen].reverse().find((s) => s.cu.pc === ev.pc >>> 0 && !s.cu.valid && !s.state);
          if (hit) { hit.state = 'invalidated'; hit.reason = ev.reason; }
          break;
        }
        case 'tc-flush':
          for (const s of this.seen) if (!s.cu.valid && !s.state) s.state = 'flushed';
          break;
      }
    };
  }

  detach(): void {
    this.monitor.listener = this.previous;
  }

  /** Every unit seen, with its fate. */
  units(): { cu: CachedUnit; seq: number; state: UnitState; reason?: DumpUnit['reason'] }[] {
    return this.seen.map((s) => {
      if (s.cu.valid) return { cu: s.cu, seq: s.seq, state: 'valid' };
      // Dead without an event: a newer translation at the same key replaced it.
      const state = s.state ?? 'invalidated';
      const reason = s.reason ?? (state === 'invalidated' ? 'replaced' : undefined);
      return { cu: s.cu, seq: s.seq, state, ...(reason ? { reason } : {}) };
    });
  }
}

function refOf(cu: CachedUnit): UnitRef {
  return { pc: cu.pc >>> 0, gfn: cu.gfn, paging: cu.paging, tc: cu.addr >>> 0 };
}

/**
 * The units to dump, in guest-address order (pc, then frame, then paging off
 * before on, then translation order), with their chains resolved.
 */
export function collectUnits(cache: TranslationCache, history?: UnitHistory): DumpUnit[] {
  const valid = cache.all();
  const byId = new Map(valid.map((cu) => [cu.id, cu]));
  const entries = history ? history.units() : valid.map((cu, seq) => ({ cu, seq, state: 'valid' as const }));
  const units = entries.map(({ cu, seq, state, ...rest }): DumpUnit => {
    const reason = 'reason' in rest ? rest.reason : undefined;
    // Chains only exist between valid units: invalidating a unit undoes them (cache.ts).
    const chainsOut: ChainOut[] = [];
    const chainsIn: ChainIn[] = [];
    if (state === 'valid') {
      for (const [site, id] of cu.outgoing) {
        const to = byId.get(id);
        // The patched word is an exit, or a conditional branch retargeted for its taken exit.
        const owner = unitIndex(cu).insnAt[site];
        const callout = cu.unit.callouts.find((c) => c.site === site)
          ?? cu.unit.callouts.find((c) => c.exit === 'taken' && owner?.callouts.includes(c.index));
        const branch = callout !== undefined && callout.site !== site;
        if (to && callout) chainsOut.push({ site, tc: (cu.addr + 4 * site) >>> 0, callout: callout.index, branch, to: refOf(to) });
      }
      for (const at of cu.incoming) {
        const from = cache.unitAt(at);
        if (from?.valid) chainsIn.push({ tc: at >>> 0, from: refOf(from), site: ((at - from.addr) >>> 0) >>> 2 });
      }
      chainsOut.sort((a, b) => a.site - b.site);
      chainsIn.sort((a, b) => a.from.pc - b.from.pc || a.tc - b.tc);
    }
    return {
      pc: cu.pc >>> 0, gfn: cu.gfn, paging: cu.paging, tc: cu.addr >>> 0, unit: cu.unit,
      state, ...(reason ? { reason } : {}), seq, chainsOut, chainsIn,
    };
  });
  return units.sort((a, b) => a.pc - b.pc || a.gfn - b.gfn || Number(a.paging) - Number(b.paging) || a.seq - b.seq);
}

/** Whether guest address `addr` lies in the guest code the unit covers. */
export function unitContains(u: DumpUnit, addr: number): boolean {
  return addr >>> 0 >= u.unit.startPc >>> 0 && addr >>> 0 < u.unit.endPc >>> 0;
}

export function totalsOf(units: readonly DumpUnit[]): DumpTotals {
  const t: DumpTotals = {
    units: units.length, guestInsns: 0, translatedWords: 0, ident: 0, nonIdent: 0,
    callouts: { emulate: 0, exit: 0, fault: 0 }, indirectExits: 0, emulated: {}, chains: 0,
  };
  for (const u of units) {
    const n = unitCounts(u.unit);
    t.guestInsns += n.guestInsns;
    t.translatedWords += n.translatedWords;
    t.ident += n.ident;
    t.nonIdent += n.nonIdent;
    for (const k of Object.keys(n.callouts) as CalloutKind[]) t.callouts[k] += n.callouts[k];
    for (const c of u.unit.callouts) {
      if (c.indirect) t.indirectExits++;
      if (c.kind === 'emulate') {
        const m = c.def?.mnemonic ?? '?';
        t.emulated[m] = (t.emulated[m] ?? 0) + 1;
      }
    }
    t.chains += u.chainsOut.length;
  }
  return t;
}
