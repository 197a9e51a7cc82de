// Where the guests are: the package root is the nearest folder up with a
// package.json, whether this runs from the sources (vitest) or from dist/.

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** guests/<parts...> under the package root. */
export function guestPath(...parts: string[]): string {
  return resolve(packageRoot(), 'guests', ...parts);
}
