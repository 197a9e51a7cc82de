// Turn a command-line path into an Image: `.s` sources are assembled on the
// fly (diagnostics printed, one-line failure), anything else is read as ELF.

import { resolve } from 'node:path';
import { assemble, formatDiagnostic, type AssembleResult } from '../asm/index.js';
import { readSourceFile, SourceReadError } from '../asm/source-files.js';
import { ElfError, readElf } from '../elf/index.js';
import type { Image } from '../elf/image.js';
import type { IncludeSearch } from './assembler-options.js';
import { DEFAULT_INCLUDE_DIR } from './include-path.js';
import { CliError, readInput, type CliContext } from './context.js';

export function isAssemblySource(path: string): boolean {
  return /\.(s|asm)$/i.test(path);
}

/** Reads the files a source includes (regular files only, size-bounded), relative paths from the working directory (as the command line's). */
export function includeReader(ctx: CliContext): (path: string) => Uint8Array {
  return (p) => readSourceFile(resolve(ctx.cwd, p));
}

/** The main source's bytes; a file that cannot be read (a directory, a FIFO, /dev/zero, too large) is one CliError line. */
function readMainSource(ctx: CliContext, path: string): Uint8Array {
  try {
    return readSourceFile(resolve(ctx.cwd, path));
  } catch (e) {
    if (e instanceof SourceReadError) throw new CliError(`cannot read '${path}': ${e.message}`);
    throw e;
  }
}

/** Without -I or --max-expansion: the installation's guests/lib is still searched. */
export const DEFAULT_SEARCH: IncludeSearch = { includeDirs: [DEFAULT_INCLUDE_DIR] };

/** Assemble a source file; the diagnostics are in the result, not printed. */
export function assembleSource(ctx: CliContext, path: string, defines: Record<string, number | string>, search: IncludeSearch = DEFAULT_SEARCH): AssembleResult {
  return assemble(readMainSource(ctx, path), {
    file: path,
    defines,
    includeDirs: search.includeDirs,
    ...(search.maxExpansion === undefined ? {} : { maxExpansion: search.maxExpansion }),
    readFile: includeReader(ctx),
  });
}

/**
 * Diagnostics printed per assembly: past them only a count (as clang's
 * -ferror-limit), so one long bad line cannot bury the terminal in megabytes.
 */
export const MAX_SHOWN_DIAGNOSTICS = 100;

/** Assemble a source file, printing its first diagnostics; a failure is one CliError line. */
export function assembleOrFail(ctx: CliContext, path: string, defines: Record<string, number | string>, search: IncludeSearch = DEFAULT_SEARCH): AssembleResult & { image: Image } {
  const result = assembleSource(ctx, path, defines, search);
  const shown = result.diagnostics.slice(0, MAX_SHOWN_DIAGNOSTICS);
  for (const d of shown) ctx.io.err(formatDiagnostic(d).replace(/\n?$/, '\n'));
  const hidden = result.diagnostics.length - shown.length;
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const more = hidden > 0 ? ` (the first ${MAX_SHOWN_DIAGNOSTICS} diagnostics shown, ${hidden} more not)` : '';
  if (errors > 0 || !result.image) throw new CliError(`${Math.max(errors, 1)} error${errors === 1 ? '' : 's'}${more}`);
  if (hidden > 0) ctx.io.err(`virtlab: ${hidden} more warnings not shown\n`);
  return { ...result, image: result.image };
}

/** The image at `path`: a .s assembled with `defines` and `search` (from collectAssemblerOptions), else an ELF file. */
export function loadProgram(ctx: CliContext, path: string, defines: Record<string, number | string> = {}, search: IncludeSearch = DEFAULT_SEARCH): Image {
  if (isAssemblySource(path)) return assembleOrFail(ctx, path, defines, search).image;
  const bytes = readInput(ctx, path);
  try {
    return readElf(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  } catch (e) {
    if (e instanceof ElfError) throw new CliError(e.message);
    throw e;
  }
}
