// disassemble -> assemble gives back the same bytes at the same addresses.

import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assemble, assembleFile, formatDiagnostic } from '../../src/asm/index.js';
import { disassembleImage } from '../../src/disasm/index.js';
import type { Image } from '../../src/elf/image.js';
import { sampleImage } from '../elf/sample-image.js';
import { GUESTS_DIR, guestSources } from '../support/guest-files.js';

function reassemble(image: Image, options: { addresses?: boolean } = {}): Image {
  const source = disassembleImage(image, options);
  const result = assemble(source, { file: 'disasm.s' });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !result.image) throw new Error(`reassembly failed:\n${errors.map(formatDiagnostic).join('\n')}\n--- source ---\n${source}`);
  return result.image;
}

/** What must survive: every non-empty section's address and bytes (and .bss extent), the entry point. */
function loadable(image: Image) {
  return {
    entry: image.entry >>> 0,
    sections: image.sections.filter((s) => s.size > 0).map((s) => ({ name: s.name, addr: s.addr >>> 0, size: s.size, bytes: Buffer.from(s.data).toString('hex') })),
  };
}

function symbolSet(image: Image) {
  return image.symbols.map((s) => `${s.name}=${(s.value >>> 0).toString(16)}${s.global ? ' global' : ''}`).sort();
}

describe('disassembly reassembles to identical bytes', () => {
  test('the varied sample image: every instruction, undefined words, data with an odd tail, .bss, labels', () => {
    const image = sampleImage();
    const back = reassemble(image);
    expect(loadable(back)).toEqual(loadable(image));
    expect(symbolSet(back)).toEqual(symbolSet(image));
  });

  test('the annotated form reassembles too', () => {
    const image = sampleImage();
    expect(loadable(reassemble(image, { addresses: true }))).toEqual(loadable(image));
  });

  const guestsDir = GUESTS_DIR;
  const guests = guestSources();

  test.each(guests.map((g) => [relative(guestsDir, g), g]))('guests/%s', (_name, path) => {
    const first = assembleFile(path);
    const errors = first.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map(formatDiagnostic)).toEqual([]);
    const image = first.image!;
    const back = reassemble(image);
    expect(loadable(back)).toEqual(loadable(image));
    expect(symbolSet(back)).toEqual(symbolSet(image));
  });
});
