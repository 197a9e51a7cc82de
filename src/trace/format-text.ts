// The human-readable trace: one aligned line per record. Instruction lines:
//
//   step  pc          ring  disassembly                     effects                                 ; location
//      3  0x00001008  r0    lbu t0, 0(a0)                   t0=0x00000048 load.b 0x00002000=0x48    ; _start+0x8 hello.s:10
//
// Event lines keep the step column and put the record type where the pc was:
//
//      5  io          out port 0x10 <- 0x00000048 (console)

import { basename } from 'node:path';
import type { FrameRecord, InsnRecord, IommuRecord, MemRecord, MonitorRecord, TraceRecord } from './records.js';

const STEP_WIDTH = 8;
const DISASM_WIDTH = 30;
const EFFECTS_WIDTH = 38;

export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

function hexSized(n: number, size: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(size * 2, '0');
}

const SIZE_SUFFIX: Record<number, string> = { 1: 'b', 2: 'h', 4: 'w' };

function memText(m: MemRecord): string {
  const phys = m.paddr === m.vaddr ? '' : ` (pa ${hex32(m.paddr)})`;
  return `${m.kind === 'read' ? 'load' : 'store'}.${SIZE_SUFFIX[m.size]} ${hex32(m.vaddr)}=${hexSized(m.value, m.size)}${phys}`;
}

function effects(r: InsnRecord): string {
  const parts = [
    ...r.regs.map((x) => `${x.reg}=${hex32(x.value)}`),
    ...r.cr.map((x) => `${x.cr}=${hex32(x.value)}`),
    ...r.mem.map(memText),
  ];
  if (!r.retired) parts.push('(trapped)');
  return parts.join(' ');
}

function location(r: InsnRecord): string {
  const where: string[] = [];
  if (r.sym !== null) where.push(r.sym);
  if (r.src !== null) {
    const colon = r.src.lastIndexOf(':');
    where.push(basename(r.src.slice(0, colon)) + r.src.slice(colon));
  }
  const tc = translation(r);
  if (tc) where.push(tc);
  return where.join(' ');
}

/**
 * Under bt, for a step run from the translation cache: `[tc ADDR]` for a
 * copied guest word, `[tc ADDR ROLE: WORD]` when the word executed is not the
 * guest's; overhead steps show the translated word as their disassembly, so
 * only the role here.
 */
function translation(r: InsnRecord): string {
  if (r.tc === undefined || r.tc === null) return '';
  if (r.overhead) return `[tc ${hex32(r.tc)} ${r.tcRole}]`;
  return r.tcWord === r.word ? `[tc ${hex32(r.tc)}]` : `[tc ${hex32(r.tc)} ${r.tcRole}: ${r.tcDisasm}]`;
}

/** ` [tc ADDR]` after an event that happened in the translation cache (bt), or ''. */
function tcSuffix(tc: number | null | undefined): string {
  return tc === undefined || tc === null ? '' : ` [tc ${hex32(tc)}]`;
}

function eventLine(step: number, type: string, text: string): string {
  return `${String(step).padStart(STEP_WIDTH)}  ${type.padEnd(10)}  ${text}`;
}

function orNull(n: number | null, f: (n: number) => string): string {
  return n === null ? '-' : f(n);
}

export function formatTextRecord(r: TraceRecord): string {
  switch (r.type) {
    case 'insn': {
      // A step of translation overhead shows the word it ran, marked `+`, under the guest instruction it belongs to.
      const disasm = r.overhead ? `+ ${r.tcDisasm}` : r.disasm;
      const head = `${String(r.step).padStart(STEP_WIDTH)}  ${hex32(r.pc)}  r${r.ring}  ${disasm.padEnd(DISASM_WIDTH)}`;
      const where = location(r);
      const eff = effects(r);
      return (where ? `${head}  ${eff.padEnd(EFFECTS_WIDTH)}  ; ${where}` : `${head}  ${eff}`).trimEnd();
    }
    case 'halt': return eventLine(r.step, 'halt', `exit code ${r.code}`);
    case 'exception': {
      const detail = r.detail.length ? ` [${r.detail.join(',')}]` : '';
      const fa = r.faultaddr === null ? '' : ` faultaddr ${hex32(r.faultaddr)}`;
      return eventLine(r.step, 'exception',
        `${r.name} (cause ${hex32(r.cause)})${detail} pc ${hex32(r.pc)} epc ${hex32(r.epc)}${fa} -> ${r.delivered}${tcSuffix(r.tc)}`);
    }
    case 'interrupt':
      return eventLine(r.step, 'interrupt',
        `line ${r.line} (cause ${hex32(r.cause)}) epc ${hex32(r.epc)} -> ${r.delivered}${tcSuffix(r.tc)}${r.delivery === 'posted' ? ' (posted)' : ''}`);
    case 'idle': return eventLine(r.step, 'idle', `${r.ticks} ticks`);
    case 'io':
      return eventLine(r.step, 'io', `${r.dir.padEnd(3)} port 0x${r.port.toString(16)} ${r.dir === 'in' ? '->' : '<-'} ${hex32(r.value)} (${r.device ?? 'unmapped'})`);
    case 'mmio':
      return eventLine(r.step, 'mmio', `${r.dir.padEnd(5)} ${hex32(r.paddr)}.${SIZE_SUFFIX[r.size] ?? r.size} ${r.dir === 'read' ? '->' : '<-'} ${hexSized(r.value, r.size)} (${r.device ?? 'unmapped'})`);
    case 'walk': {
      const result = r.fault === null ? `-> ${orNull(r.paddr, hex32)}` : `-> fault (cause ${hex32(r.fault)})`;
      return eventLine(r.step, 'walk', `${r.access.padEnd(5)} ${hex32(r.vaddr)} pde ${hex32(r.pde)} pte ${orNull(r.pte, hex32)} ${result}`);
    }
    case 'tlb-flush': return eventLine(r.step, 'tlb-flush', r.vaddr === null ? 'all' : `page ${hex32(r.vaddr)}`);
    case 'monitor': return eventLine(r.step, 'monitor', monitorText(r));
    case 'frame': return eventLine(r.step, 'frame', frameText(r));
    case 'mailbox': return eventLine(r.step, 'mailbox', `vf${r.vf} ${r.message} -> ${r.reply}`);
    case 'iommu': return eventLine(r.step, 'iommu', iommuText(r));
  }
}

/**
 * `translate REQ domain D read GPA -> HPA (iotlb hit)`, `fault REQ domain D write ADDR (REASON)`,
 * `invalidate SCOPE [domain D] [page ADDR]: N entries`.
 */
function iommuText(r: IommuRecord): string {
  const domain = r.domain === null ? '' : ` domain ${r.domain}`;
  switch (r.event) {
    case 'translate': return `translate  ${r.requester}${domain} ${r.access} ${hex32(r.address ?? 0)} -> ${hex32(r.hpa ?? 0)} (iotlb ${r.iotlb})`;
    case 'fault': return `fault      ${r.requester}${domain} ${r.access} ${hex32(r.address ?? 0)} (${r.reason}${r.recorded ? '' : ', not recorded'})`;
    case 'invalidate': return `invalidate ${r.scope}${domain}${r.address === null ? '' : ` page ${hex32(r.address)}`}: ${r.dropped} entries`;
  }
}

/**
 * `EVENT  WHERE  SRC > DST  [vlan N  ]0xTYPE  LEN bytes` then `-> PORTS` (forward, flood)
 * or `(REASON)` (drop): the event and place padded so that the MACs line up.
 */
function frameText(r: FrameRecord): string {
  const vlan = r.vlan === null ? '' : `vlan ${r.vlan}  `;
  const tail = r.to !== null ? ` -> ${r.to.length ? r.to.join(',') : '(none)'}` : r.reason !== null ? ` (${r.reason})` : '';
  return `${r.event.padEnd(7)} ${r.where.padEnd(10)} ${r.src} > ${r.dst}  ${vlan}0x${r.ethertype.toString(16).padStart(4, '0')}  ${r.length} bytes${tail}`;
}

function at(addr: number | null, r: MonitorRecord): string {
  return addr === null ? '' : `${hex32(addr)}${r.sym === null ? '' : ` <${r.sym}>`}`;
}

function monitorText(r: MonitorRecord): string {
  switch (r.event) {
    case 'trap': return `trap ${r.name} (cause ${hex32(r.cause ?? 0)}) pc ${at(r.pc, r)}${tcSuffix(r.tc)}`;
    case 'emulate': return `emulate ${r.mnemonic} pc ${at(r.pc, r)}`;
    case 'reflect': {
      const fa = r.faultaddr === null ? '' : ` faultaddr ${hex32(r.faultaddr)}`;
      return `reflect ${r.name} (cause ${hex32(r.cause ?? 0)}) epc ${at(r.epc, r)}${fa}`;
    }
    case 'inject': return `inject line ${r.line} epc ${at(r.epc, r)}`;
    case 'shadow-fill': {
      const perm = [r.write ? 'write' : '', r.user ? 'user' : ''].filter(Boolean);
      return `shadow-fill ${at(r.vaddr, r)} -> gpa ${hex32(r.gpa ?? 0)}${perm.length ? ` [${perm.join(',')}]` : ''}`;
    }
    case 'shadow-invalidate': return `shadow-invalidate ${r.region ? 'region' : 'page'} ${hex32(r.vaddr ?? 0)} (${r.reason})`;
    case 'traced-write': return `traced-write gpa ${hex32(r.gpa ?? 0)} <- ${hex32(r.value ?? 0)} pc ${at(r.pc, r)}`;
    case 'shadow-switch':
      return `shadow-switch ${r.key === -1 ? 'paging off' : `directory ${hex32(r.key ?? 0)}`}${r.created ? ' (new)' : ''}`;
    case 'translate': return `translate ${at(r.pc, r)} gpa ${hex32(r.gpa ?? 0)}: ${r.insns} insns -> ${r.words} words at tc ${hex32(r.tc ?? 0)}`;
    case 'callout': {
      const to = r.target === null ? '' : ` -> ${hex32(r.target)}`;
      return `callout ${r.callout} ${r.what} pc ${at(r.pc, r)}${to}`;
    }
    case 'chain': return `chain ${at(r.pc, r)} -> ${hex32(r.target ?? 0)}`;
    case 'tc-invalidate': {
      // code-write: the guest stored into the unit's code; retranslate: the store at gpa becomes a callout.
      const gpa = r.gpa === null ? '' : `, ${r.reason === 'retranslate' ? 'store at' : 'write to'} gpa ${hex32(r.gpa)}`;
      return `tc-invalidate unit ${at(r.pc, r)} (${r.reason}${gpa})`;
    }
    case 'tc-flush': return `tc-flush ${r.units} units`;
    case 'vmexit': return `vmexit ${r.reason} pc ${at(r.pc, r)}`;
    case 'hypercall': return `hypercall ${r.name} pc ${at(r.pc, r)}${r.value === null ? '' : ` -> ${r.value}${r.what === null ? '' : ` (${r.what})`}`}`;
  }
}

/** A closing remark (why the trace ended); text format only. */
export function formatTextNote(note: string): string {
  return `-- ${note}`;
}
