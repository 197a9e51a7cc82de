// Every guest program, assembled, survives writeElf -> readElf exactly and passes readelf.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { assembleFile, formatDiagnostic } from '../../src/asm/index.js';
import { canonicalImage, readElf, writeElf } from '../../src/elf/index.js';
import { READELF, runReadelf } from './readelf.js';
import { GUESTS_DIR, guestSources } from '../support/guest-files.js';

const guestsDir = GUESTS_DIR;
const guests = guestSources();
const tmp = mkdtempSync(join(tmpdir(), 'virtlab-elf-guests-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('assembled guests as ELF files', () => {
  test.each(guests.map((g) => [relative(guestsDir, g), g]))('guests/%s', (name, path) => {
    const result = assembleFile(path);
    expect(result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    const image = result.image!;
    const bytes = writeElf(image, name);
    expect(readElf(bytes, name)).toEqual(canonicalImage(image));
    if (READELF) {
      const file = join(tmp, name.replace(/\W/g, '_') + '.elf');
      writeFileSync(file, bytes);
      const r = runReadelf(file);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.entry).toBe(image.entry);
    }
  });
});
