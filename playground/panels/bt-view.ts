// The bt panel: the translation unit holding the guest pc beside its guest
// code, two columns of one table (guest instruction and its treatment | the
// translated words), as `virtlab bt-dump` shows it; the row of the guest pc
// is marked. Outside bt it says why there is nothing to show.

import type { VmState } from '../../src/playground/protocol.js';
import { h, fill } from './dom.js';
import { hex8 } from './format.js';
import { btUnits, parseBtText, type BtUnit } from './bt-model.js';

export interface BtPanel {
  update(state: VmState): void;
}

/** One unit: its label, then a table of guest code (pc, instruction, treatment) beside the translation (word, text, callout), then its chains. */
function unitView(u: BtUnit, index: number, pc: number): HTMLElement {
  const rows = u.pairs.map((l) => {
    const here = l.guest !== null && l.guest.pc >>> 0 === pc >>> 0;
    const cls = [here ? 'pg-current' : '', l.guest ? `pg-bt-${l.guest.treatment.toLowerCase()}` : ''].join(' ').trim();
    return h('tr', { class: cls || undefined, 'data-testid': l.guest ? `bt-row-${hex8(l.guest.pc)}` : undefined, 'aria-current': here ? 'true' : undefined },
      h('td', { class: 'pg-mono' }, l.guest ? hex8(l.guest.pc) : ''),
      h('td', { class: 'pg-mono' }, l.guest?.text ?? ''),
      h('td', { class: 'pg-treatment' }, l.guest?.treatment ?? ''),
      h('td', { class: 'pg-mono pg-bt-tc' }, l.tc ? `+${l.tc.offset}` : ''),
      h('td', { class: 'pg-mono pg-bt-tc' }, l.tc ? l.tc.text : l.right),
      h('td', { class: 'pg-note' }, l.tc?.note ?? ''));
  });
  return h('div', { class: 'pg-bt-unit', 'data-testid': `bt-unit-${index}` },
    h('p', { class: 'pg-mono pg-bt-label' }, u.label),
    h('table', { class: 'pg-table pg-bt-table', 'data-testid': 'bt-table' },
      h('caption', {}, u.summary || 'guest code beside its translation'),
      h('thead', {},
        h('tr', {}, h('th', { scope: 'colgroup', colspan: 3 }, 'guest code'), h('th', { scope: 'colgroup', colspan: 3 }, 'translation')),
        h('tr', {}, ...['pc', 'instruction', 'treatment', 'word', 'translated', 'callout'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows)),
    u.chains.length ? h('ul', { class: 'pg-mono pg-bt-chains', 'data-testid': 'bt-chains' }, ...u.chains.map((c) => h('li', {}, c))) : null);
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
        const text = state.bt === null
          ? `no unit translated at the guest pc ${hex8(state.pc)} (guest user code runs untranslated)`
          : `this snapshot did not ask for the unit at the guest pc ${hex8(state.pc)}`;
        fill(root, h('p', { class: 'pg-empty', 'data-testid': 'bt-empty' }, text));
        return;
      }
      const dump = btUnits(parseBtText(state.bt.text));
      fill(root,
        dump.header.length ? h('pre', { class: 'pg-mono pg-bt-header', 'data-testid': 'bt-header' }, dump.header.join('\n')) : null,
        ...dump.units.map((u, i) => unitView(u, i, state.pc)));
    },
  };
}
