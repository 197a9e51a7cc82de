// The instruction table as `virtlab isa` prints it (text, JSON, Markdown).
// docs/isa.md embeds the Markdown form verbatim, so the doc cannot drift.

import { INSTRUCTIONS, VMX_OPCODE_RANGE, type InsnDef, type OperandSpec } from '../isa/table.js';

/** Whether the instruction writes the register in field a (otherwise it reads it). */
function writesFieldA(def: InsnDef): boolean {
  const sem = def.sem;
  if (sem.kind === 'system') return ['rdflags', 'rdtvec', 'rdptbr', 'mfcr', 'in'].includes(sem.op);
  return sem.kind !== 'store' && sem.kind !== 'branch';
}

/** Operand placeholder as docs write it; the names match the `meaning` column. */
function operandSyntax(def: InsnDef, spec: OperandSpec): string {
  const branch = def.sem.kind === 'branch';
  switch (spec.kind) {
    case 'reg':
      if (spec.field === 'a') return writesFieldA(def) ? 'rd' : branch ? 'rs1' : 'rs';
      if (spec.field === 'b') return branch ? 'rs2' : 'rs1';
      return 'rs2';
    case 'cr': return 'cr';
    case 'simm16': return 'simm16';
    case 'uimm16': return 'uimm16';
    case 'shamt': return 'shamt';
    case 'mem': return 'off(rs1)';
    case 'port': return 'imm16(base)';
    case 'branch': case 'jump': return 'target';
  }
}

export interface IsaRow {
  mnemonic: string;
  opcode: number;
  format: string;
  operands: string;
  operandKinds: string[];
  class: string;
  meaning: string;
}

export function isaRows(): IsaRow[] {
  return INSTRUCTIONS.map((def) => ({
    mnemonic: def.mnemonic,
    opcode: def.opcode,
    format: def.format,
    operands: def.operands.map((s) => operandSyntax(def, s)).join(', '),
    operandKinds: def.operands.map((s) => s.kind),
    class: def.klass,
    meaning: def.meaning,
  }));
}

function opcodeHex(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}

export function isaText(): string {
  const rows = isaRows();
  const cells = rows.map((r) => [r.mnemonic, opcodeHex(r.opcode), r.format, r.operands, r.class, r.meaning]);
  const header = ['MNEMONIC', 'OPCODE', 'FMT', 'OPERANDS', 'CLASS', 'MEANING'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  return [line(header), ...cells.map(line), '', reservedNote()].join('\n') + '\n';
}

export function isaJson(): string {
  return JSON.stringify({
    instructions: isaRows(),
    reservedOpcodes: { vmx: { first: VMX_OPCODE_RANGE.first, last: VMX_OPCODE_RANGE.last } },
  }, null, 2) + '\n';
}

function escapeCell(text: string): string {
  return text.replace(/[|*_\\]/g, (c) => '\\' + c);
}

export function isaMarkdown(): string {
  const rows = isaRows();
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.class, (counts.get(r.class) ?? 0) + 1);
  const summary = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  return [
    '| Opcode | Mnemonic | Operands | Format | Class | Meaning |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${opcodeHex(r.opcode)} | \`${r.mnemonic}\` | ${r.operands ? `\`${r.operands}\`` : ''} | ${r.format} | ${r.class} | ${escapeCell(r.meaning)} |`),
    '',
    `${rows.length} instructions: ${summary}. ${reservedNote()}`,
  ].join('\n') + '\n';
}

function reservedNote(): string {
  return `Opcodes ${opcodeHex(VMX_OPCODE_RANGE.first)}-${opcodeHex(VMX_OPCODE_RANGE.last)} are reserved for VMX-like instructions, which do not exist: `
    + 'the VMX-like extension that --mode hw runs on is driven by the monitor through the machine\'s API, not by guest instructions (docs/isa.md). '
    + 'They and every other unlisted opcode (including 0x00) are undefined instructions.';
}
