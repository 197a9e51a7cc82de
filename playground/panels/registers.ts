// The registers panel: r0..r15, pc and ring, STATUS's flags and the control
// registers, each a row of a real table; a value that changed since the
// previous update is highlighted (class pg-changed). reset() forgets the
// previous values (after a load or restart nothing counts as changed).

import type { VmState } from '../../src/playground/protocol.js';
import { h, fill, table } from './dom.js';
import { cpuOfState, registersModel, type CpuView, type RegRow } from './registers-model.js';

export interface RegistersPanel {
  update(state: VmState): void;
  reset(): void;
}

function rowEl(r: RegRow): HTMLTableRowElement {
  return h('tr', { 'data-testid': `reg-${r.id}`, class: r.changed ? 'pg-changed' : undefined, 'data-changed': r.changed ? 'true' : undefined },
    h('th', { scope: 'row' }, r.label),
    h('td', { class: 'pg-mono' }, r.text),
    h('td', { class: 'pg-note' }, r.note));
}

export function createRegistersPanel(container: HTMLElement): RegistersPanel {
  const root = h('section', { class: 'pg-panel pg-registers', 'data-testid': 'registers', 'aria-label': 'registers' });
  container.append(root);
  let prev: CpuView | undefined;
  fill(root, h('p', { class: 'pg-empty' }, 'no state yet'));
  return {
    update(state) {
      const cpu = cpuOfState(state);
      const m = registersModel(cpu, prev);
      prev = cpu;
      const head = ['register', 'value', ''];
      fill(root,
        table(`general registers (${state.mode === 'native' ? 'the machine' : "the guest's virtual CPU"})`, head, m.regs.map(rowEl), { 'data-testid': 'reg-table' }),
        table('cpu', head, m.cpu.map(rowEl)),
        table('flags (STATUS)', ['flag', 'value', ''], m.flags.map(rowEl), { 'data-testid': 'flags-table' }),
        table('control registers', head, m.control.map(rowEl), { 'data-testid': 'cr-table' }));
    },
    reset() {
      prev = undefined;
    },
  };
}
