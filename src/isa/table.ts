// The instruction table: the single source of truth for ISA v1. The assembler,
// disassembler, `virtlab isa`, docs and every executor derive from these rows;
// no opcode number appears anywhere else in the code base.

/** Popek & Goldberg classification of each instruction. */
export type VirtClass =
  | 'innocuous' // behaves the same at every ring, touches no privileged state
  | 'privileged' // faults (protection fault) outside ring 0
  | 'sensitive' // sensitive but NOT privileged: reveals or silently ignores privileged state at ring > 0
  | 'hypercall'; // undefined-instruction fault on bare metal; a call to the monitor under pv

/**
 * Bit fields of a 32-bit instruction word:
 *   op[31:24]  a[23:20]  b[19:16]  c[15:12]   (R: bits 11:0 are zero)
 *   op[31:24]  a[23:20]  b[19:16]  imm16[15:0]
 *   op[31:24]  a[23:20]  imm20[19:0]
 * Bits a format does not use are reserved and must be zero; a word with a
 * reserved bit set decodes as an undefined instruction.
 */
export type Field = 'a' | 'b' | 'c';
export type Format = 'R' | 'I' | 'J';

export type OperandSpec =
  | { kind: 'reg'; field: Field } // general register
  | { kind: 'cr'; field: 'b' } // control register name
  | { kind: 'simm16' } // signed 16-bit immediate, sign-extended
  | { kind: 'uimm16' } // unsigned 16-bit immediate, zero-extended
  | { kind: 'shamt' } // shift amount 0..31 (imm16 field)
  | { kind: 'mem' } // simm16(base): byte address = base + sext(imm16); base in field b
  | { kind: 'port' } // uimm16(base): port = (base + zext(imm16)) & 0xffff; base in field b
  | { kind: 'branch' } // pc-relative word offset in imm16: target = pc + sext(imm16)*4
  | { kind: 'jump' }; // pc-relative word offset in imm20: target = pc + sext(imm20)*4

export type SystemOp =
  | 'syscall' | 'brk' | 'hcall'
  | 'rdflags' | 'wrflags' | 'rdtvec' | 'rdptbr'
  | 'mfcr' | 'mtcr' | 'rett' | 'halt' | 'wfi' | 'in' | 'out' | 'tlbi' | 'tlbia' | 'cli' | 'sti';

/**
 * Semantics hook. ALU and branch rows carry a JavaScript expression over the
 * int32 operands `a` and `b` (and helpers `H.*` from semantics.ts), so the
 * interpreter and a later JIT generate their code from the same text.
 */
export type Semantics =
  | { kind: 'alu'; expr: string; trapsOnZero?: true } // rd = expr(a = rs1, b = rs2 or immediate)
  | { kind: 'lui' } // rd = imm16 << 16
  | { kind: 'auipc' } // rd = pc + (imm16 << 16)
  | { kind: 'load'; width: 1 | 2 | 4; signed: boolean }
  | { kind: 'store'; width: 1 | 2 | 4 }
  | { kind: 'branch'; cond: string }
  | { kind: 'jal' }
  | { kind: 'jalr' }
  | { kind: 'system'; op: SystemOp };

export interface InsnDef {
  mnemonic: string;
  opcode: number;
  format: Format;
  operands: readonly OperandSpec[];
  klass: VirtClass;
  sem: Semantics;
  /** One line, as printed by `virtlab isa` and docs/isa.md. */
  meaning: string;
  /**
   * A jump (an unconditional transfer, call and return included): every
   * executor counts it retired in the machine's `jumps` counter, which the
   * cost model prices (docs/cost-model.md). Branches are not jumps.
   */
  jump?: true;
}

const rd: OperandSpec = { kind: 'reg', field: 'a' };
const rs1: OperandSpec = { kind: 'reg', field: 'b' };
const rs2: OperandSpec = { kind: 'reg', field: 'c' };
const rsA: OperandSpec = { kind: 'reg', field: 'a' }; // a source register held in field a (stores, out, halt, ...)
const cr: OperandSpec = { kind: 'cr', field: 'b' };
const simm: OperandSpec = { kind: 'simm16' };
const uimm: OperandSpec = { kind: 'uimm16' };
const shamt: OperandSpec = { kind: 'shamt' };
const mem: OperandSpec = { kind: 'mem' };
const port: OperandSpec = { kind: 'port' };
const branch: OperandSpec = { kind: 'branch' };
const jump: OperandSpec = { kind: 'jump' };

function aluR(mnemonic: string, opcode: number, expr: string, meaning: string, trapsOnZero = false): InsnDef {
  return { mnemonic, opcode, format: 'R', operands: [rd, rs1, rs2], klass: 'innocuous',
    sem: trapsOnZero ? { kind: 'alu', expr, trapsOnZero: true } : { kind: 'alu', expr }, meaning };
}
function aluI(mnemonic: string, opcode: number, imm: OperandSpec, expr: string, meaning: string): InsnDef {
  return { mnemonic, opcode, format: 'I', operands: [rd, rs1, imm], klass: 'innocuous', sem: { kind: 'alu', expr }, meaning };
}
function load(mnemonic: string, opcode: number, width: 1 | 2 | 4, signed: boolean, meaning: string): InsnDef {
  return { mnemonic, opcode, format: 'I', operands: [rd, mem], klass: 'innocuous', sem: { kind: 'load', width, signed }, meaning };
}
function store(mnemonic: string, opcode: number, width: 1 | 2 | 4, meaning: string): InsnDef {
  return { mnemonic, opcode, format: 'I', operands: [rsA, mem], klass: 'innocuous', sem: { kind: 'store', width }, meaning };
}
function br(mnemonic: string, opcode: number, cond: string, meaning: string): InsnDef {
  return { mnemonic, opcode, format: 'I', operands: [{ kind: 'reg', field: 'a' }, { kind: 'reg', field: 'b' }, branch],
    klass: 'innocuous', sem: { kind: 'branch', cond }, meaning };
}
function sys(mnemonic: string, opcode: number, format: Format, operands: OperandSpec[], klass: VirtClass, op: SystemOp, meaning: string): InsnDef {
  return { mnemonic, opcode, format, operands, klass, sem: { kind: 'system', op }, meaning };
}

export const INSTRUCTIONS: readonly InsnDef[] = [
  // opcode 0x00 is reserved: an all-zero word (fresh memory) is an undefined instruction.
  aluR('add', 0x01, '(a + b) | 0', 'rd = rs1 + rs2 (wrapping)'),
  aluR('sub', 0x02, '(a - b) | 0', 'rd = rs1 - rs2 (wrapping)'),
  aluR('and', 0x03, 'a & b', 'rd = rs1 & rs2'),
  aluR('or', 0x04, 'a | b', 'rd = rs1 | rs2'),
  aluR('xor', 0x05, 'a ^ b', 'rd = rs1 ^ rs2'),
  aluR('sll', 0x06, 'a << (b & 31)', 'rd = rs1 << (rs2 & 31)'),
  aluR('srl', 0x07, '(a >>> (b & 31)) | 0', 'rd = rs1 >> (rs2 & 31), logical'),
  aluR('sra', 0x08, 'a >> (b & 31)', 'rd = rs1 >> (rs2 & 31), arithmetic'),
  aluR('slt', 0x09, 'a < b ? 1 : 0', 'rd = 1 if rs1 < rs2 (signed) else 0'),
  aluR('sltu', 0x0a, '(a >>> 0) < (b >>> 0) ? 1 : 0', 'rd = 1 if rs1 < rs2 (unsigned) else 0'),
  aluR('mul', 0x0b, 'Math.imul(a, b)', 'rd = low 32 bits of rs1 * rs2'),
  aluR('mulh', 0x0c, 'H.mulh(a, b)', 'rd = high 32 bits of rs1 * rs2 (signed)'),
  aluR('mulhu', 0x0d, 'H.mulhu(a, b)', 'rd = high 32 bits of rs1 * rs2 (unsigned)'),
  aluR('div', 0x0e, '(a / b) | 0', 'rd = rs1 / rs2 (signed, toward zero); divide-by-zero fault if rs2 = 0', true),
  aluR('divu', 0x0f, '((a >>> 0) / (b >>> 0)) >>> 0 | 0', 'rd = rs1 / rs2 (unsigned); divide-by-zero fault if rs2 = 0', true),
  aluR('rem', 0x10, '(a % b) | 0', 'rd = rs1 % rs2 (signed, sign of rs1); divide-by-zero fault if rs2 = 0', true),
  aluR('remu', 0x11, '((a >>> 0) % (b >>> 0)) | 0', 'rd = rs1 % rs2 (unsigned); divide-by-zero fault if rs2 = 0', true),

  aluI('addi', 0x20, simm, '(a + b) | 0', 'rd = rs1 + sext(imm16)'),
  aluI('andi', 0x21, uimm, 'a & b', 'rd = rs1 & zext(imm16)'),
  aluI('ori', 0x22, uimm, 'a | b', 'rd = rs1 | zext(imm16)'),
  aluI('xori', 0x23, uimm, 'a ^ b', 'rd = rs1 ^ zext(imm16)'),
  aluI('slli', 0x24, shamt, 'a << b', 'rd = rs1 << shamt'),
  aluI('srli', 0x25, shamt, '(a >>> b) | 0', 'rd = rs1 >> shamt, logical'),
  aluI('srai', 0x26, shamt, 'a >> b', 'rd = rs1 >> shamt, arithmetic'),
  aluI('slti', 0x27, simm, 'a < b ? 1 : 0', 'rd = 1 if rs1 < sext(imm16) (signed) else 0'),
  aluI('sltiu', 0x28, simm, '(a >>> 0) < (b >>> 0) ? 1 : 0', 'rd = 1 if rs1 < sext(imm16) (unsigned compare) else 0'),
  { mnemonic: 'lui', opcode: 0x29, format: 'I', operands: [rd, uimm], klass: 'innocuous', sem: { kind: 'lui' },
    meaning: 'rd = imm16 << 16 (with ori: any 32-bit constant)' },
  { mnemonic: 'auipc', opcode: 0x2a, format: 'I', operands: [rd, uimm], klass: 'innocuous', sem: { kind: 'auipc' },
    meaning: 'rd = pc + (imm16 << 16) (pc-relative addressing)' },

  load('lw', 0x30, 4, true, 'rd = mem32[rs1 + off]; address must be 4-aligned'),
  load('lh', 0x31, 2, true, 'rd = sext(mem16[rs1 + off]); address must be 2-aligned'),
  load('lhu', 0x32, 2, false, 'rd = zext(mem16[rs1 + off]); address must be 2-aligned'),
  load('lb', 0x33, 1, true, 'rd = sext(mem8[rs1 + off])'),
  load('lbu', 0x34, 1, false, 'rd = zext(mem8[rs1 + off])'),
  store('sw', 0x38, 4, 'mem32[rs1 + off] = rs; address must be 4-aligned'),
  store('sh', 0x39, 2, 'mem16[rs1 + off] = low 16 bits of rs; address must be 2-aligned'),
  store('sb', 0x3a, 1, 'mem8[rs1 + off] = low 8 bits of rs'),

  br('beq', 0x40, 'a === b', 'branch if rs1 == rs2'),
  br('bne', 0x41, 'a !== b', 'branch if rs1 != rs2'),
  br('blt', 0x42, 'a < b', 'branch if rs1 < rs2 (signed)'),
  br('bge', 0x43, 'a >= b', 'branch if rs1 >= rs2 (signed)'),
  br('bltu', 0x44, '(a >>> 0) < (b >>> 0)', 'branch if rs1 < rs2 (unsigned)'),
  br('bgeu', 0x45, '(a >>> 0) >= (b >>> 0)', 'branch if rs1 >= rs2 (unsigned)'),
  { mnemonic: 'jal', opcode: 0x48, format: 'J', operands: [rd, jump], klass: 'innocuous', sem: { kind: 'jal' },
    meaning: 'rd = pc + 4; pc = target (pc-relative, +-2 MiB)', jump: true },
  { mnemonic: 'jalr', opcode: 0x49, format: 'I', operands: [rd, rs1, simm], klass: 'innocuous', sem: { kind: 'jalr' },
    meaning: 'rd = pc + 4; pc = rs1 + sext(imm16); misaligned fault if the target is not 4-aligned', jump: true },

  sys('syscall', 0x50, 'I', [], 'innocuous', 'syscall', 'system-call exception; saved pc is the next instruction'),
  sys('brk', 0x51, 'I', [], 'innocuous', 'brk', 'breakpoint exception; saved pc is the brk itself'),
  sys('hcall', 0x52, 'I', [uimm], 'hypercall', 'hcall', 'hypercall imm16 to the monitor; undefined-instruction fault on bare metal'),

  // Sensitive but unprivileged, by design (Robin & Irvine 2000: x86 PUSHF/POPF, SMSW, SGDT/SIDT).
  sys('rdflags', 0x58, 'I', [rd], 'sensitive', 'rdflags', 'rd = STATUS at any ring: shows the real ring and interrupt flag (like PUSHF/SMSW)'),
  sys('wrflags', 0x59, 'I', [rsA], 'sensitive', 'wrflags', 'flags = rs: IE and user flags at ring 0; outside ring 0 only user flags, IE silently kept (like POPF)'),
  sys('rdtvec', 0x5a, 'I', [rd], 'sensitive', 'rdtvec', 'rd = trap-vector base, at any ring (like SIDT)'),
  sys('rdptbr', 0x5b, 'I', [rd], 'sensitive', 'rdptbr', 'rd = page-table base, at any ring (like SGDT/SLDT)'),

  sys('mfcr', 0x60, 'I', [rd, cr], 'privileged', 'mfcr', 'rd = control register'),
  sys('mtcr', 0x61, 'I', [cr, { kind: 'reg', field: 'a' }], 'privileged', 'mtcr', 'control register = rs (STATUS.CPL is read-only)'),
  sys('rett', 0x62, 'I', [], 'privileged', 'rett', 'return from trap: pc = EPC, ring = STATUS.PPL, IE = STATUS.PIE'),
  sys('halt', 0x63, 'I', [rsA], 'privileged', 'halt', 'stop the machine with exit code rs'),
  sys('wfi', 0x64, 'I', [], 'privileged', 'wfi', 'wait until an interrupt is pending (taken only if IE)'),
  sys('in', 0x65, 'I', [rd, port], 'privileged', 'in', 'rd = port[base + imm16]'),
  sys('out', 0x66, 'I', [rsA, port], 'privileged', 'out', 'port[base + imm16] = rs'),
  sys('tlbi', 0x67, 'I', [rsA], 'privileged', 'tlbi', 'invalidate the TLB entry for the page holding virtual address rs'),
  sys('tlbia', 0x68, 'I', [], 'privileged', 'tlbia', 'invalidate the whole TLB'),
  sys('cli', 0x69, 'I', [], 'privileged', 'cli', 'disable interrupts (IE = 0)'),
  sys('sti', 0x6a, 'I', [], 'privileged', 'sti', 'enable interrupts (IE = 1)'),
];

/** Opcodes 0xe0..0xef are reserved for VMX-like instructions: undefined, since the monitor drives the VMX-like extension through the machine's API (docs/isa.md). */
export const VMX_OPCODE_RANGE = { first: 0xe0, last: 0xef } as const;

const byOpcode: (InsnDef | undefined)[] = new Array(256).fill(undefined);
const byMnemonic = new Map<string, InsnDef>();
for (const def of INSTRUCTIONS) {
  if (byOpcode[def.opcode]) throw new Error(`ISA table: opcode 0x${def.opcode.toString(16)} used twice`);
  if (def.opcode >= VMX_OPCODE_RANGE.first && def.opcode <= VMX_OPCODE_RANGE.last) throw new Error('ISA table: opcode in VMX range');
  byOpcode[def.opcode] = def;
  byMnemonic.set(def.mnemonic, def);
}

/** The row for an opcode, indexed by number: undefined means undefined instruction. */
export const OPCODES: readonly (InsnDef | undefined)[] = byOpcode;

export function lookupMnemonic(mnemonic: string): InsnDef | undefined {
  return byMnemonic.get(mnemonic.toLowerCase());
}

export const MNEMONICS: readonly string[] = INSTRUCTIONS.map((d) => d.mnemonic);
