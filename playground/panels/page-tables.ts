// The page-tables panel: for each set of tables the snapshot has (the
// guest's; a monitor's shadow or EPT when given), a walk of one address
// (directory → table → page) and the mapped pages grouped by directory entry.
// The address to walk is typed in (hex); empty walks the pc.

import type { VmState } from '../../src/playground/protocol.js';
import { h, fill, table, uid } from './dom.js';
import { hex8, parseAddress } from './format.js';
import { directoryGroups, tableSetsOf, tablesTitle, walk, type PageTableSet } from './page-tables-model.js';

export interface PageTablesPanel {
  update(state: VmState): void;
}

function walkView(set: PageTableSet, va: number): HTMLElement {
  const w = walk(set, va);
  const items = w.steps.map((s) => h('li', { 'data-level': s.level }, `${s.level}: ${s.text}`));
  const result = !set.paging
    ? `paging off: ${hex8(va)} is the physical address`
    : w.pa !== undefined ? `${hex8(va)} → ${hex8(w.pa)}` : `${hex8(va)}: ${w.fault}`;
  return h('div', { class: 'pg-walk', 'data-testid': `pt-walk-${set.kind}` },
    h('ol', { class: 'pg-walk-steps' }, ...items),
    h('p', { class: w.pa === undefined ? 'pg-fault' : 'pg-ok' }, result));
}

function mappingsView(set: PageTableSet): HTMLElement {
  const rows: HTMLTableRowElement[] = [];
  for (const g of directoryGroups(set.pages)) {
    rows.push(h('tr', { class: 'pg-dir-row', 'data-testid': `pt-${set.kind}-dir-${g.index}` },
      h('th', { scope: 'rowgroup', colspan: 4 }, `directory entry ${g.index}: ${hex8(g.from)}–${hex8(g.to)}, ${g.pages.length} page${g.pages.length === 1 ? '' : 's'}`)));
    for (const p of g.pages) {
      rows.push(h('tr', {},
        h('td', { class: 'pg-mono' }, `${g.index} / ${p.tableIndex}`),
        h('td', { class: 'pg-mono' }, hex8(p.vaddr)),
        h('td', { class: 'pg-mono' }, hex8(p.paddr)),
        h('td', { class: 'pg-mono' }, p.flags)));
    }
  }
  const caption = `${tablesTitle(set.kind)}: root ${hex8(set.root)}, ${set.pages.length} pages mapped${set.truncated ? ' (list truncated)' : ''}`;
  return table(caption, ['dir / table', set.kind === 'ept' ? 'guest-physical' : 'virtual', 'physical', 'flags'], rows, { 'data-testid': `pt-table-${set.kind}` });
}

export function createPageTablesPanel(container: HTMLElement): PageTablesPanel {
  const id = uid('pg-pt-addr');
  const input = h('input', { id, type: 'text', inputmode: 'text', spellcheck: 'false', placeholder: 'pc', size: 12, 'data-testid': 'pt-address' });
  const error = h('span', { class: 'pg-error', role: 'status', 'data-testid': 'pt-address-error' });
  const body = h('div', {});
  const root = h('section', { class: 'pg-panel pg-page-tables', 'data-testid': 'page-tables', 'aria-label': 'page tables' },
    h('div', { class: 'pg-toolbar' }, h('label', { for: id }, 'walk address '), input, error),
    body);
  container.append(root);
  fill(body, h('p', { class: 'pg-empty' }, 'no state yet'));
  let last: VmState | undefined;

  const render = () => {
    const state = last;
    if (!state) return;
    const sets = tableSetsOf(state);
    if (sets.length === 0) {
      fill(body, h('p', { class: 'pg-empty' }, 'no page tables in this snapshot'));
      return;
    }
    const typed = input.value.trim();
    const parsed = typed === '' ? state.pc : parseAddress(typed);
    error.textContent = parsed === undefined ? `not a hex address: ${typed}` : '';
    const va = parsed ?? state.pc;
    fill(body, ...sets.flatMap((s) => [h('h3', {}, tablesTitle(s.kind)), walkView(s, va), mappingsView(s)]));
  };
  input.addEventListener('change', render);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') render();
  });
  return {
    update(state) {
      last = state;
      render();
    },
  };
}
