import { describe, expect, test } from 'vitest';
import { COMMANDS, isRepeatable } from '../../src/debug/index.js';
import { CALLS, fails, out, pc, run, session } from './helpers.js';

describe('the session survives bad input', () => {
  test.each([
    ['stpe', "error: unknown command 'stpe' (did you mean step?); 'help' lists the commands"],
    ['frobnicate', "error: unknown command 'frobnicate'; 'help' lists the commands"],
    ['dis', "error: ambiguous command 'dis': disable, disasm"],
    ['step x', "error: expected a number of steps (a whole number from 1 to 100000000), got 'x'"],
    ['step 0', "error: expected a number of steps (a whole number from 1 to 100000000), got '0'"],
    ['step 1 2', 'error: usage: step [N]'],
    ['next 3', "error: next takes no arguments (got '3')"],
    ['break lop', "error: unknown name 'lop' in 'lop' (did you mean loop?)"],
    ['break loop if', "error: expected a condition after 'if'"],
    ['break loop if a0 ==', "error: bad expression 'a0 ==': expected a value, found end of input (column 6)"],
    ['break loop if (a0 == 3', "error: bad expression '(a0 == 3': expected ')' to close '(' at column 1, found end of input (column 9)"],
    ['break 0x1002', 'error: 0x00001002 is not 4-aligned: instructions are 4-aligned words'],
    ['break nosuch.s:3', "error: no line information for a file 'nosuch.s'"],
    ['break calls.s:999', 'error: no code at or after calls.s:999'],
    ['mem', 'error: usage: mem [-p] ADDR [LEN]'],
    ['mem total 0', "error: expected a length in bytes (a whole number from 1 to 65536), got '0'"],
    ['disasm loop 1 2', 'error: usage: disasm [ADDR] [N]'],
    ['print 1 / 0', 'error: division by zero in expression'],
    ['print 0x100000000', "error: bad expression '0x100000000': 0x100000000 does not fit in 32 bits (column 1)"],
    ['print a0 @ 1', "error: bad expression 'a0 @ 1': unexpected '@' (column 4)"],
    ['print a0 1', "error: bad expression 'a0 1': unexpected '1' (column 4)"],
    ['delete 7', 'error: delete: no breakpoint or watchpoint number 7'],
    ['info frobs', "error: info: unknown topic 'frobs'; try breakpoints, registers or history"],
    ['info', 'error: usage: info breakpoints|registers|history'],
    ['help nope', "error: unknown command 'nope'; 'help' lists the commands"],
  ])('%s', (command, message) => {
    const s = session(CALLS);
    const r = s.execute(command);
    expect(r.ok).toBe(false);
    expect(r.output).toBe(message + '\n');
    // Still usable, and nothing ran.
    expect(s.machine.counters.steps).toBe(0);
    expect(out(s, 'step')).toMatch(/^0x00001004 <loop>/);
  });

  test('after an error in a script the following commands still run', () => {
    const s = session(CALLS);
    const outputs = ['break square', 'contniue', 'continue', 'finish'].map((c) => s.execute(c));
    expect(outputs.map((r) => r.ok)).toEqual([true, false, true, true]);
    expect(outputs[1]!.output).toBe("error: unknown command 'contniue' (did you mean continue?); 'help' lists the commands\n");
    expect(outputs[3]!.output).toMatch(/^returned; a0 = 0x00000000 \(0\)\n/);
  });

  test('resuming a halted guest is an error that says how to go on; back and restart work', () => {
    const s = session(CALLS);
    run(s, 'continue');
    expect(fails(s, 'continue')).toBe("error: the guest has halted (exit code 0); 'back' steps backwards, 'restart' starts over\n");
    expect(fails(s, 'next')).toMatch(/^error: the guest has halted/);
    expect(out(s, 'restart')).toBe('restarted\n0x00001000 <_start> test/debug/fixtures/calls.s:9   addi a0, zero, 0\n');
    expect(s.machine.counters.steps).toBe(0);
    expect(out(s, 'continue')).toBe('sum done\nthe guest halted with exit code 0 at 0x00001058 <loop+84>\n');
  });

  test('a trap with TVEC = 0 in a hand-made program', () => {
    const s = session('test/debug/fixtures/fault.s');
    expect(out(s, 'continue')).toBe('the guest stopped: unhandled trap: divide by zero (cause 0x00000005) at pc 0x00001008 (TVEC is 0)\n');
    expect(fails(s, 'step')).toBe("error: the guest has stopped (unhandled trap: divide by zero (cause 0x00000005) at pc 0x00001008 (TVEC is 0)); 'back' steps backwards, 'restart' starts over\n");
    expect(out(s, 'back')).toBe('0x00001008 <_start+8> test/debug/fixtures/fault.s:6   div a0, a0, a1\n');
  });

  test('empty lines and comments do nothing; quit ends the session', () => {
    const s = session(CALLS);
    expect(s.execute('')).toEqual({ output: '', ok: true, quit: false });
    expect(s.execute('   # a comment')).toEqual({ output: '', ok: true, quit: false });
    expect(s.execute('quit')).toEqual({ output: '', ok: true, quit: true });
  });

  test('prefixes and aliases', () => {
    const s = session(CALLS);
    expect(out(s, 'ste')).toMatch(/^0x00001004/);
    expect(out(s, 'si')).toMatch(/^0x00001008/);
    expect(out(s, 'b square')).toMatch(/^breakpoint 1 at/);
    expect(out(s, 'c')).toMatch(/^stopped at breakpoint 1/);
    expect(out(s, 'fin')).toMatch(/^returned/);
    expect(out(s, 'rsi')).toMatch(/^0x00001060 <square\+4>/);
    expect(pc(s)).toBe(0x1060);
    expect(out(s, 'i b')).toMatch(/^Num/);
    expect(out(s, 'bt')).toMatch(/^0x00001060/);
  });

  test('help lists every command; help VERB explains one', () => {
    const s = session(CALLS);
    const text = out(s, 'help');
    for (const c of COMMANDS) expect(text).toContain(`  ${c.usage}`);
    for (const verb of ['step', 'next', 'finish', 'continue', 'break', 'watch', 'delete', 'info', 'regs', 'mem', 'disasm', 'where', 'back', 'quit', 'help']) {
      expect(COMMANDS.some((c) => c.name === verb)).toBe(true);
    }
    expect(out(s, 'help fin')).toMatch(/^usage: finish\nrun until the current function returns\n/);
    expect(out(s, 'help break')).toMatch(/aliases: b, br\n$/);
  });

  test('step, next and back repeat on an empty line (interactive); nothing else does', () => {
    expect(isRepeatable('step 5')).toBe(true);
    expect(isRepeatable('n')).toBe(true);
    expect(isRepeatable('back')).toBe(true);
    expect(isRepeatable('continue')).toBe(false);
    expect(isRepeatable('bogus')).toBe(false);
  });

  test('guest output that does not end a line is ended before the debugger speaks', () => {
    const s = session('guests/hello.s');
    run(s, 'break _start+20'); // after the first `out`
    expect(out(s, 'continue')).toBe('H\nstopped at breakpoint 1, hit 1 time\n0x00001014 <_start+20> guests/hello.s:13   addi a0, a0, 1\n');
  });

  test('streamed output arrives in order through the write callback', () => {
    const chunks: string[] = [];
    const s = session(CALLS);
    const withSink = new (s.constructor as typeof import('../../src/debug/index.js').DebugSession)({
      machine: s.machine, engine: s.engine, image: s.image, write: (t) => chunks.push(t),
    });
    withSink.banner('calls.s');
    withSink.echo('continue');
    withSink.execute('continue');
    expect(chunks.join('')).toBe([
      "virtlab debug: calls.s, entry 0x00001000 <_start>, history 1000000 steps; 'help' lists the commands",
      '0x00001000 <_start> test/debug/fixtures/calls.s:9   addi a0, zero, 0',
      '(vl) continue',
      'sum done',
      'the guest halted with exit code 0 at 0x00001058 <loop+84>',
      '',
    ].join('\n'));
  });

  test('interrupt() stops a long continue at the next chunk boundary', async () => {
    const s = session('test/debug/fixtures/spin.s');
    const pending = s.executeAsync('continue', 1);
    setTimeout(() => s.interrupt(), 20);
    const r = await pending;
    expect(r.output).toMatch(/^interrupted after \d+ steps\n0x0000100[0-9a-f] <spin/);
    expect(s.machine.counters.steps).toBeLessThan(100_000_000);
  });
});
