// Image -> assembler source that reassembles to the same bytes at the same
// addresses: every section opens with its directive and an `.org`, labels come
// from the symbol table, instructions from the ISA's disassembleWord, other
// bytes as .word/.byte, .bss extents as .space.

import type { Image, ImageSection, ImageSymbol } from '../elf/image.js';
import { disassembleWord } from '../isa/disasm.js';
import { planLabels, type LabelPlan } from './labels.js';

export interface DisasmOptions {
  /** Put the address and the hex word in a comment beside each line. */
  addresses?: boolean;
  /** Shown in the heading comment (a file name). */
  name?: string;
}

const INDENT = '        ';
const COMMENT_COLUMN = 48;
const MNEMONIC_WIDTH = 8;
const DATA_WORDS_PER_LINE = 4;

export function disassembleImage(image: Image, opts: DisasmOptions = {}): string {
  const entry = entryLabel(image);
  const plan = planLabels(entry.symbol ? { ...image, symbols: [...image.symbols, entry.symbol] } : image);
  const out: string[] = [];
  out.push(`; virtlab disassembly${opts.name ? ` of ${opts.name}` : ''}`);
  out.push(`; entry 0x${hex(image.entry)}${entry.note ? `: ${entry.note}` : ''}`);
  for (const sym of plan.unnamed) out.push(`; symbol ${JSON.stringify(sym.name)} = 0x${hex(sym.value)} cannot be written back as a label`);

  const head: string[] = [];
  for (const sym of plan.equates) {
    head.push(`${INDENT}${columns(`.equ ${sym.name}`)}, 0x${hex(sym.value)}${sym.section ? `  ; was a label in ${sym.section}` : ''}`);
    if (sym.global) head.push(`${INDENT}${columns(`.global ${sym.name}`)}`);
  }
  if (head.length) out.push('', ...head);

  image.sections.forEach((section, index) => {
    out.push('', INDENT + section.name, INDENT + columns(`.org 0x${hex(section.addr)}`));
    const labels = plan.bySection.get(index) ?? new Map<number, ImageSymbol[]>();
    const body = new SectionWriter(out, labels, opts.addresses === true);
    if (section.name === '.bss') emitSpace(section, body);
    else if (section.flags.exec) emitCode(section, body, plan);
    else emitData(section, body);
    body.labelsAt((section.addr >>> 0) + section.size); // end labels
  });
  return out.join('\n') + '\n';
}

/**
 * The assembler takes the entry point from `_start`, else the start of .text.
 * When neither gives the image's entry, a `_start` label at the entry does.
 */
function entryLabel(image: Image): { symbol?: ImageSymbol; note?: string } {
  const entry = image.entry >>> 0;
  const start = image.symbols.find((s) => s.name === '_start');
  if (start) return (start.value >>> 0) === entry ? {} : { note: `not _start (0x${hex(start.value)}); reassembly will enter at _start` };
  const text = image.sections.find((s) => s.name === '.text');
  if (text && (text.addr >>> 0) === entry) return {};
  const holder = image.sections.find((s) => entry >= s.addr >>> 0 && entry < (s.addr >>> 0) + s.size);
  if (!holder) return { note: 'outside every section; reassembly will enter at the start of .text' };
  return { symbol: { name: '_start', value: entry, section: holder.name, global: false, kind: 'func' }, note: 'labelled _start below so that reassembly keeps it' };
}

/** A flat binary of code loaded at `base`: one .text section, no symbols. */
export function disassembleRaw(bytes: Uint8Array, base: number, opts: DisasmOptions = {}): string {
  return disassembleImage({
    entry: base,
    sections: [{ name: '.text', addr: base >>> 0, data: bytes, size: bytes.length, flags: { read: true, write: false, exec: true } }],
    symbols: [],
    lines: [],
  }, opts);
}

class SectionWriter {
  private readonly done = new Set<number>();
  constructor(
    private readonly out: string[],
    private readonly labels: Map<number, ImageSymbol[]>,
    private readonly annotate: boolean,
  ) {}

  /** Addresses inside [from, to) where a label must interrupt a run of data. */
  breaks(from: number, to: number): number[] {
    return [...this.labels.keys()].filter((a) => a > from && a < to).sort((x, y) => x - y);
  }

  /** Whether a label falls strictly inside the `n` bytes at `addr` (cheap: n is at most a word). */
  labelInside(addr: number, n: number): boolean {
    for (let a = addr + 1; a < addr + n; a++) if (this.labels.has(a)) return true;
    return false;
  }

  labelsAt(addr: number): void {
    if (this.done.has(addr)) return;
    this.done.add(addr);
    for (const sym of this.labels.get(addr) ?? []) {
      if (sym.global) this.out.push(`${INDENT}${columns(`.global ${sym.name}`)}`);
      this.out.push(`${sym.name}:`);
    }
  }

  line(addr: number, text: string, note?: string): void {
    this.labelsAt(addr);
    const code = INDENT + columns(text);
    if (!this.annotate) { this.out.push(code); return; }
    this.out.push(`${code.padEnd(COMMENT_COLUMN - 1)} ; ${hex(addr).padStart(8, '0')}${note ? `: ${note}` : ''}`);
  }
}

function emitCode(section: ImageSection, w: SectionWriter, plan: LabelPlan): void {
  const view = new DataView(section.data.buffer, section.data.byteOffset, section.data.byteLength);
  const base = section.addr >>> 0;
  let off = 0;
  // Instructions only at word-aligned addresses; stray bytes before or after are data.
  while (off < section.size && (base + off) % 4 !== 0) off = emitBytes(section, w, off, Math.min(section.size, off + (4 - (base + off) % 4)));
  for (; off + 4 <= section.size; off += 4) {
    // A label inside the word (odd address) means it is not an instruction anyone jumps to whole.
    if (w.labelInside(base + off, 4)) { emitBytes(section, w, off, off + 4); continue; }
    const word = view.getUint32(off, true);
    w.line(base + off, disassembleWord(word, base + off, plan.nameAt), hex(word).padStart(8, '0'));
  }
  if (off < section.size) emitBytes(section, w, off, section.size);
}

function emitData(section: ImageSection, w: SectionWriter): void {
  const base = section.addr >>> 0;
  const stops = [...w.breaks(base, base + section.size).map((a) => a - base), section.size];
  let off = 0;
  for (const stop of stops) {
    while (off < stop && (base + off) % 4 !== 0) off = emitBytes(section, w, off, Math.min(stop, off + (4 - (base + off) % 4)));
    const view = new DataView(section.data.buffer, section.data.byteOffset, section.data.byteLength);
    while (off + 4 <= stop) {
      const n = Math.min(DATA_WORDS_PER_LINE, Math.floor((stop - off) / 4));
      const words = Array.from({ length: n }, (_, i) => `0x${hex(view.getUint32(off + 4 * i, true))}`);
      w.line(base + off, `.word ${words.join(', ')}`);
      off += 4 * n;
    }
    if (off < stop) off = emitBytes(section, w, off, stop);
  }
}

/** `.byte` lines for data[from, to), split where labels fall; returns `to`. */
function emitBytes(section: ImageSection, w: SectionWriter, from: number, to: number): number {
  const base = section.addr >>> 0;
  let start = from;
  for (const stop of [...w.breaks(base + from, base + to).map((a) => a - base), to]) {
    const bytes = Array.from(section.data.subarray(start, stop), (b) => `0x${b.toString(16).padStart(2, '0')}`);
    w.line(base + start, `.byte ${bytes.join(', ')}`);
    start = stop;
  }
  return to;
}

function emitSpace(section: ImageSection, w: SectionWriter): void {
  const base = section.addr >>> 0;
  let off = 0;
  for (const stop of [...w.breaks(base, base + section.size).map((a) => a - base), section.size]) {
    if (stop > off) w.line(base + off, `.space ${stop - off}`);
    off = stop;
  }
}

/** `mnemonic operands` with the operands in a column, as people write assembler. */
function columns(text: string): string {
  const space = text.indexOf(' ');
  return space < 0 ? text : text.slice(0, space).padEnd(MNEMONIC_WIDTH - 1) + ' ' + text.slice(space + 1);
}

function hex(n: number): string {
  return (n >>> 0).toString(16);
}
