// The bt panel: the translation unit holding the guest pc beside its guest
// code, two columns of one table (guest instruction and its treatment | the
// translated words), as `virtlab bt-dump` shows it; the row of the guest pc
// is marked. Outside bt it says why there is nothing to show.

import type { VmState } from '../../src/playground/protocol.js';
import { h, fill } from './dom.js';
import { hex8 } from './format.js';
import { parseBtText } from './bt-model.js';

export interface BtPanel {
  update(state: VmState): void;
}

export function createBtPanel(container: HTMLElement): BtPanel {
  const root = h('section', { class: 'pg-panel pg-bt', 'data-testid': 'bt-view', 'aria-label': 'binary translation' });
  container.append(root);
  fill(root, h('p', { class: 'pg-empty' }, 'no state yet'));
  return {
    update(state) {
      if (state.mode !== 'bt') {
        fill(root, h('p', { class: 'pg-empty', 'data-testid': 'bt-empty' }, `not under bt (mode ${state.mode}): no translation units`));
        return;
      }
      if (!state.bt) {
        const why = state.bt === null ? 'no unit translated at' : 'this snapshot did not ask for the unit at';
        fill(root, h('p', { class: 'pg-empty', 'data-testid': 'bt-empty' }, `${why} the guest pc ${hex8(state.pc)} (guest user code runs untranslated)`));
        return;
      }
      const lines = parseBtText(state.bt.text);
      const heads = lines.filter((l) => l.kind === 'text').map((l) => l.text);
      const labels = heads.filter((t) => t.startsWith('==') || t.startsWith('unit '));
      const chains = heads.filter((t) => !labels.includes(t));
      const rows: HTMLTableRowElement[] = [];
      for (const l of lines) {
        if (l.kind !== 'pair') continue;
        const here = l.guest !== null && l.guest.pc >>> 0 === state.pc >>> 0;
        rows.push(h('tr', { class: [here ? 'pg-current' : '', l.guest ? `pg-bt-${l.guest.treatment.toLowerCase()}` : ''].join(' ').trim() || undefined,
          'data-testid': l.guest ? `bt-row-${hex8(l.guest.pc)}` : undefined, 'aria-current': here ? 'true' : undefined },
          h('td', { class: 'pg-mono' }, l.guest ? hex8(l.guest.pc) : ''),
          h('td', { class: 'pg-mono' }, l.guest?.text ?? ''),
          h('td', { class: 'pg-treatment' }, l.guest?.treatment ?? ''),
          h('td', { class: 'pg-mono pg-bt-tc' }, l.tc ? `+${l.tc.offset}` : ''),
          h('td', { class: 'pg-mono pg-bt-tc' }, l.tc ? l.tc.text : l.right),
          h('td', { class: 'pg-note' }, l.tc?.note ?? '')));
      }
      fill(root,
        ...labels.map((t) => h('p', { class: 'pg-mono pg-bt-label' }, t)),
        h('table', { class: 'pg-table pg-bt-table', 'data-testid': 'bt-table' },
          h('caption', {}, 'guest code beside its translation'),
          h('thead', {},
            h('tr', {}, h('th', { scope: 'colgroup', colspan: 3 }, 'guest code'), h('th', { scope: 'colgroup', colspan: 3 }, 'translation')),
            h('tr', {}, ...['pc', 'instruction', 'treatment', 'word', 'translated', 'callout'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...rows)),
        chains.length ? h('ul', { class: 'pg-mono pg-bt-chains', 'data-testid': 'bt-chains' }, ...chains.map((c) => h('li', {}, c.trim()))) : null);
    },
  };
}
