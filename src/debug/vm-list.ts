// `vm` on a host: one row per VM, as gdb's `info inferiors` / `info threads`:
// the selected VM marked `*`, its mode, its state (the one whose vCPU the CPU
// runs now says so; a VM waiting for a frame is blocked), its guest
// instructions and its pc as it would resume.

import { haltText, hex8 } from './format.js';
import type { DebugSession } from './session.js';
import { symbolSuffix } from './views.js';

export function vmListView(s: DebugSession): string {
  const host = s.host!;
  const selected = s.vmName;
  const rows = s.eachVm((t) => {
    const vm = t.vm!;
    const stop = vm.stop;
    const state = stop
      ? (stop.kind === 'halted' ? `halted (${haltText(stop.code)})` : `stopped (${'message' in stop ? stop.message : stop.kind})`)
      : host.running() === vm ? 'runs now' : vm.blockedAt !== undefined ? 'blocked (until a line of its rises)' : 'runnable';
    const pc = s.pc();
    return [t.name === selected ? '*' : ' ', vm.name, vm.mode, state, String(host.instructionsOf(vm)), `${hex8(pc)}${symbolSuffix(t.symbols, pc)}`];
  });
  const table = [[' ', 'VM', 'mode', 'state', 'instructions', 'pc'], ...rows];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  return table.map((r) => r.map((cell, c) => (c === 4 ? cell.padStart(widths[c]!) : c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n') + '\n';
}
