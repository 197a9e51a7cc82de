// The page-tables panel: for each set of tables the snapshot has (the
// guest's; a monitor's shadow or EPT when given), a walk of one address
// (directory → table → page) and the mapped pages grouped by directory entry.
// The address to walk is typed in (hex); empty walks the pc.

import type { VmState } from '../../src/playground/protocol.js';
import { h, fill, table, uid } from './dom.js';
import { hex8, parseAddress } from './format.js';
import { dirIndex, directoryGroups, pageRuns, tableSetsOf, tablesTitle, walk, walkInputs, type PageTableSet } from './page-tables-model.js';

export interface PageTablesPanel {
  update(state: VmState): void;
}

function walkView(set: PageTableSet, va: number | undefined): HTMLElement {
  if (va === undefined) {
    return h('div', { class: 'pg-walk', 'data-testid': `pt-walk-${set.kind}` },
      h('p', { class: 'pg-fault' }, "no guest-physical address to walk: the guest's tables map the address nowhere"));
  }
  const w = walk(set, va);
  const items = w.steps.map((s) => h('li', { 'data-level': s.level }, `${s.level}: ${s.text}`));
  const result = !set.paging
    ? `paging off: ${hex8(va)} is the physical address`
    : w.pa !== undefined ? `${hex8(va)} → ${hex8(w.pa)}` : `${hex8(va)}: ${w.fault}`;
  return h('div', { class: 'pg-walk', 'data-testid': `pt-walk-${set.kind}` },
    h('ol', { class: 'pg-walk-steps' }, ...items),
    h('p', { class: w.pa === undefined ? 'pg-fault' : 'pg-ok' }, result));
}

/**
 * The mapped pages, a collapsible group per directory entry (summary: the 4 MiB it covers and its page count),
 * each a table of its pages; the group holding the walked address is open.
 */
function mappingsView(set: PageTableSet, va: number): HTMLElement {
  const groups = directoryGroups(set.pages).map((g) => {
    const span = (from: number, pages: number) => (pages === 1 ? hex8(from) : `${hex8(from)}–${hex8(from + pages * 4096 - 1)}`);
    const rows = pageRuns(g.pages).map((r) => h('tr', {},
      h('td', { class: 'pg-mono' }, r.pages === 1 ? String(r.firstIndex) : `${r.firstIndex}–${r.lastIndex}`),
      h('td', { class: 'pg-mono' }, span(r.vaddr, r.pages)),
      h('td', { class: 'pg-mono' }, span(r.paddr, r.pages)),
      h('td', { class: 'pg-num' }, String(r.pages)),
      h('td', { class: 'pg-mono' }, r.flags)));
    const open = set.paging && dirIndex(va) === g.index;
    return h('details', { class: 'pg-dir', open, 'data-testid': `pt-${set.kind}-dir-${g.index}` },
      h('summary', { class: 'pg-mono' }, `directory entry ${g.index}: ${hex8(g.from)}–${hex8(g.to)}, ${g.pages.length} page${g.pages.length === 1 ? '' : 's'}`),
      table(`the pages of directory entry ${g.index} (runs of consecutive pages to consecutive frames, alike, in one row)`,
        ['table entries', set.kind === 'ept' ? 'guest-physical' : 'virtual', 'physical', 'pages', 'flags'], rows));
  });
  const caption = `${tablesTitle(set.kind)}: root ${hex8(set.root)}, ${set.pages.length} pages mapped${set.truncated ? ' (list truncated)' : ''}`;
  return h('div', { class: 'pg-mappings', 'data-testid': `pt-table-${set.kind}` },
    h('p', { class: 'pg-caption' }, caption),
    ...(groups.length ? groups : [h('p', { class: 'pg-empty' }, 'no page mapped')]));
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
    const inputs = walkInputs(sets, va);
    fill(body, ...sets.flatMap((s, i) => [h('h3', {}, tablesTitle(s.kind)), walkView(s, inputs[i]), mappingsView(s, inputs[i] ?? va)]));
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
