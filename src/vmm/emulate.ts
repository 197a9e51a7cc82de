// Emulation of one guest instruction against the virtual CPU, the virtual
// devices and guest memory: the privileged instructions a deprivileged guest
// kernel traps on, and the loads and stores that fault because they touch a
// traced page table or device memory. Every emulated instruction retires
// exactly one guest instruction (machine.retire), so the guest's instruction
// count, and with it its timer, runs as it would natively. Device accesses
// happen before the instruction retires, as on the machine.
//
// Shared by the modes: trap-and-emulate calls it from a fault, binary
// translation from a callout.

import { CAUSE, CR, EXC, STATUS, type Decoded } from '../isa/index.js';
import { ACCESS } from '../machine/events.js';
import { bumpEmulationCounter } from './counters.js';
import type { Monitor } from './monitor.js';
import { markAccessed, walkGuest } from './shadow/guest-walk.js';

function setReg(m: Monitor, rd: number, value: number): void {
  if (rd !== 0) m.machine.cpu.regs[rd] = value | 0;
}

/** Count one emulated instruction (by mnemonic) and tell the listener. */
export function countEmulation(m: Monitor, d: Decoded, pc: number): void {
  // `emulated` counts emulations after a trap; one inside a bt callout is priced whole as the callout.
  if (!m.inCallout) m.counters.emulated++;
  bumpEmulationCounter(m.counters, d.def.opcode);
  m.listener?.({ kind: 'emulate', pc: pc >>> 0, mnemonic: d.def.mnemonic });
}

/**
 * A privileged instruction the guest executed at virtual ring 0. Leaves the
 * guest at the next instruction (or where rett goes), delivering a virtual
 * interrupt first if the instruction made one deliverable.
 */
export function emulatePrivileged(m: Monitor, d: Decoded, pc: number): void {
  const machine = m.machine, v = m.vcpu, R = machine.cpu.regs, cr = machine.cpu.cr;
  const sem = d.def.sem;
  if (sem.kind !== 'system' || d.def.klass !== 'privileged') throw new Error(`monitor: ${d.def.mnemonic} is not a privileged instruction`);
  countEmulation(m, d, pc);
  let next = (pc + 4) | 0;
  let mayInterrupt = false;
  switch (sem.op) {
    case 'mfcr':
      setReg(m, d.a, v.readCr(d.b, cr[CR.status]!));
      break;
    case 'mtcr': {
      const value = R[d.a]!;
      if (d.b === CR.status) m.setUserFlags(value);
      const effect = v.writeCr(d.b, value);
      if (effect.addressSpace) m.shadow.switchAddressSpace();
      mayInterrupt = effect.interruptsEnabled;
      break;
    }
    case 'rett':
      next = v.rett();
      m.applyRing();
      mayInterrupt = true;
      break;
    case 'halt':
      machine.halt(R[d.a]!, pc);
      break;
    case 'wfi':
      // wfi retires first, then idles (docs/machine.md): the clock jumps to the
      // real timer's deadline, which the monitor armed for the next virtual one.
      machine.retire();
      m.idleGuest(pc);
      m.mode.setGuestPc(next);
      return;
    case 'in':
      setReg(m, d.a, m.platform.portRead((R[d.b]! + d.imm) & 0xffff));
      mayInterrupt = true;
      break;
    case 'out':
      m.platform.portWrite((R[d.b]! + d.imm) & 0xffff, R[d.a]!);
      m.armRealTimer();
      mayInterrupt = true;
      break;
    case 'tlbi':
      m.shadow.invalidatePage(R[d.a]!);
      break;
    case 'tlbia':
      m.shadow.flushAll();
      break;
    case 'cli':
      v.ie = false;
      break;
    case 'sti':
      v.ie = true;
      mayInterrupt = true;
      break;
    default:
      throw new Error(`monitor: no emulation for ${d.def.mnemonic}`);
  }
  machine.retire();
  m.mode.setGuestPc(next);
  if (mayInterrupt) m.injectIfPending(next);
}

/**
 * A load or store the shadow refused: into a traced guest page table (a store;
 * the monitor performs it and keeps the shadows coherent) or to guest-physical
 * memory outside RAM (device registers: the virtual bus; nothing there reads
 * all ones and ignores stores, as on the machine). `va` is the faulting
 * address, `gpa` where the guest's tables send it.
 */
export function emulateAccess(m: Monitor, d: Decoded, pc: number, va: number, gpa: number, device: boolean): void {
  const sem = d.def.sem;
  const R = m.machine.cpu.regs;
  if (sem.kind !== 'load' && sem.kind !== 'store') throw new Error(`monitor: ${d.def.mnemonic} at 0x${(pc >>> 0).toString(16)} does not access memory`);
  const ea = (R[d.b]! + d.imm) >>> 0;
  if (ea !== va >>> 0) throw new Error(`monitor: ${d.def.mnemonic} at 0x${(pc >>> 0).toString(16)} accesses 0x${ea.toString(16)}, not the faulting 0x${(va >>> 0).toString(16)}`);
  if (sem.kind === 'load' && !device) throw new Error('monitor: a load from guest RAM cannot fault in the shadow');
  countEmulation(m, d, pc);
  performAccess(m, d, pc, gpa, device);
}

/** The fetch of an instruction from outside guest RAM: an undefined instruction, as on the machine. */
export function fetchOutsideRam(m: Monitor, pc: number): void {
  m.reflect(EXC.UNDEFINED, pc, undefined, pc);
}

/**
 * A sensitive-but-unprivileged instruction, performed against the virtual CPU
 * (binary translation's callout; trap-and-emulate never sees these, which is
 * its failure). The guest sees exactly what the bare machine would show it at
 * its virtual ring: its own STATUS, trap vector and page-table base, and a
 * flags write that changes IE only at virtual ring 0.
 */
export function emulateSensitive(m: Monitor, d: Decoded, pc: number): void {
  const v = m.vcpu, cr = m.machine.cpu.cr, R = m.machine.cpu.regs;
  const sem = d.def.sem;
  if (sem.kind !== 'system' || d.def.klass !== 'sensitive') throw new Error(`monitor: ${d.def.mnemonic} is not a sensitive instruction`);
  countEmulation(m, d, pc);
  let mayInterrupt = false;
  switch (sem.op) {
    case 'rdflags': setReg(m, d.a, v.status(cr[CR.status]!)); break;
    case 'rdtvec': setReg(m, d.a, v.tvec); break;
    case 'rdptbr': setReg(m, d.a, v.ptbr); break;
    case 'wrflags': {
      const value = R[d.a]!;
      m.setUserFlags(value);
      if (v.ring === 0) {
        mayInterrupt = !v.ie && (value & STATUS.IE) !== 0;
        v.ie = (value & STATUS.IE) !== 0;
      }
      break;
    }
    default:
      throw new Error(`monitor: no emulation for ${d.def.mnemonic}`);
  }
  m.machine.retire();
  const next = (pc + 4) | 0;
  m.mode.setGuestPc(next);
  if (mayInterrupt) m.injectIfPending(next);
}

/**
 * A load or store the translator turned into a callout (adaptive translation):
 * performed through the guest's own tables without a hardware fault, with the
 * faults the bare machine would raise (misaligned, page fault), A/D bits set
 * as its MMU would, and stores into traced page tables or translated code
 * kept coherent by the shadow.
 */
export function emulateAccessCallout(m: Monitor, d: Decoded, pc: number): void {
  const sem = d.def.sem;
  if (sem.kind !== 'load' && sem.kind !== 'store') throw new Error(`monitor: ${d.def.mnemonic} does not access memory`);
  const R = m.machine.cpu.regs;
  const store = sem.kind === 'store';
  const ea = (R[d.b]! + d.imm) >>> 0;
  const user = m.vcpu.ring === 3;
  if ((ea & (sem.width - 1)) !== 0) {
    m.reflect(EXC.MISALIGNED | (store ? CAUSE.WRITE : 0) | (user ? CAUSE.USER : 0), pc, ea, pc);
    return;
  }
  let gpa = ea;
  if (m.vcpu.pg) {
    const w = walkGuest(m.guest, m.vcpu.ptbr, ea, store ? ACCESS.WRITE : ACCESS.READ, user);
    if (!w.ok) {
      m.shadow.dropForFault(ea);
      m.reflect(w.cause, pc, ea, pc);
      return;
    }
    markAccessed(m.guest, w.t, store);
    gpa = w.t.gpa;
  }
  countEmulation(m, d, pc);
  m.counters.adaptiveAccesses++;
  performAccess(m, d, pc, gpa, !m.guest.contains(gpa, sem.width));
}

/**
 * Perform a load or store the monitor took over, at guest-physical `gpa`
 * (device memory when `device`), retire it and continue after it.
 */
export function performAccess(m: Monitor, d: Decoded, pc: number, gpa: number, device: boolean): void {
  const sem = d.def.sem;
  if (sem.kind !== 'load' && sem.kind !== 'store') throw new Error(`monitor: ${d.def.mnemonic} does not access memory`);
  const R = m.machine.cpu.regs;
  if (sem.kind === 'store') {
    if (device) m.platform.mmioWrite(gpa, sem.width, R[d.a]!);
    else m.shadow.guestStore(gpa, sem.width, R[d.a]!, pc);
  } else {
    const raw = device ? m.platform.mmioRead(gpa, sem.width) : m.guest.read(gpa, sem.width);
    const shift = 32 - 8 * sem.width;
    setReg(m, d.a, sem.signed && shift > 0 ? (raw << shift) >> shift : raw);
  }
  if (device) m.counters.mmioEmulated++;
  m.machine.retire();
  const next = (pc + 4) | 0;
  m.mode.setGuestPc(next);
  if (device) m.injectIfPending(next);
}
