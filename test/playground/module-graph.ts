// The modules a file reaches through its run-time imports (type-only imports
// are erased by the compiler and do not count), for the test that keeps
// node: modules off the worker's path.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const IMPORT = /^\s*(import|export)\s+(type\s+)?([^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

/** Every module reached from `entry` (absolute path of a .ts file): relative files, and bare specifiers with the file that imports each. */
export function moduleGraph(entry: string): { files: Set<string>; external: Map<string, string[]> } {
  const files = new Set<string>();
  const external = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      if (m[2]) continue; // import type / export type
      const clause = m[3] ?? '';
      if (/^\{[^}]*\}\s+from\s+$/.test(clause.trim() + ' ') && clause.replace(/[{}]|from/g, '').split(',').every((s) => s.trim() === '' || /^type\s/.test(s.trim()))) continue;
      const spec = m[4]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else external.set(spec, [...(external.get(spec) ?? []), file]);
    }
  };
  visit(entry);
  return { files, external };
}
