// Shared helpers for the assembler tests: in-memory files and quick accessors.
import { expect } from 'vitest';
import { assemble, type AssembleResult } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';

export function asm(source: string, files: Record<string, string> = {}, defines?: Record<string, number | string>): AssembleResult {
  return assemble(source, {
    file: 'main.s',
    defines,
    readFile: (p) => {
      const text = files[p];
      if (text === undefined) throw new Error(`ENOENT: no such file '${p}'`);
      return text;
    },
  });
}

/** Assemble and insist on success. */
export function ok(source: string, files: Record<string, string> = {}, defines?: Record<string, number | string>): Image {
  const r = asm(source, files, defines);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(r.image).toBeDefined();
  return r.image!;
}

export function section(image: Image, name: string) {
  const s = image.sections.find((x) => x.name === name);
  if (!s) throw new Error(`no section ${name}`);
  return s;
}

/** The little-endian 32-bit words of .text. */
export function textWords(image: Image): number[] {
  const data = section(image, '.text').data;
  const out: number[] = [];
  for (let i = 0; i + 4 <= data.length; i += 4) {
    out.push((data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0);
  }
  return out;
}

export function bytesOf(image: Image, name: string): number[] {
  return [...section(image, name).data];
}

export function symbol(image: Image, name: string): number {
  const s = image.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
}

/** The errors of a run, as "line:col: message" for compact assertions. */
export function errors(source: string, files: Record<string, string> = {}, defines?: Record<string, number | string>): string[] {
  const r = asm(source, files, defines);
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
}

/** Words that the same instruction lines produce when written out by hand. */
export function wordsOf(source: string): number[] {
  return textWords(ok(source));
}
