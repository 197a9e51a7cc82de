// The random-program generator: structured guest programs, deterministic from
// a seed, that always terminate. A program is a small kernel (trap vector,
// timer, system-call path, an epilogue that prints what the body computed)
// around a random body of ALU work, loads and stores (some misaligned, some
// outside RAM), forward branches, bounded loops, calls, traps raised on
// purpose and the flag and control-register instructions. Privileged and
// sensitive operations go through guests/lib/priv.inc's macros wherever the
// profile allows a paravirtualized build (-D PV), so one source assembles both
// ways. See docs/fuzzing.md.

import { encode, lookupMnemonic, regNumber } from '../isa/index.js';
import { Rng } from './rng.js';

/**
 * What a program may contain, which decides the modes it can be compared in:
 * - full: everything, raw sensitive instructions too (native, bt, hw);
 * - trap: no sensitive instruction (rdflags, wrflags, rdtvec, rdptbr), so trap-and-emulate
 *   must agree as well;
 * - pv: privileged and sensitive operations only through priv.inc's macros, so the -D PV
 *   build must agree under --mode pv.
 */
export type Profile = 'full' | 'trap' | 'pv';
export const PROFILES: readonly Profile[] = ['full', 'trap', 'pv'];

export type Node =
  | { k: 'op'; lines: string[] }
  | { k: 'loop'; count: number; body: Node[] }
  | { k: 'if'; cond: string; body: Node[] }
  | { k: 'call'; fn: number; indirect: boolean };

export interface Program {
  seed: number;
  profile: Profile;
  /** Timer period in instructions, 0 for no timer. */
  period: number;
  /** Interrupts enabled before the body starts. */
  irqOn: boolean;
  /** Paging on (not in the pv profile): identity-mapped code and data, and a region of probe pages. */
  paging: boolean;
  /**
   * The body runs at ring 3 (trap profile only: under trap and bt a guest's ring 3 runs
   * directly on the CPU, where the sensitive instructions see the real state, by design).
   */
  user: boolean;
  /** Initial values of the body registers. */
  init: Record<string, number>;
  /** Leaf functions the body calls (op and if nodes only). */
  fns: Node[][];
  body: Node[];
}

export interface GenOptions {
  /** The body has size/2 to size top-level nodes (default 60); loops, ifs and functions add more. */
  size?: number;
  /** Smallest timer period (default 200: longer than the kernel's slowest handler). */
  minPeriod?: number;
  /** Force a profile (default: by seed). */
  profile?: Profile;
}

/** Registers the body computes into. s1/s2 are loop counters, fp the data pointer, sp the stack, ra/a0/a1/at the kernel's and the PV macros'. */
export const BODY_REGS = ['t0', 't1', 't2', 't3', 's0', 'a2', 'a3'] as const;
const SRC_REGS = [...BODY_REGS, 'zero', 's1', 's2'] as const;
/** Bytes of the data area the body loads from and stores to (fp points at it). */
export const DATA_BYTES = 1024;

const R_OPS = ['add', 'sub', 'and', 'or', 'xor', 'sll', 'srl', 'sra', 'slt', 'sltu', 'mul', 'mulh', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const I_SIGNED = ['addi', 'slti', 'sltiu'];
const I_UNSIGNED = ['andi', 'ori', 'xori'];
const SHIFTS = ['slli', 'srli', 'srai'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];
const LOADS: Array<[string, number]> = [['lw', 4], ['lh', 2], ['lhu', 2], ['lb', 1], ['lbu', 1]];
const STORES: Array<[string, number]> = [['sw', 4], ['sh', 2], ['sb', 1]];

/**
 * With paging, virtual pages the kernel maps for probing (render.ts builds the tables):
 * not present; read-only and supervisor-only views of the data page; a page whose frame is
 * outside RAM; a 4 MiB region whose page table lies outside RAM; a region not present.
 */
export const PROBE = { absent: 0x400000, readOnly: 0x401000, supervisor: 0x402000, outside: 0x403000, tableOutside: 0x800000, dirAbsent: 0xc00000 };
/** Probe pages a jump may target: none of them holds code, so the fetch faults (or reads all ones). */
const FETCH_PROBES = [PROBE.absent, PROBE.outside, PROBE.tableOutside, PROBE.dirAbsent];

class Gen {
  private labels = 0;

  constructor(readonly r: Rng, readonly profile: Profile, readonly timer: boolean, readonly fnCount: number, readonly minPeriod: number, readonly paging: boolean, readonly user: boolean) {}

  dst(): string { return this.r.pick(BODY_REGS); }
  src(): string { return this.r.pick(SRC_REGS); }
  hex(v: number): string { return `0x${(v >>> 0).toString(16)}`; }

  /** One op (a few source lines with one purpose). `inFn`: inside a leaf function (ra must survive). */
  op(inFn: boolean): Node {
    const r = this.r;
    const lines = ((): string[] => {
      const roll = r.int(100);
      if (this.paging && r.chance(0.08)) return this.pagingOp(inFn);
      if (roll < 22) return [`${r.pick(R_OPS)} ${this.dst()}, ${this.src()}, ${this.src()}`];
      if (roll < 30) return [`${r.pick(I_SIGNED)} ${this.dst()}, ${this.src()}, ${r.range(-32768, 32767)}`];
      if (roll < 36) return [`${r.pick(I_UNSIGNED)} ${this.dst()}, ${this.src()}, ${this.hex(r.int(0x10000))}`];
      if (roll < 41) return [`${r.pick(SHIFTS)} ${this.dst()}, ${this.src()}, ${r.int(32)}`];
      if (roll < 45) return [`li ${this.dst()}, ${this.hex(r.interesting())}`];
      if (roll < 47) return [`lui ${this.dst()}, ${this.hex(r.int(0x10000))}`];
      if (roll < 49) { // auipc, made independent of where the code lies (the PV build moves it)
        const d = this.dst();
        return [`auipc ${d}, ${this.hex(r.int(0x10000))}`, `la at, . - 4`, `sub ${d}, ${d}, at`];
      }
      if (roll < 60) { // loads from the data area: mostly aligned, sometimes not (exception 4)
        const [m, w] = r.pick(LOADS);
        return [`${m} ${this.dst()}, ${this.offset(w)}(fp)`];
      }
      if (roll < 69) {
        const [m, w] = r.pick(STORES);
        return [`${m} ${this.src()}, ${this.offset(w)}(fp)`];
      }
      if (roll < 71) { // outside RAM: loads read all ones, stores vanish; the console's status register
        const addr = r.pick([0x7ff00000, 0x40000000, 0xf0000004, 0xf0000ff0]);
        return r.chance(0.6) ? [`li at, ${this.hex(addr)}`, `lw ${this.dst()}, 0(at)`] : [`li at, ${this.hex(addr)}`, `sw ${this.src()}, 0(at)`];
      }
      if (roll < 74) return [`syscall`]; // a3 = a3 * 33 ^ a2 in the kernel
      if (roll < 76) return [r.pick(['div', 'divu', 'rem', 'remu'])+ ` ${this.dst()}, ${this.src()}, zero`];
      if (roll < 77) return ['brk'];
      if (roll < 78) return [`.word ${this.hex(r.pick([0xe0000000, 0x12000000, 0x01000001, 0x24000020]) | r.int(16) << 16)}`]; // undefined
      if (roll < 79 && this.fnCount > 0) return [`la at, fz_fn${r.int(this.fnCount)}`, `jalr zero, at, ${r.pick([1, 2, 3])}`]; // misaligned target: faults, no jump
      if (roll < 82) return [`PRIV_PUTC ${this.src()}`];
      if (roll < 85 && !inFn) return [r.chance(0.5) ? 'PRIV_IRQ_ENABLE' : 'PRIV_IRQ_DISABLE'];
      if (roll < 88 && this.profile !== 'trap') { // flags through the macros: only IE is the same in every build
        if (r.chance(0.5)) { const d = this.dst(); return [`PRIV_READ_FLAGS ${d}`, `andi ${d}, ${d}, 4`]; }
        return inFn ? ['nop'] : [`PRIV_WRITE_FLAGS ${this.src()}`];
      }
      if (roll < 91 && this.profile === 'full') { // the raw sensitive instructions
        const d = this.dst();
        switch (r.int(4)) {
          case 0: return [`rdflags ${d}`, `andi ${d}, ${d}, 4`];
          case 1: return inFn ? ['nop'] : [`wrflags ${this.src()}`];
          case 2: return [`rdtvec ${d}`];
          default: return [`rdptbr ${d}`];
        }
      }
      if (roll < 95 && this.profile !== 'pv') { // raw privileged instructions
        const d = this.dst();
        switch (r.int(5)) {
          case 0: return [`mtcr scratch, ${this.src()}`];
          case 1: return [`mfcr ${d}, scratch`];
          case 2: return [`mfcr ${d}, status`, `andi ${d}, ${d}, 4`];
          case 3: return [`mfcr ${d}, tvec`];
          default: return this.timer && !inFn ? ['wfi'] : [`hcall ${r.int(8)}`];
        }
      }
      if (roll < 96 && this.profile !== 'pv') return [`hcall ${r.int(8)}`];
      if (roll < 97) return [`PRIV_GETC ${this.dst()}`]; // the console's input, then 0xffffffff
      if (roll < 98) return this.selfModifying();
      if (roll < 98 && this.timer && !inFn) { // reprogram or acknowledge the timer (PV helpers take t0)
        return r.chance(0.5) ? [`li t0, ${r.range(this.minPeriod, 1000)}`, 'PRIV_TIMER_PERIOD t0'] : ['PRIV_TIMER_ACK t0'];
      }
      return [`add ${this.dst()}, ${this.src()}, ${this.src()}`];
    })();
    return { k: 'op', lines };
  }

  /** Accesses and jumps to the probe pages, TLB invalidation, a PTE changed and invalidated. */
  pagingOp(inFn: boolean): string[] {
    const r = this.r;
    const page = r.pick(Object.values(PROBE));
    // At ring 3 tlbi faults, so a PTE change would stay in the TLB for as long as the TLB
    // happens to keep the entry: a guest relying on that is wrong, and there the monitors'
    // shadow tables (no capacity limit) may rightly differ (docs/virtualization.md).
    const kinds = [0, 1, 2, 3, ...(this.user ? [] : [4]), ...(inFn ? [] : [5])];
    switch (r.pick(kinds)) {
      case 0: case 1: { const [m, w] = r.pick(LOADS); return [`li at, ${this.hex(page + this.offset(w))}`, `${m} ${this.dst()}, 0(at)`]; }
      case 2: { const [m, w] = r.pick(STORES); return [`li at, ${this.hex(page + this.offset(w))}`, `${m} ${this.src()}, 0(at)`]; }
      case 3: return r.chance(0.5) ? [`li at, ${this.hex(page)}`, 'tlbi at'] : ['tlbia'];
      case 4: { // make the read-only view writable or not (or absent), then invalidate it, as a correct kernel does
        const flags = r.pick([0, 5, 7, 1]);
        return ['la a0, fz_ptprobe', 'lw at, 4(a0)', 'srli at, at, 12', 'slli at, at, 12', `ori at, at, ${flags}`, 'sw at, 4(a0)', `li at, ${this.hex(PROBE.readOnly)}`, 'tlbi at'];
      }
      default: return [`li at, ${this.hex(r.pick(FETCH_PROBES) + 4 * r.int(4))}`, 'jalr ra, at, 0']; // the handler returns to ra
    }
  }

  /**
   * Self-modifying code: store one of two ALU instructions (chosen by the parity of the loop
   * counter, so a loop keeps changing it) over the word that runs next. Every engine and mode
   * must run the word as it is at that moment (the JIT drops stale regions, bt its units).
   */
  selfModifying(): string[] {
    const word = () => {
      const m = this.r.pick(['addi', 'xori', 'slti']);
      const imm = m === 'xori' ? this.r.int(0x10000) : this.r.range(-32768, 32767);
      return encode(lookupMnemonic(m)!, [regNumber(this.dst())!, regNumber(this.src())!, imm]) >>> 0;
    };
    const [a, b] = [word(), word()];
    // Labels of its own (not 1f/2f): a shrunk op that lost one must not reach the kernel's local labels.
    const k = this.labels++;
    return [`la at, fz_w${k}`, `li a0, ${this.hex(a)}`, 'andi a1, s1, 1', `beqz a1, fz_v${k}`, `li a0, ${this.hex(b)}`, `fz_v${k}:`, 'sw a0, 0(at)', `fz_w${k}: .word ${this.hex(b)}`];
  }

  offset(width: number): number {
    const o = this.r.int(DATA_BYTES - 3);
    return this.r.chance(0.15) ? o : o & ~(width - 1);
  }

  /** A list of nodes; `depth` bounds nesting, `loops` is the number of counters still free. */
  block(n: number, depth: number, loops: number, inFn: boolean): Node[] {
    const out: Node[] = [];
    for (let i = 0; i < n; i++) {
      const roll = this.r.int(100);
      if (roll < 8 && depth > 0) {
        out.push({ k: 'if', cond: `${this.r.pick(BRANCHES)} ${this.src()}, ${this.src()}`, body: this.block(1 + this.r.int(5), depth - 1, loops, inFn) });
      } else if (roll < 14 && depth > 0 && loops > 0) {
        // Short bodies may run often (so the JIT compiles them); long ones a few times.
        const inner = 1 + this.r.int(8);
        const count = inner < 4 && this.r.chance(0.5) ? this.r.range(33, 60) : this.r.range(1, 12);
        out.push({ k: 'loop', count, body: this.block(inner, depth - 1, loops - 1, inFn) });
      } else if (roll < 19 && !inFn && this.fnCount > 0) {
        out.push({ k: 'call', fn: this.r.int(this.fnCount), indirect: this.r.chance(0.3) });
      } else {
        out.push(this.op(inFn));
      }
    }
    return out;
  }
}

export function generateProgram(seed: number, opts: GenOptions = {}): Program {
  const r = new Rng(seed);
  const profile = opts.profile ?? r.pick(PROFILES);
  const minPeriod = opts.minPeriod ?? 200;
  const period = r.chance(0.3) ? 0 : r.range(minPeriod, Math.max(minPeriod, 800));
  const fnCount = r.int(4);
  const paging = profile !== 'pv' && r.chance(0.4);
  const user = profile === 'trap' && r.chance(0.5);
  const g = new Gen(r, profile, period > 0, fnCount, minPeriod, paging, user);
  const size = opts.size ?? 60;
  const fns = Array.from({ length: fnCount }, () => g.block(1 + r.int(8), 1, 0, true));
  const body = g.block(Math.max(1, Math.floor(size / 2) + r.int(Math.ceil(size / 2))), 2, 2, false);
  const init = Object.fromEntries(BODY_REGS.map((x) => [x, r.interesting()]));
  return { seed, profile, period, irqOn: r.chance(0.7), paging, user, init, fns, body };
}
