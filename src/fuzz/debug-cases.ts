// Inputs for the debugger fuzzer: scripts of random command lines built from
// the command language (commands and their aliases, locations, expressions
// with every operator, registers, symbols, memory views) with some noise.

import { ABI_NAMES, CR_NAMES } from '../isa/index.js';
import { Rng } from './rng.js';

export interface DebugCase {
  /** A guest under guests/ to debug. */
  guest: string;
  mode: 'native' | 'trap' | 'bt' | 'hw';
  script: string;
  origin: string;
}

/** Small shipped guests that halt quickly; trap, syscalls, a timer and self-modifying code among them. */
const DEBUG_GUESTS = ['hello.s', 'exceptions/timer.s', 'exceptions/syscall.s', 'exceptions/pagefault.s', 'smc.s'];

const NAMES = [...ABI_NAMES, 'r0', 'r15', 'r16', 'pc', 'ring', 'step', ...CR_NAMES, '_start', 'handler', 'main', 'rt_puts', 'nosuch', 'rt_hex'];
const NUMBERS = ['0', '1', '-1', '4', '0x1000', '0x1004', '0x1002', '0xfffffffc', '0xffffffff', '4294967296', '0b101', '0o7', "'a'", '99999999999', '0x', '1e3'];
const BINARY = ['||', '&&', '|', '^', '&', '==', '!=', '<', '<=', '>', '>=', '<<', '>>', '>>>', '+', '-', '*', '/', '%'];
const UNARY = ['-', '~', '!'];

function expr(r: Rng, depth = 0): string {
  const roll = r.int(10);
  if (depth > 3 || roll < 4) return r.chance(0.5) ? r.pick(NAMES) : r.pick(NUMBERS);
  if (roll < 7) return `${expr(r, depth + 1)} ${r.pick(BINARY)} ${expr(r, depth + 1)}`;
  if (roll < 8) return `${r.pick(UNARY)}${expr(r, depth + 1)}`;
  if (roll < 9) return `(${expr(r, depth + 1)})`;
  return `[${expr(r, depth + 1)}]`;
}

const count = (r: Rng) => r.pick(['', '1', '2', '10', '100', '0', '-1', 'x', '1000000', '99999999999']);

function command(r: Rng): string {
  switch (r.int(25)) {
    case 0: case 1: return `${r.pick(['step', 's', 'si', 'stepi'])} ${count(r)}`;
    case 2: return r.pick(['next', 'n', 'ni', 'nexti']);
    case 3: return r.pick(['finish', 'fin']);
    case 4: return r.pick(['continue', 'c', 'cont']);
    case 5: case 6: return `${r.pick(['back', 'rsi', 'reverse-stepi'])} ${count(r)}`;
    case 7: case 8: return `${r.pick(['break', 'b', 'br'])} ${r.chance(0.7) ? expr(r) : ''}${r.chance(0.3) ? ` if ${expr(r)}` : ''}`;
    case 9: return `watch ${r.chance(0.2) ? '-p ' : ''}${expr(r)} ${r.pick(['', 'r', 'w', 'rw', 'x'])}${r.chance(0.3) ? ` if ${expr(r)}` : ''}`;
    case 10: return `${r.pick(['delete', 'd', 'disable', 'enable'])} ${r.pick(['', '1', '2 3', '99', 'x', '-1'])}`;
    case 11: return `${r.pick(['info', 'i'])} ${r.pick(['breakpoints', 'b', 'registers', 'r', 'history', 'h', '', 'nothing'])}`;
    case 12: return 'regs';
    case 13: case 14: return `${r.pick(['mem', 'x'])} ${r.chance(0.2) ? '-p ' : ''}${expr(r)} ${r.pick(['', '4', '64', '0', '65536', '65537', '-4'])}`;
    case 15: return `disasm ${r.chance(0.7) ? expr(r) : ''} ${r.pick(['', '1', '8', '0', '100000'])}`;
    case 16: return r.pick(['where', 'bt']);
    case 17: case 18: return `${r.pick(['print', 'p'])} ${expr(r)}`;
    case 19: return 'restart';
    case 20: return `${r.pick(['help', 'h'])} ${r.pick(['', 'step', 'break', 'watch', 'nosuch', 'mem'])}`;
    case 21: return r.pick(['', '   ', '#', ';', 'nosuch', 'step step', 'p', 'b if', 'watch', 'mem']);
    case 22: return Array.from({ length: 1 + r.int(4) }, () => r.pick([...NAMES, ...NUMBERS, ...BINARY, '[', ']', '(', ')', 'if', '-p'])).join(' ');
    case 23: return `${r.pick(['tables', 'pt'])} ${r.chance(0.6) ? expr(r) : ''}`;
    default: return `print ${expr(r)}`;
  }
}

export function debugCase(seed: number, maxLines = 25): DebugCase {
  const r = new Rng(seed);
  const lines = Array.from({ length: 1 + r.int(maxLines) }, () => command(r).trimEnd());
  if (r.chance(0.5)) lines.push('quit');
  return {
    guest: r.pick(DEBUG_GUESTS),
    mode: r.pick(['native', 'native', 'trap', 'bt', 'hw'] as const),
    script: lines.join('\n') + '\n',
    origin: `debug seed ${seed}`,
  };
}

/** Scripts that stress the debugger's limits: deep or long expressions, big counts and dumps, many breakpoints. */
export function debugStressCase(seed: number, scale: number): DebugCase {
  const r = new Rng(seed);
  const n = 1 + r.int(scale);
  const kinds: Array<[string, () => string[]]> = [
    ['parentheses', () => [`print ${'('.repeat(n)}1${')'.repeat(n)}`]],
    ['brackets', () => [`print ${'['.repeat(n)}0x1000${']'.repeat(n)}`]],
    ['unary chain', () => [`print ${Array.from({ length: n }, () => r.pick(['-', '~', '!'])).join('')}1`]],
    ['operator chain', () => [`print 1${Array.from({ length: n }, () => ` ${r.pick(BINARY)} ${r.int(9) + 1}`).join('')}`]],
    ['many breakpoints', () => [...Array.from({ length: n }, (_, i) => `break 0x${(0x1000 + 4 * (i % 64)).toString(16)} if step > ${i}`), 'continue', 'info breakpoints']],
    ['many watchpoints', () => [...Array.from({ length: n }, (_, i) => `watch 0x${(0x1000 + 4 * (i % 64)).toString(16)} rw`), 'continue', 'back 100']],
    ['big steps back and forth', () => [`step ${n * 10}`, `back ${n * 10}`, `step ${n * 10}`, 'restart', `back ${n}`]],
    ['big dumps', () => ['mem 0 65536', 'mem -p 0xfffff000 65536', `disasm 0x1000 ${n}`, 'disasm 0xfffffffc 8']],
    ['long line', () => [`print ${'a0+'.repeat(n)}1`, `${'x'.repeat(n * 10)}`]],
  ];
  const [name, make] = r.pick(kinds);
  return { guest: r.pick(DEBUG_GUESTS), mode: r.pick(['native', 'trap', 'bt', 'hw'] as const), script: `${make().join('\n')}\nquit\n`, origin: `debug stress seed ${seed}: ${name} (${n})` };
}
