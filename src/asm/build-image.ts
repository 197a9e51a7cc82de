// From laid-out sections and the symbol table to the in-memory Image.

import type { Image, ImageSection, ImageSymbol, LineEntry, SectionName } from '../elf/image.js';
import type { Pass2Result } from './pass2.js';
import type { AsmState } from './state.js';

const FLAGS: Record<SectionName, ImageSection['flags']> = {
  '.text': { read: true, write: false, exec: true },
  '.data': { read: true, write: true, exec: false },
  '.bss': { read: true, write: true, exec: false },
};

/** Check that no two non-empty sections overlap or run past 4 GiB; reports at the .org that placed them. */
export function checkPlacement(st: AsmState): void {
  const secs = Object.values(st.sections.byName).filter((s) => s.size > 0);
  const report = (s: (typeof secs)[number], message: string): void => {
    if (s.placedAt) st.diags.at(s.placedAt.line, s.placedAt.pos, message);
    else st.diags.add({ file: '<layout>', line: 1, column: 1, message, severity: 'error' });
  };
  const range = (s: (typeof secs)[number]) => `${s.name} (0x${s.base!.toString(16)}..0x${(s.base! + s.size - 1).toString(16)})`;
  for (const s of secs) {
    if (s.base! + s.size > 0x100000000) report(s, `${range(s)} runs past the end of the 32-bit address space`);
  }
  for (let i = 0; i < secs.length; i++) {
    for (let j = i + 1; j < secs.length; j++) {
      const [a, b] = [secs[i]!, secs[j]!];
      if (a.base! < b.base! + b.size && b.base! < a.base! + a.size) {
        report(b.placedAt ? b : a, `section ${range(b)} overlaps ${range(a)}`);
      }
    }
  }
}

export function buildImage(st: AsmState, out: Pass2Result): Image {
  const { sections, symbols } = st;
  const imageSections: ImageSection[] = [];
  // An empty section is left out unless a label points into it.
  const labelled = new Set<SectionName>();
  for (const def of symbols.all()) if (def.kind === 'label') labelled.add(def.section);
  for (const s of Object.values(sections.byName)) {
    if (s.name !== '.text' && s.size === 0 && !labelled.has(s.name)) continue;
    imageSections.push({
      name: s.name,
      addr: s.base!,
      data: s.name === '.bss' ? new Uint8Array(0) : out.contents[s.name],
      size: s.size,
      flags: FLAGS[s.name],
    });
  }
  const globals = new Set(st.globals.map((g) => g.name));
  const imageSymbols: ImageSymbol[] = [];
  for (const def of symbols.all()) {
    if (def.kind === 'label') {
      imageSymbols.push({
        name: def.name,
        value: sections.address(def.section, def.offset)!,
        section: def.section,
        global: globals.has(def.name),
        kind: def.section === '.text' ? 'func' : 'object',
      });
    } else if (def.value !== undefined) {
      imageSymbols.push({ name: def.name, value: def.value >>> 0, global: globals.has(def.name), kind: 'abs' });
    }
  }
  const start = symbols.get('_start');
  let entry = sections.byName['.text'].base!;
  if (start?.kind === 'label') entry = sections.address(start.section, start.offset)!;
  else if (start && start.value !== undefined) entry = start.value >>> 0;
  const lines: LineEntry[] = out.lines;
  return { entry, sections: imageSections, symbols: imageSymbols, lines };
}
