// bt: binary translation of the unmodified guest, VMware style (Adams &
// Agesen, ASPLOS 2006). Guest code at virtual ring 3 runs directly on the CPU
// at ring 3, as under trap-and-emulate. Guest code at virtual rings 0-2 never
// runs as written: it is translated one unit at a time (src/vmm/bt) into the
// translation cache, which the CPU runs at real ring 1 through the machine's
// fetch window. Innocuous instructions are copied; privileged and sensitive
// ones became `hcall` callouts that this mode performs on the virtual CPU
// (so rdflags and wrflags see and change the virtual flags: bt is equivalent
// where trap is not); branches and jumps became exits, chained into direct
// jumps once their target is translated.
//
// Time: the guest's clock is the real one, as under trap. Every guest
// instruction costs at least one real tick (an exit with no code of its own
// retires its guest jump), and translation adds a few (the return address a
// call writes, a chained jump), so timer ticks land a little earlier in guest
// terms than natively, as on a real binary translator; guests/ are written so
// that their output does not depend on where ticks land (docs/virtualization.md).

import { CAUSE, EXC, type Decoded } from '../../isa/index.js';
import { decodeCached } from '../../machine/decode-cache.js';
import { ACCESS } from '../../machine/events.js';
import type { TrapDecision, TrapInfo } from '../../machine/trap.js';
import { TC_VBASE, TranslationCache, type CacheState, type CachedUnit } from '../bt/cache.js';
import { unitCounts } from '../bt/counts.js';
import { unitIndex } from '../bt/unit-index.js';
import { hcallWord } from '../bt/emit.js';
import { translateUnit } from '../bt/translate.js';
import type { Callout } from '../bt/unit.js';
import { emulateAccessCallout, emulatePrivileged, emulateSensitive } from '../emulate.js';
import type { Monitor } from '../monitor.js';
import { handlePageFault } from '../page-faults.js';
import { markAccessed, newWalkScratch, walkGuestInto } from '../shadow/guest-walk.js';
import type { MonitorMode } from './mode.js';

/** Translated guest code (virtual rings 0-2) runs at real ring 1, guest processes at ring 3. */
const TRANSLATED_RING = 1;
/** Traced-page faults of one store before its unit is retranslated with a callout for it. */
export const ADAPT_THRESHOLD = 3;
/** Reserved TC word 0: the stub the CPU is sent to when entering a guest pc must fault (see enter()). */
const ENTRY_FAULT_STUB = 0;
const ENTRY_FAULT_ID = 0xffff;

interface PendingFault {
  cause: number;
  pc: number;
  faultaddr?: number;
}

interface BtState {
  cache: CacheState;
  pendingFault: PendingFault | undefined;
  faultCounts: [number, number][];
  adaptive: number[];
}

export class BtMode implements MonitorMode {
  readonly name = 'bt';
  readonly cache: TranslationCache;
  /** The unit the trap being handled came from: a callout resumes inside it when it can. */
  private resumeIn: CachedUnit | undefined;
  private pendingFault: PendingFault | undefined;
  /** Traced-page faults per guest-physical address of an IDENT store. */
  private faultCounts = new Map<number, number>();
  /** Guest-physical addresses of accesses translated as callouts (adaptive), kept across retranslations. */
  private adaptive = new Set<number>();
  /** Scratch for the guest walks of lookups (enter()), which happen at most callouts. */
  private readonly walk = newWalkScratch();

  constructor(private readonly monitor: Monitor) {
    const { machine, layout } = monitor;
    if (layout.tcSize === 0) throw new Error('bt: the VM layout has no translation cache');
    this.cache = new TranslationCache(machine.mem, layout.tcBase, TC_VBASE, layout.tcSize / 4, 1);
    machine.fetchWindow = { base: TC_VBASE, size: layout.tcSize, phys: layout.tcBase };
    monitor.shadow.onCodeWrite = (gpa, width) => this.codeWritten(gpa, width);
  }

  realRing(vring: number): number {
    return vring === 3 ? 3 : TRANSLATED_RING;
  }

  translationCache(): TranslationCache {
    return this.cache;
  }

  private inCache(): boolean {
    const cpu = this.monitor.machine.cpu;
    return cpu.cpl !== 3 && this.cache.contains(cpu.pc);
  }

  guestPc(): number {
    const pc = this.monitor.machine.cpu.pc;
    if (!this.inCache()) return pc;
    if ((pc | 0) === this.cache.reservedAddr(ENTRY_FAULT_STUB)) return this.pendingFault?.pc ?? 0;
    const cu = this.cache.unitAt(pc);
    const g = cu ? unitIndex(cu).insnAt[((pc - cu.addr) >>> 0) >>> 2]?.guestPc : undefined;
    if (g === undefined) throw new Error(`bt: the CPU is at 0x${(pc >>> 0).toString(16)}, outside every translation`);
    return g | 0;
  }

  setGuestPc(pc: number): void {
    const cpu = this.monitor.machine.cpu;
    // After halt nothing runs: do not translate what follows it.
    if (this.monitor.machine.stopped) return;
    if (this.monitor.vcpu.ring === 3) {
      cpu.pc = pc | 0;
      return;
    }
    const r = this.resumeIn;
    if (r?.valid && r.paging === this.monitor.vcpu.pg) {
      const rel = (pc - r.unit.startPc) >>> 0;
      const offset = (rel & 3) === 0 ? unitIndex(r).resume[rel >>> 2] : undefined;
      if (offset !== undefined && offset >= 0) {
        cpu.pc = (r.addr + 4 * offset) | 0;
        return;
      }
    }
    const cu = this.enter(pc);
    cpu.pc = cu ? cu.addr : this.cache.reservedAddr(ENTRY_FAULT_STUB);
  }

  // --- state ---------------------------------------------------------------------

  reset(): void {
    this.cache.flush();
    this.cache.generation = 0; // a reset VM equals a fresh one
    this.cache.writeWord(this.cache.reservedAddr(ENTRY_FAULT_STUB), hcallWord(ENTRY_FAULT_ID));
    this.resumeIn = undefined;
    this.pendingFault = undefined;
    this.faultCounts.clear();
    this.adaptive.clear();
  }

  save(): BtState {
    return {
      cache: this.cache.save(),
      pendingFault: this.pendingFault && { ...this.pendingFault },
      faultCounts: [...this.faultCounts],
      adaptive: [...this.adaptive],
    };
  }

  restore(state: unknown): void {
    const s = state as BtState;
    this.cache.restore(s.cache);
    this.pendingFault = s.pendingFault && { ...s.pendingFault };
    this.faultCounts = new Map(s.faultCounts);
    this.adaptive = new Set(s.adaptive);
    this.resumeIn = undefined;
  }

  // --- finding and making translations --------------------------------------------

  /**
   * The unit for guest pc `pc` in the current address space: looked up, or
   * translated now. Undefined when fetching there faults on the bare machine;
   * the CPU is then sent to the entry-fault stub, whose callout raises that
   * fault (raising it from here would recurse when the trap vector faults too).
   */
  private enter(pc: number): CachedUnit | undefined {
    const m = this.monitor;
    pc >>>= 0;
    this.pendingFault = undefined;
    if ((pc & 3) !== 0) {
      this.pendingFault = { cause: EXC.MISALIGNED | CAUSE.FETCH, pc, faultaddr: pc };
      return undefined;
    }
    let gpa = pc;
    if (m.vcpu.pg) {
      const w = this.walk;
      if (!walkGuestInto(m.guest, m.vcpu.ptbr, pc, ACCESS.FETCH, false, w)) {
        this.pendingFault = { cause: w.cause, pc, faultaddr: pc };
        return undefined;
      }
      markAccessed(m.guest, w, false); // the fetch sets A, as the MMU would
      gpa = w.gpa;
    }
    if (!m.guest.contains(gpa, 4)) {
      this.pendingFault = { cause: EXC.UNDEFINED, pc }; // outside RAM the bus reads all ones
      return undefined;
    }
    const gfn = gpa >>> 12;
    const hit = this.cache.find(pc, gfn, m.vcpu.pg);
    if (hit) {
      m.counters.tcHits++;
      return hit;
    }
    m.counters.tcMisses++;
    return this.translate(pc, gfn);
  }

  private translate(pc: number, gfn: number): CachedUnit {
    const m = this.monitor;
    const page = gfn << 12;
    const calloutPcs = new Set<number>();
    for (const a of this.adaptive) if (a >>> 12 === gfn) calloutPcs.add(((pc & ~0xfff) | (a & 0xfff)) >>> 0);
    // A unit stops at its page's end, so every word it reads lies in frame gfn.
    const unit = translateUnit((p) => m.guest.read(page | (p & 0xfff), 4), pc, { calloutPcs });
    if (!this.cache.fits(unit.words.length)) {
      const units = this.cache.all().length;
      for (const f of this.cache.flush()) m.shadow.unprotectCode(f);
      m.counters.tcFlushes++;
      m.listener?.({ kind: 'tc-flush', units });
    }
    const cu = this.cache.insert(pc, gfn, m.vcpu.pg, unit);
    m.shadow.protectCode(gfn);
    const n = unitCounts(unit);
    const c = m.counters;
    c.translations++;
    c.translatedInsns += n.guestInsns;
    c.translatedWords += n.translatedWords;
    c.identInsns += n.ident;
    c.nonIdentInsns += n.nonIdent;
    m.listener?.({ kind: 'translate', pc, gpa: (page | (pc & 0xfff)) >>> 0, insns: n.guestInsns, words: n.translatedWords, tc: cu.addr >>> 0 });
    return cu;
  }

  /** The monitor stored into a frame holding translations: drop the units whose code it overlaps. */
  private codeWritten(gpa: number, width: number): boolean {
    const m = this.monitor;
    for (const cu of this.cache.overlapping(gpa, width)) {
      m.counters.unitsInvalidated++;
      m.counters.unchains += this.cache.invalidate(cu);
      m.listener?.({ kind: 'tc-invalidate', pc: cu.pc, reason: 'code-write', gpa: gpa >>> 0 });
    }
    return this.cache.holdsFrame(gpa >>> 12);
  }

  // --- traps ---------------------------------------------------------------------

  handleTrap(t: TrapInfo): TrapDecision {
    const m = this.monitor;
    if ((t.cause & CAUSE.INTERRUPT) !== 0) {
      m.realInterrupt(t.cause & CAUSE.CODE_MASK, t.pc);
      return 'handled';
    }
    if (!this.inCache()) {
      this.directTrap(t);
      return 'handled';
    }
    if ((t.pc | 0) === this.cache.reservedAddr(ENTRY_FAULT_STUB)) {
      const f = this.pendingFault;
      if (!f) throw new Error('bt: the entry-fault stub ran with no fault pending');
      this.pendingFault = undefined;
      this.monitor.noteCallout();
      m.counters.calloutFault++;
      m.listener?.({ kind: 'callout', pc: f.pc, callout: 'fault', what: 'entry' });
      if ((f.cause & CAUSE.CODE_MASK) === EXC.PAGE_FAULT) m.shadow.dropForFault(f.pc);
      m.reflect(f.cause, f.pc, f.faultaddr, f.pc);
      return 'handled';
    }
    const cu = this.cache.unitAt(t.pc);
    if (!cu) throw new Error(`bt: trap at 0x${(t.pc >>> 0).toString(16)}, outside every translation`);
    const index = ((t.pc - cu.addr) >>> 0) >>> 2;
    const guestPc = unitIndex(cu).insnAt[index]!.guestPc;
    this.resumeIn = cu;
    try {
      const callout = (t.cause & CAUSE.CODE_MASK) === EXC.UNDEFINED ? this.calloutAt(cu, index, t.word) : undefined;
      if (callout) this.callout(cu, callout);
      else this.translatedFault(cu, index, guestPc, t);
    } finally {
      this.resumeIn = undefined;
    }
    return 'handled';
  }

  /** A trap of guest code running directly (virtual ring 3): as under trap-and-emulate. */
  private directTrap(t: TrapInfo): void {
    const m = this.monitor;
    switch (t.cause & CAUSE.CODE_MASK) {
      case EXC.PAGE_FAULT:
        handlePageFault(m, t.faultaddr!, t.cause, t.pc, t.word);
        return;
      default:
        // Privileged instructions of a guest process, and its other exceptions, reach its kernel.
        m.reflect(t.cause, t.epc, t.faultaddr, t.pc);
    }
  }

  /** The callout whose hcall word trapped at word `index` of `cu`, if that is what trapped. */
  private calloutAt(cu: CachedUnit, index: number, word: number | undefined): Callout | undefined {
    if (word === undefined) return undefined;
    // The common case: the unit's own hcall word at its callout's site (the translator wrote exactly that word there).
    const own = cu.unit.callouts[word & 0xffff];
    if (own !== undefined && own.site === index && cu.unit.words[index] === word >>> 0) return own;
    const d = decodeCached(word);
    if (d?.def.sem.kind !== 'system' || d.def.sem.op !== 'hcall') return undefined;
    const id = d.imm & 0xffff;
    const c = cu.unit.callouts[id];
    if (!c || c.site !== index) throw new Error(`bt: hcall ${id} at word ${index} of the unit at 0x${cu.pc.toString(16)} is no callout of it`);
    return c;
  }

  /** A fault of an IDENT instruction: delivered at the guest instruction's own pc. */
  private translatedFault(cu: CachedUnit, index: number, guestPc: number, t: TrapInfo): void {
    const m = this.monitor;
    if ((t.cause & CAUSE.CODE_MASK) !== EXC.PAGE_FAULT) {
      m.reflect(t.cause, guestPc, t.faultaddr, guestPc);
      return;
    }
    const kind = handlePageFault(m, t.faultaddr!, t.cause, guestPc, t.word);
    if (kind === 'traced' && (t.cause & CAUSE.WRITE) !== 0) this.noteTracedFault(cu, guestPc);
  }

  /**
   * Adaptive translation: a store that keeps faulting on a traced page (a
   * page-table update) is retranslated into a callout that performs it
   * without a hardware fault.
   */
  private noteTracedFault(cu: CachedUnit, guestPc: number): void {
    const m = this.monitor;
    const gpa = ((cu.gfn << 12) | (guestPc & 0xfff)) >>> 0;
    const n = (this.faultCounts.get(gpa) ?? 0) + 1;
    this.faultCounts.set(gpa, n);
    if (n < ADAPT_THRESHOLD || !cu.valid || this.adaptive.has(gpa)) return;
    this.adaptive.add(gpa);
    this.faultCounts.delete(gpa);
    // Where the emulated store left the guest (the next instruction), before the unit goes.
    const next = this.guestPc();
    m.counters.adaptiveRetranslations++;
    m.counters.unitsInvalidated++;
    m.counters.unchains += this.cache.invalidate(cu);
    m.listener?.({ kind: 'tc-invalidate', pc: cu.pc, reason: 'retranslate', gpa });
    if (m.machine.stopped || m.vcpu.ring === 3) return;
    const fresh = this.translate(cu.pc, cu.gfn);
    this.resumeIn = fresh;
    this.setGuestPc(next);
  }

  /**
   * A callout reaches the monitor through the machine's undefined-instruction
   * trap (its hcall word), which the monitor's trap hook counted as a trap
   * before handing it here. It stands for a call into the monitor, not a trap
   * (docs/cost-model.md): the monitor's counters show it as a callout only.
   * (The machine's own counters, excUndefined, still count the real trap.)
   */
  private callout(cu: CachedUnit, c: Callout): void {
    const m = this.monitor;
    this.monitor.noteCallout();
    switch (c.kind) {
      case 'emulate': {
        m.counters.calloutEmulate++;
        const d = decodeCached(c.word!)!;
        m.listener?.({ kind: 'callout', pc: c.guestPc, callout: 'emulate', what: d.def.mnemonic });
        // Counted as calloutEmulate, not `emulated` (Monitor.noteCallout); emu<Mnemonic> counts it.
        this.emulate(d, c.guestPc);
        return;
      }
      case 'exit':
        if (c.indirect) {
          m.counters.calloutIndirect++;
          this.indirectExit(c);
        } else {
          m.counters.calloutExit++;
          this.directExit(cu, c);
        }
        return;
      case 'fault':
        m.counters.calloutFault++;
        m.listener?.({ kind: 'callout', pc: c.guestPc, callout: 'fault', what: c.fault!.reason });
        if (c.fault!.reason === 'undefined') m.reflect(EXC.UNDEFINED, c.guestPc, undefined, c.guestPc);
        else this.setGuestPc(c.guestPc); // re-enter: raises the fetch fault the guest's tables imply now
        return;
    }
  }

  /** An instruction the translation handed to the monitor, at guest pc `pc`. */
  private emulate(d: Decoded, pc: number): void {
    const m = this.monitor;
    const def = d.def;
    const sem = def.sem;
    if (sem.kind === 'load' || sem.kind === 'store') return emulateAccessCallout(m, d, pc);
    if (sem.kind !== 'system') throw new Error(`bt: no callout for ${def.mnemonic}`);
    if (def.klass === 'sensitive') return emulateSensitive(m, d, pc);
    if (def.klass === 'privileged') {
      if (m.vcpu.ring !== 0) return m.reflect(EXC.PROTECTION, pc, undefined, pc);
      // These may change what guest addresses mean: continue through a fresh lookup.
      if (sem.op === 'mtcr' || sem.op === 'tlbi' || sem.op === 'tlbia') this.resumeIn = undefined;
      return emulatePrivileged(m, d, pc);
    }
    switch (sem.op) {
      case 'syscall': return m.reflect(EXC.SYSCALL, pc + 4, undefined, pc);
      case 'brk': return m.reflect(EXC.BREAKPOINT, pc, undefined, pc);
      case 'hcall': return m.reflect(EXC.UNDEFINED, pc, undefined, pc); // no hypercalls for an unmodified guest
    }
    throw new Error(`bt: no callout for ${def.mnemonic}`);
  }

  private directExit(cu: CachedUnit, c: Callout): void {
    const m = this.monitor;
    const insn = unitIndex(cu).owner[c.index];
    if (!insn) throw new Error(`bt: callout #${c.index} of the unit at 0x${cu.pc.toString(16)} belongs to no instruction`);
    // An exit with no code before it stands for the guest jump itself: that jump retires here.
    if (c.site === insn.offset) m.machine.retire();
    // A guest jal's exit is its jump (chained, the jal chainJumpWord writes counts it).
    if (c.exit === 'jump') m.machine.counters.jumps++;
    const target = c.target!;
    m.listener?.({ kind: 'callout', pc: c.guestPc, callout: 'exit', what: c.exit!, target });
    this.resumeIn = undefined;
    const generation = this.cache.generation;
    const next = this.enter(target);
    const cpu = m.machine.cpu;
    if (!next) {
      cpu.pc = this.cache.reservedAddr(ENTRY_FAULT_STUB);
      return;
    }
    cpu.pc = next.addr;
    // Chain within one guest page (see cache.ts), unless the source went in a flush.
    if (cu.valid && next.valid && generation === this.cache.generation && (target >>> 12) === (cu.pc >>> 12)
      && this.cache.chain(cu, c.site, next, c.exit === 'taken' ? insn.offset : undefined, c.exit === 'jump')) {
      m.counters.chains++;
      m.listener?.({ kind: 'chain', pc: c.guestPc, target });
    }
  }

  /** jalr: rs1 is read before rd is written (they may be one register). */
  private indirectExit(c: Callout): void {
    const m = this.monitor;
    const { rd, rs1, imm, returnAddress } = c.indirect!;
    const R = m.machine.cpu.regs;
    const target = (R[rs1]! + imm) | 0;
    m.listener?.({ kind: 'callout', pc: c.guestPc, callout: 'exit', what: 'indirect', target: target >>> 0 });
    if ((target & 3) !== 0) {
      m.reflect(EXC.MISALIGNED | CAUSE.FETCH, c.guestPc, target, c.guestPc);
      return;
    }
    if (rd !== 0) R[rd] = returnAddress | 0;
    m.machine.retire();
    m.machine.counters.jumps++; // the guest's jalr, which the translation holds no jump for
    this.resumeIn = undefined;
    this.setGuestPc(target);
  }

  // --- instruction boundaries -------------------------------------------------

  /**
   * If the CPU stopped between the words of one guest instruction's
   * translation (a real interrupt or the end of a run after the first word of
   * a constant load, or on an exit), finish that instruction here so that the
   * guest is at an instruction boundary.
   */
  settle(): void {
    const m = this.monitor;
    if (m.machine.stopped || !this.inCache()) return;
    const pc = m.machine.cpu.pc;
    const cu = this.cache.unitAt(pc);
    if (!cu) return;
    const index = ((pc - cu.addr) >>> 0) >>> 2;
    const insn = unitIndex(cu).insnAt[index];
    if (!insn || index === insn.offset) return;
    // Only constant loads and exits follow an instruction's first word.
    const exit = cu.unit.callouts.find((c) => c.site >= index && insn.callouts.includes(c.index) && c.kind === 'exit');
    const def = insn.def;
    const sem = def?.sem;
    if (sem?.kind === 'jal' || sem?.kind === 'auipc') {
      const d = decodeCached(insn.word!)!;
      const value = sem.kind === 'jal' ? (insn.guestPc + 4) | 0 : (insn.guestPc + (d.imm << 16)) | 0;
      if (d.a !== 0) m.machine.cpu.regs[d.a] = value;
    }
    if (exit) {
      // The exit about to run (for a branch: the one the local branch chose).
      const chosen = sem?.kind === 'branch' ? cu.unit.callouts.find((c) => c.site === index) ?? exit : exit;
      if (chosen.exit === 'jump') m.machine.counters.jumps++; // the guest jal, finished here instead of by its exit
      this.resumeIn = undefined;
      const next = this.enter(chosen.target!);
      m.machine.cpu.pc = next ? next.addr : this.cache.reservedAddr(ENTRY_FAULT_STUB);
    } else {
      m.machine.cpu.pc = (cu.addr + 4 * (insn.offset + insn.words.length)) | 0;
    }
  }
}
