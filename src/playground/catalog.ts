// The guests in the browser: the generated catalog (path -> text, from
// catalog-gen.ts) and the editor's buffer, read by the assembler through an
// in-memory readFile. The assembler sees absolute paths ('/guests/tinyos/
// tinyos.s'): it resolves includes with path.join/dirname/resolve, and an
// absolute path never needs a working directory (the worker has none).

import type { ReadSource } from '../asm/preprocess.js';
import { CATALOG_ENTRIES } from './catalog-entries.js';
import type { CatalogEntry } from './protocol.js';

/** Repository path ('guests/hello.s') -> text. */
export type CatalogFiles = Readonly<Record<string, string>>;

/** Where `.include` looks after the including file's directory, as the CLI's installation guests/lib. */
export const INCLUDE_DIRS: readonly string[] = ['/guests/lib'];

/** The assembler's name for a catalog or editor path: absolute, without `.`/`..` segments left to resolve. */
export function asmPath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/** The protocol's name for one of the assembler's paths (the leading '/' dropped again). */
export function shownPath(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

/** An error the include search reads as "no such file" (and goes on to the next directory). */
function missing(path: string): Error {
  return Object.assign(new Error('no such file or directory'), { code: 'ENOENT', missing: true, path });
}

/** The assembler's readFile over the catalog, with `overlay` (the editor's buffers, by the same kind of path) taking precedence. */
export function catalogReader(files: CatalogFiles, overlay: Readonly<Record<string, string>> = {}): ReadSource {
  return (file) => {
    const key = shownPath(file);
    const text = Object.hasOwn(overlay, key) ? overlay[key] : Object.hasOwn(files, key) ? files[key] : undefined;
    if (text === undefined) throw missing(file);
    return text;
  };
}

/** The picker's entries whose source is in `files` (all of them, with a complete catalog). */
export function catalogEntries(files: CatalogFiles): CatalogEntry[] {
  return CATALOG_ENTRIES.filter((e) => Object.hasOwn(files, e.path)).map((e) => ({ ...e, defines: { ...e.defines }, ...(e.nic ? { nic: { ...e.nic } } : {}) }));
}
