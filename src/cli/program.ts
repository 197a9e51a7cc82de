// Turn a command-line path into an Image: `.s` sources are assembled on the
// fly (diagnostics printed, one-line failure), anything else is read as ELF.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { assemble, formatDiagnostic, type AssembleResult } from '../asm/index.js';
import { ElfError, readElf } from '../elf/index.js';
import type { Image } from '../elf/image.js';
import { CliError, readInput, type CliContext } from './context.js';

export function isAssemblySource(path: string): boolean {
  return /\.(s|asm)$/i.test(path);
}

/** Reads the files a source includes, relative paths from the working directory (as the command line's). */
export function includeReader(ctx: CliContext): (path: string) => string {
  return (p) => readFileSync(resolve(ctx.cwd, p), 'utf8');
}

/** Assemble a source file; the diagnostics are in the result, not printed. */
export function assembleSource(ctx: CliContext, path: string, defines: Record<string, number | string>): AssembleResult {
  return assemble(readInput(ctx, path).toString('utf8'), { file: path, defines, readFile: includeReader(ctx) });
}

/** Assemble a source file, printing every diagnostic; a failure is one CliError line. */
export function assembleOrFail(ctx: CliContext, path: string, defines: Record<string, number | string>): AssembleResult & { image: Image } {
  const result = assembleSource(ctx, path, defines);
  for (const d of result.diagnostics) ctx.io.err(formatDiagnostic(d).replace(/\n?$/, '\n'));
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0 || !result.image) throw new CliError(`${Math.max(errors, 1)} error${errors === 1 ? '' : 's'}`);
  return { ...result, image: result.image };
}

export function loadProgram(ctx: CliContext, path: string, defines: Record<string, number | string> = {}): Image {
  if (isAssemblySource(path)) return assembleOrFail(ctx, path, defines).image;
  const bytes = readInput(ctx, path);
  try {
    return readElf(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  } catch (e) {
    if (e instanceof ElfError) throw new CliError(e.message);
    throw e;
  }
}
