// The shipped guests' sources for the editor: the same generated catalog the worker assembles from
// (src/playground/catalog-gen.ts, produced at build time), shared with the worker as one chunk.
import files from 'virtlab:guest-catalog';

/** The text of a catalog path (`guests/tinyos/tinyos.s`). */
export function guestSource(path: string): string {
  const text = (files as Readonly<Record<string, string>>)[path];
  if (text === undefined) throw new Error(`${path} is not in the guest catalog`);
  return text;
}
