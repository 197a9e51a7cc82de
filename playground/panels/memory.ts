// The memory panel: a hex + ASCII dump of the snapshot's memory, an address
// box and a "follow" choice (pc or a register). The panel does not read
// memory itself: range() says what the next snapshot request should ask for
// ({ memory: panel.range() }), and onRange is called when that changes (the
// user typed an address, or a followed register moved outside the dump).

import type { AddressSpace, VmState } from '../../src/playground/protocol.js';
import { h, fill, table, uid } from './dom.js';
import { hex8, parseAddress } from './format.js';
import { FOLLOW_CHOICES, followValue, memoryRows, viewStart, ROW_BYTES } from './memory-model.js';
import { cpuOfState } from './registers-model.js';

export interface MemoryRange {
  address: number;
  length: number;
  space: AddressSpace;
}

export interface MemoryPanelOptions {
  /** Called when the panel wants another range: request a snapshot with { memory: range }. */
  onRange?: (range: MemoryRange) => void;
  /** Bytes shown (default 256). */
  length?: number;
  /** What to follow at first: 'none', 'pc' or an ABI register name (default 'none'). */
  follow?: string;
}

export interface MemoryPanel {
  update(state: VmState): void;
  range(): MemoryRange;
}

export function createMemoryPanel(container: HTMLElement, options: MemoryPanelOptions = {}): MemoryPanel {
  const length = Math.max(ROW_BYTES, options.length ?? 256);
  let range: MemoryRange = { address: 0, length, space: 'virtual' };
  let last: VmState | undefined;

  const addrId = uid('pg-mem-addr'), followId = uid('pg-mem-follow'), spaceId = uid('pg-mem-space');
  const addr = h('input', { id: addrId, type: 'text', spellcheck: 'false', size: 12, value: hex8(0), 'data-testid': 'mem-address' });
  const follow = h('select', { id: followId, 'data-testid': 'mem-follow' },
    h('option', { value: 'none' }, 'nothing'), ...FOLLOW_CHOICES.map((c) => h('option', { value: c }, c)));
  follow.value = options.follow && FOLLOW_CHOICES.includes(options.follow) ? options.follow : 'none';
  const space = h('select', { id: spaceId, 'data-testid': 'mem-space' },
    h('option', { value: 'virtual' }, 'virtual'), h('option', { value: 'physical' }, 'physical'));
  const error = h('span', { class: 'pg-error', role: 'status', 'data-testid': 'mem-address-error' });
  const body = h('div', { class: 'pg-memory-body' });
  const root = h('section', { class: 'pg-panel pg-memory', 'data-testid': 'memory', 'aria-label': 'memory' },
    h('div', { class: 'pg-toolbar' },
      h('label', { for: addrId }, 'address '), addr,
      h('label', { for: followId }, ' follow '), follow,
      h('label', { for: spaceId }, ' space '), space, error),
    body);
  container.append(root);
  fill(body, h('p', { class: 'pg-empty' }, 'no memory in this snapshot yet'));

  const want = (next: MemoryRange) => {
    if (next.address === range.address && next.length === range.length && next.space === range.space) return;
    range = next;
    addr.value = hex8(next.address);
    options.onRange?.(range);
  };

  /** The followed register's value, when following one. */
  const target = (): number | undefined => (last && follow.value !== 'none' ? followValue(cpuOfState(last), follow.value) : undefined);

  const render = () => {
    const mem = last?.memory;
    if (!mem) {
      fill(body, h('p', { class: 'pg-empty' }, 'no memory in this snapshot (ask for range())'));
      return;
    }
    const rows = memoryRows(mem, target()).map((r) =>
      h('tr', { 'data-testid': `mem-row-${hex8(r.address)}` },
        h('th', { scope: 'row', class: 'pg-mono' }, hex8(r.address)),
        h('td', { class: 'pg-mono pg-hex' }, ...r.hex.map((b, i) => h('span', { class: i === r.mark ? 'pg-mark' : undefined }, b, i === 7 ? '  ' : ' '))),
        h('td', { class: 'pg-mono pg-ascii' }, `|${r.ascii}|`)));
    fill(body, table(`${mem.space} memory at ${hex8(mem.address)}, ${mem.length} bytes${follow.value !== 'none' ? `, following ${follow.value}` : ''}`,
      ['address', 'bytes', 'ASCII'], rows, { 'data-testid': 'mem-table' }));
  };

  const followNow = () => {
    const t = target();
    if (t !== undefined) want({ address: viewStart(t, length), length, space: range.space });
  };

  const typed = () => {
    const a = parseAddress(addr.value);
    error.textContent = a === undefined ? `not a hex address: ${addr.value.trim()}` : '';
    if (a === undefined) return;
    follow.value = 'none';
    want({ address: a, length, space: range.space });
  };
  addr.addEventListener('change', typed);
  addr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') typed();
  });
  follow.addEventListener('change', () => {
    followNow();
    render();
  });
  space.addEventListener('change', () => want({ ...range, space: space.value === 'physical' ? 'physical' : 'virtual' }));

  return {
    update(state) {
      last = state;
      render();
      // A followed register that left the dump: ask for the range around it.
      const t = target();
      const mem = state.memory;
      if (t !== undefined && (!mem || t < mem.address || t >= mem.address + mem.length)) followNow();
    },
    range: () => ({ ...range }),
  };
}
