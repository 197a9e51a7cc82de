// Text form of one instruction. The output is valid assembler input: branch and
// jump targets are printed as absolute addresses (or labels), so disassembling
// and reassembling at the same address yields identical bytes.

import { CR_NAMES } from './arch.js';
import { decode, operandValues, type Decoded } from './encoding.js';
import { regName } from './registers.js';

/** Names an address, e.g. from an image's symbol table; undefined for none. */
export type SymbolLookup = (addr: number) => string | undefined;

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

export function formatDecoded(d: Decoded, pc: number, symbolAt?: SymbolLookup): string {
  const values = operandValues(d);
  const parts = d.def.operands.map((spec, i) => {
    const v = values[i]!;
    switch (spec.kind) {
      case 'reg': return regName(v as number);
      case 'cr': return CR_NAMES[v as number]!;
      case 'simm16': return String(v);
      case 'uimm16': return hex(v as number);
      case 'shamt': return String(v);
      case 'mem': { const m = v as { offset: number; base: number }; return `${m.offset}(${regName(m.base)})`; }
      case 'port': { const m = v as { offset: number; base: number }; return `${hex(m.offset)}(${regName(m.base)})`; }
      case 'branch': case 'jump': {
        const target = (pc + (v as number)) >>> 0;
        return symbolAt?.(target) ?? hex(target);
      }
    }
  });
  return parts.length ? `${d.def.mnemonic} ${parts.join(', ')}` : d.def.mnemonic;
}

/** Disassemble one word at `pc`; a word that is not an instruction prints as `.word`. */
export function disassembleWord(word: number, pc: number, symbolAt?: SymbolLookup): string {
  const d = decode(word);
  return d ? formatDecoded(d, pc, symbolAt) : `.word ${hex(word)}`;
}
