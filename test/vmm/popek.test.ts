// The Popek-Goldberg divergence: instructions that are sensitive but not
// privileged do not trap, so trap-and-emulate cannot virtualize them. Each
// guests/popek program prints "yes" natively and "no" under trap, and tinyos,
// whose console driver saves and restores the flags around its output,
// panics under trap because its timer interrupts never arrive.

import { describe, expect, test } from 'vitest';
import { CR, STATUS } from '../../src/isa/index.js';
import { both, guestImage, runVm, symbol, findInstruction } from './helpers.js';

describe('guests/popek: sensitive instructions see the real machine under trap', () => {
  test.each([
    ['popek/rdflags.s', 2],
    ['popek/rdtvec.s', 1],
    ['popek/rdptbr.s', 1],
  ])('%s: every check says yes natively and no under trap', (name, checks) => {
    const { native, trap } = both(guestImage(name));
    expect(native.out.code).toBe(0);
    expect(trap.out.code).toBe(0);
    const nativeLines = native.out.console.trimEnd().split('\n');
    expect(nativeLines).toHaveLength(checks);
    for (const line of nativeLines) expect(line).toMatch(/: yes$/);
    expect(trap.out.console.trimEnd().split('\n')).toEqual(nativeLines.map((l) => l.replace(/: yes$/, ': no')));
  });

  test('rdtvec and rdptbr read the monitor\'s values; the guest\'s are in the virtual CPU', () => {
    const tvec = runVm(guestImage('popek/rdtvec.s'), 'trap');
    expect(tvec.vm.monitor!.vcpu.tvec).toBe(symbol(tvec.vm.image, 'handler'));
    const ptbr = runVm(guestImage('popek/rdptbr.s'), 'trap');
    expect(ptbr.vm.monitor!.vcpu.ptbr).toBe(symbol(ptbr.vm.image, 'dir'));
    const layout = ptbr.vm.layout!;
    const real = ptbr.vm.machine.cpu.cr[CR.ptbr]! >>> 0;
    expect(real).toBeGreaterThanOrEqual(layout.monitorBase); // a shadow directory, in monitor memory
  });

  test('popek/wrflags.s: after the flags restore the tick arrives natively, never under trap', () => {
    // Reading IE back with rdflags would not show the loss (the monitor keeps the
    // real IE on); what breaks is delivery.
    const { native, trap } = both(guestImage('popek/wrflags.s'));
    expect(native.out.console).toBe('a timer interrupt arrives after the flags restore: yes\n');
    expect(trap.out.console).toBe('a timer interrupt arrives after the flags restore: no\n');
    expect(native.vm.machine.counters.interrupts).toBe(1);
    expect(trap.vm.monitor!.counters.injected).toBe(0);
    expect(trap.vm.monitor!.vcpu.ie).toBe(false);
  });
});

describe('tinyos under trap', () => {
  const PANIC = 'tinyos: panic: no timer interrupt arrived (were interrupts left disabled?)\n';

  test('boots like native, then panics at its timer check and halts with 1', () => {
    const image = guestImage('tinyos/tinyos.s');
    const { native, trap } = both(image);
    expect(native.out.code).toBe(0);
    const checking = 'tinyos: interrupts on, checking the timer\n';
    const upToCheck = native.out.console.slice(0, native.out.console.indexOf(checking) + checking.length);
    expect(upToCheck).toContain('tinyos: paging on, 5 processes created\n');
    expect(trap.out.console).toBe(upToCheck + PANIC);
    expect(trap.out.code).toBe(1);
    // The timer did fire; the monitor held the tick back because the virtual IE stayed off.
    expect(trap.vm.monitor!.counters.injected).toBe(0);
    expect(trap.vm.monitor!.platform.pendingLines()).toBe(1);
  });

  test('the interrupt flag is lost at console_write\'s wrflags, which runs without trapping', () => {
    const image = guestImage('tinyos/tinyos.s');
    const sti = findInstruction(image, image.entry, 'sti');
    const wrflags = findInstruction(image, symbol(image, 'console_write'), 'wrflags');
    const vm = runVm(image, 'trap', 0).vm;
    const m = vm.machine, mon = vm.monitor!;
    m.breakpoints.add(sti);
    expect(vm.run(1_000_000).stop).toEqual({ kind: 'breakpoint', pc: sti });
    m.breakpoints.clear();
    m.breakpoints.add(wrflags);
    vm.run(1_000_000); // sti (emulated: virtual IE on), then puts -> console_write: rdflags, cli, the bytes
    expect(m.cpu.pc >>> 0).toBe(wrflags);
    // t3, what rdflags saved: the real STATUS, with the real IE (always on while the guest
    // runs) and the real ring (the kernel runs at ring 1), paging on.
    expect(m.cpu.regs[11]).toBe(STATUS.PG | STATUS.IE | 1);
    expect(mon.vcpu.ie).toBe(false); // cli was emulated
    const traps = mon.counters.traps;
    vm.step();
    expect(m.cpu.pc >>> 0).toBe(wrflags + 4); // wrflags ran on the real CPU...
    expect(mon.counters.traps).toBe(traps); // ...without a trap: the monitor never saw it
    expect(mon.vcpu.ie).toBe(false); // so the guest's interrupts stay off
    // Natively the same instruction turns interrupts back on.
    const nat = runVm(image, 'native', 0).vm;
    nat.machine.breakpoints.add(wrflags);
    nat.run(1_000_000); // the first console_write, at boot
    nat.machine.breakpoints.clear();
    nat.machine.breakpoints.add(sti);
    nat.run(1_000_000);
    nat.machine.breakpoints.clear();
    nat.machine.breakpoints.add(wrflags);
    nat.run(1_000_000);
    expect(nat.machine.cpu.regs[11]).toBe(STATUS.PG | STATUS.IE);
    expect(nat.machine.cpu.ie).toBe(false);
    nat.step();
    expect(nat.machine.cpu.ie).toBe(true);
  });
});
