// Assembling a program of the playground: a catalog guest or the editor's
// buffer, with -D defines, through the real assembler over the in-memory
// catalog; its diagnostics, symbols and line table in the protocol's terms.

import { assemble } from '../asm/assemble.js';
import { didYouMean } from '../asm/suggest.js';
import type { Image } from '../elf/image.js';
import { asmPath, catalogReader, INCLUDE_DIRS, shownPath, type CatalogFiles } from './catalog.js';
import { PlaygroundError } from './errors.js';
import type { Diagnostic, LineAddress, ProgramRef, SymbolInfo } from './protocol.js';

export interface Assembled {
  /** The program's path as the protocol names it. */
  file: string;
  /** Undefined when there were errors. */
  image: Image | undefined;
  diagnostics: Diagnostic[];
  symbols: SymbolInfo[];
  lines: LineAddress[];
}

/** The largest editor buffer accepted (the assembler's own bound on a source file). */
export const MAX_SOURCE_CHARS = 1024 * 1024;

/** The path and text of a program; an unknown catalog path is a one-line error with a did-you-mean. */
export function programSource(files: CatalogFiles, ref: ProgramRef): { file: string; text: string; overlay: Record<string, string> } {
  if (ref.kind === 'catalog') {
    if (typeof ref.path !== 'string' || !Object.hasOwn(files, ref.path)) {
      const guests = Object.keys(files).filter((p) => /\.(s|asm)$/i.test(p));
      throw new PlaygroundError(`unknown guest '${String(ref.path)}'${didYouMean(String(ref.path), guests)}`);
    }
    return { file: ref.path, text: files[ref.path]!, overlay: {} };
  }
  if (typeof ref.file !== 'string' || ref.file === '' || typeof ref.text !== 'string') throw new PlaygroundError('a source program needs a file name and its text');
  if (ref.text.length > MAX_SOURCE_CHARS) throw new PlaygroundError(`${ref.file}: larger than the ${MAX_SOURCE_CHARS / 1024} KiB a source may hold`);
  const file = shownPath(ref.file);
  return { file, text: ref.text, overlay: { [file]: ref.text } };
}

/** Assemble `ref` with `defines`, as `virtlab asm -D ...` would (includes from the catalog, then guests/lib). */
export function assembleProgram(files: CatalogFiles, ref: ProgramRef, defines: Record<string, number | string> = {}): Assembled {
  const { file, text, overlay } = programSource(files, ref);
  const r = assemble(text, { file: asmPath(file), defines, includeDirs: INCLUDE_DIRS, readFile: catalogReader(files, overlay) });
  // The line table names files as the page does ('guests/x.s', as the CLI run from the repository would): the
  // debugger prints its locations from it, and reads sources back through the catalog by the same names.
  const image = r.image ? { ...r.image, lines: r.image.lines.map((l) => ({ ...l, file: shownPath(l.file) })) } : r.image;
  return {
    file,
    image,
    diagnostics: r.diagnostics.map((d) => ({ file: shownPath(d.file), line: d.line, column: d.column, message: d.message, severity: d.severity })),
    ...(image ? imageTables(image) : { symbols: [], lines: [] }),
  };
}

/** An image's symbols and line table for the page (the gutter, a symbol list). */
export function imageTables(image: Image): { symbols: SymbolInfo[]; lines: LineAddress[] } {
  return {
    symbols: image.symbols.map((s) => ({ name: s.name, value: s.value >>> 0, kind: s.kind === 'abs' ? 'const' : 'label' })),
    lines: image.lines.map((l) => ({ file: shownPath(l.file), line: l.line, address: l.addr >>> 0 })),
  };
}
