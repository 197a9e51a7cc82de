import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { INSTRUCTIONS, VMX_OPCODE_RANGE } from '../../src/isa/index.js';
import { oneErrorLine, runCli } from './run.js';

describe('virtlab isa', () => {
  test('the text table has a row per instruction with opcode, format and class', async () => {
    const r = await runCli(['isa']);
    expect(r.code).toBe(0);
    for (const def of INSTRUCTIONS) {
      const opcode = '0x' + def.opcode.toString(16).padStart(2, '0');
      expect(r.stdout).toMatch(new RegExp(`^${def.mnemonic}\\s+${opcode}\\s+${def.format}\\s+.*\\b${def.klass}\\s+`, 'm'));
    }
  });

  test('--json lists every table row with its class, operands and meaning', async () => {
    const r = await runCli(['isa', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { instructions: { mnemonic: string; opcode: number; format: string; class: string; meaning: string; operandKinds: string[]; operands: string }[]; reservedOpcodes: { vmx: { first: number; last: number } } };
    expect(json.instructions).toHaveLength(INSTRUCTIONS.length);
    INSTRUCTIONS.forEach((def, i) => {
      const row = json.instructions[i]!;
      expect(row).toMatchObject({ mnemonic: def.mnemonic, opcode: def.opcode, format: def.format, class: def.klass, meaning: def.meaning });
      expect(row.operandKinds).toEqual(def.operands.map((o) => o.kind));
      expect(row.operands.split(', ').filter(Boolean)).toHaveLength(def.operands.length);
    });
    expect(json.reservedOpcodes.vmx).toEqual({ first: VMX_OPCODE_RANGE.first, last: VMX_OPCODE_RANGE.last });
  });

  test('operand names match the meaning column', async () => {
    const json = JSON.parse((await runCli(['isa', '--json'])).stdout) as { instructions: { mnemonic: string; operands: string }[] };
    const ops = Object.fromEntries(json.instructions.map((r) => [r.mnemonic, r.operands]));
    expect(ops).toMatchObject({
      add: 'rd, rs1, rs2', addi: 'rd, rs1, simm16', lw: 'rd, off(rs1)', sw: 'rs, off(rs1)', beq: 'rs1, rs2, target',
      jal: 'rd, target', mtcr: 'cr, rs', mfcr: 'rd, cr', in: 'rd, imm16(base)', out: 'rs, imm16(base)', wrflags: 'rs', rdflags: 'rd', rett: '',
    });
  });

  test('--markdown is exactly the table in docs/isa.md, between the markers', async () => {
    const r = await runCli(['isa', '--markdown']);
    expect(r.code).toBe(0);
    const doc = readFileSync(new URL('../../docs/isa.md', import.meta.url), 'utf8');
    const m = /<!-- isa-table:begin -->\n([\s\S]*?)<!-- isa-table:end -->/.exec(doc);
    expect(m, 'docs/isa.md lacks the isa-table markers').not.toBeNull();
    expect(m![1], 'docs/isa.md is stale: paste the output of `virtlab isa --markdown` between the markers').toBe(r.stdout);
    for (const def of INSTRUCTIONS) expect(r.stdout).toContain(`| \`${def.mnemonic}\` |`);
  });

  test('--json with --markdown is a usage error', async () => {
    const r = await runCli(['isa', '--json', '--markdown']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe('virtlab: --json and --markdown cannot be combined');
  });
});
