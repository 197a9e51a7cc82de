// The command table: verbs, aliases, usage and help, and their handlers.
// A verb may be abbreviated to any unambiguous prefix (gdb style); the
// aliases cover the usual one-letter forms.

import { didYouMean } from '../asm/suggest.js';
import { CR, REG } from '../isa/index.js';
import { parseCount, splitArgs, splitCondition } from './args.js';
import { ACCESS_WORDS, type WatchAccess } from './breakpoints.js';
import { DebugError } from './errors.js';
import { classify, FinishTracker } from './flow.js';
import { hex8, plural, valueText } from './format.js';
import type { DebugSession, Goal } from './session.js';
import { checkRange, examineStrings, examineUnits, parseExamineSpec } from './examine.js';
import { evaluate } from './expr.js';
import { disassemblyView, memoryView, pointsView, readWord, registersView, whereStateText, type Space } from './views.js';
import { vmListView } from './vm-list.js';
import { guestTables, hardwareTables, tablesView } from './tables.js';

type Work = Generator<void, void, void> | void;

interface CommandSpec {
  name: string;
  aliases?: readonly string[];
  usage: string;
  summary: string;
  /** Extra lines for `help VERB`. */
  details?: string;
  /** An empty line repeats it in an interactive session (as in gdb). */
  repeatable?: true;
  run(s: DebugSession, args: string): Work;
}

const MAX_DUMP = 64 * 1024;
const MAX_DISASM = 4096;
const UNIT_NAMES = { 1: 'byte', 2: 'halfword', 4: 'word' } as const;

/** The longest command line taken: bounds the work one line can ask of the parser. */
export const MAX_COMMAND_LINE = 4096;

/**
 * An address: an expression's value as 0..0xffffffff. A negative number
 * (`-4`) is refused rather than wrapped to 0xfffffffc; arithmetic that wraps
 * (`sp - 4` with sp 0) is 32-bit, as everywhere in expressions.
 */
function addressArg(s: DebugSession, verb: string, text: string): number {
  const expr = s.parse(text);
  if (expr.kind === 'unary' && expr.op === '-' && expr.arg.kind === 'num' && expr.arg.value !== 0) {
    throw new DebugError(`${verb}: ${text.trim()} is negative; addresses run from 0 to 0xffffffff`);
  }
  return evaluate(expr, s.env) >>> 0;
}

function noArgs(verb: string, args: string): void {
  if (args.trim() !== '') throw new DebugError(`${verb} takes no arguments (got '${args.trim()}')`);
}

/** `where` and `regs` show the guest's view; `real` asks for the real CPU's. */
function realArg(verb: string, args: string): boolean {
  const a = args.trim();
  if (a !== '' && a !== 'real') throw new DebugError(`usage: ${verb} [real] (got '${a}')`);
  return a === 'real';
}

function optionalCount(verb: string, args: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const list = splitArgs(args);
  if (list.length > 1) throw new DebugError(`usage: ${verb} [N]`);
  return list.length === 0 ? 1 : parseCount(list[0]!, what, 1, max);
}

/** A code address: empty (the pc), FILE:LINE, or an expression (a leading `*` is allowed). */
function codeLocation(s: DebugSession, text: string): { addr: number; note: string } {
  if (text === '') return { addr: s.pc(), note: '' };
  const fileLine = /^(.+):(\d+)$/.exec(text);
  if (fileLine && !/^\s*\[/.test(text)) {
    const [, file, line] = fileLine;
    if (!s.symbols.knowsFile(file!)) throw new DebugError(`no line information for a file '${file}'`);
    const at = s.symbols.addressOfLine(file!, Number(line));
    if (!at) throw new DebugError(`no code at or after ${file}:${line}`);
    return { addr: at.addr, note: at.line !== Number(line) ? ` (line ${line} has no code)` : '' };
  }
  const addr = addressArg(s, 'location', text.replace(/^\*/, ''));
  if ((addr & 3) !== 0) throw new DebugError(`${hex8(addr)} is not 4-aligned: instructions are 4-aligned words`);
  return { addr, note: '' };
}

function ids(s: DebugSession, verb: string, args: string): number[] {
  return splitArgs(args).map((a) => {
    const id = parseCount(a, 'a breakpoint number');
    if (!s.points.get(id)) throw new DebugError(`${verb}: no breakpoint or watchpoint number ${id}`);
    return id;
  });
}

/** `next`: over a call or syscall, stop at the instruction after it once the same frame is back. */
function nextGoal(s: DebugSession): Goal {
  const m = s.machine;
  const pc = s.pc();
  const word = readWord(m, pc, 'virtual', s.translate);
  const flow = word === undefined ? undefined : classify(word);
  if (flow !== 'call' && flow !== 'syscall') return { kind: 'next', limit: 1, noteLastTrap: true };
  const sp0 = m.cpu.regs[REG.sp]! >>> 0;
  const ring0 = m.cpu.cpl;
  const ptbr0 = m.cpu.cr[CR.ptbr]!;
  return {
    kind: 'next',
    limit: s.maxSteps,
    temp: {
      addr: (pc + 4) >>> 0,
      // Same frame: the stack is back where it was (deeper recursion returns here with a lower sp),
      // same ring, and for user code the same address space.
      accept: () => (m.cpu.regs[REG.sp]! >>> 0) >= sp0 && m.cpu.cpl === ring0 && (ring0 !== 3 || m.cpu.cr[CR.ptbr] === ptbr0),
    },
  };
}

const ACCESS_ARGS: Record<string, WatchAccess> = { r: 'r', w: 'w', rw: 'rw', wr: 'rw' };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'step', aliases: ['s', 'si', 'stepi'], usage: 'step [N]', repeatable: true,
    summary: 'execute N instructions (default 1); an interrupt taken counts as one',
    details: 'Stops early at a breakpoint or watchpoint. When the last step took a trap, says which.\n'
      + 'N is at most --max-steps, the budget of every command that runs the guest.',
    // At most --max-steps, the budget of every resuming command.
    run: (s, args) => s.resume({ kind: 'step', limit: optionalCount('step', args, 'a number of steps', s.maxSteps), noteLastTrap: true }),
  },
  {
    name: 'next', aliases: ['n', 'ni', 'nexti'], usage: 'next', repeatable: true,
    summary: 'one instruction, but run calls (jal/jalr writing ra) and syscalls to their return',
    details: 'Stops at the instruction after the call once sp is back at (or above) its value at the call, in the\n'
      + 'same ring (and for ring 3 the same address space). Breakpoints and watchpoints inside still stop it.',
    run: (s, args) => { noArgs('next', args); return s.resume(nextGoal(s)); },
  },
  {
    name: 'finish', aliases: ['fin'], usage: 'finish',
    summary: 'run until the current function returns',
    details: 'Counts calls (jal/jalr writing ra) and returns (jalr zero, ra) in the current ring and stops after the\n'
      + 'return that matches no call made since. In ring 0 a trap counts as a call and rett as its return; in\n'
      + 'ring 3 only the current address space counts. Prints a0 afterwards.',
    run: (s, args) => {
      noArgs('finish', args);
      const m = s.machine;
      // Under bt the guest's kernel runs at real ring 1: traps into it count there.
      const cpl = m.cpu.cpl;
      const finish = s.bt ? new FinishTracker(cpl, m.cpu.cr[CR.ptbr]!, cpl !== 3) : new FinishTracker(cpl, m.cpu.cr[CR.ptbr]!);
      return s.resume({ kind: 'finish', limit: s.maxSteps, finish });
    },
  },
  {
    name: 'continue', aliases: ['c', 'cont'], usage: 'continue',
    summary: 'run until a breakpoint, watchpoint, halt, fault or the step budget',
    run: (s, args) => { noArgs('continue', args); return s.resume({ kind: 'continue', limit: s.maxSteps }); },
  },
  {
    name: 'back', aliases: ['rsi', 'reverse-stepi'], usage: 'back [N]', repeatable: true,
    summary: 'reverse-step N steps (default 1): registers, memory, devices, TLB all restored',
    details: 'How far back you can go is set by --history (default 1000000 steps); when the history runs out\n'
      + 'the session says so and stops at the oldest recorded step. Guest output already shown is not\n'
      + 'shown again when the same steps are executed once more.',
    run: (s, args) => s.back(optionalCount('back', args, 'a number of steps')),
  },
  {
    name: 'break', aliases: ['b', 'br'], usage: 'break [SYMBOL|ADDR|FILE:LINE] [if EXPR]',
    summary: 'stop before the instruction at a location (default: the pc), optionally only when EXPR is non-zero',
    details: 'Locations: a symbol (loop), an expression (loop+8, 0x1010), or FILE:LINE (hello.s:12).\n'
      + "Example: break loop if a0 == 3 && [counter] > 1   (see 'help print' for expressions).",
    run: (s, args) => {
      const [loc, condText] = splitCondition(args);
      const { addr, note } = codeLocation(s, loc);
      const cond = condText === undefined ? undefined : s.condition(condText);
      const bp = s.points.addBreakpoint(addr, cond, s.vmName);
      const line = s.symbols.lineOf(addr);
      s.out.text(`breakpoint ${bp.id} at ${s.describeAddress(addr)}${line ? ` ${line.file}:${line.line}` : ''}${cond ? ` if ${cond.text}` : ''}${note}`);
    },
  },
  {
    name: 'watch', usage: 'watch [-p] ADDR|SYMBOL [r|w|rw] [if EXPR]',
    summary: 'stop after an instruction reads (r), writes (w, the default) or accesses (rw) the word at ADDR',
    details: 'ADDR is a virtual address matched against the addresses instructions use, in any address space;\n'
      + '-p makes it a physical address instead. A watchpoint covers one aligned word: an unaligned ADDR\n'
      + 'watches the word holding it, and the answer says so. A write reports old -> new value.',
    run: (s, args) => {
      const [rest, condText] = splitCondition(args);
      const list = splitArgs(rest);
      const physical = list[0] === '-p';
      if (physical) list.shift();
      if (list.length === 0 || list.length > 2) throw new DebugError('usage: watch [-p] ADDR|SYMBOL [r|w|rw] [if EXPR]');
      const access = list.length === 2 ? ACCESS_ARGS[list[1]!.toLowerCase()] : 'w';
      if (!access) throw new DebugError(`watch: access must be r, w or rw, got '${list[1]}'`);
      const addr = addressArg(s, 'watch', list[0]!);
      const cond = condText === undefined ? undefined : s.condition(condText);
      const wp = s.points.addWatchpoint(addr, access, physical, cond, s.vmName);
      const where = physical ? `physical ${hex8(wp.addr)}` : s.describeAddress(wp.addr);
      // Not rounded silently: the word watched is not the address given.
      const note = wp.addr !== addr ? ` (${hex8(addr)} is not 4-aligned: the word holding it is watched, any access to that word stops)` : '';
      s.out.text(`watchpoint ${wp.id} (${ACCESS_WORDS[access]}) on ${where}${cond ? ` if ${cond.text}` : ''}${note}`);
    },
  },
  {
    name: 'delete', aliases: ['d'], usage: 'delete [N...]',
    summary: 'delete breakpoints/watchpoints by number (all without a number)',
    run: (s, args) => {
      if (args.trim() === '') {
        s.out.text(`deleted all breakpoints and watchpoints (${s.points.clear()})`);
        return;
      }
      for (const id of ids(s, 'delete', args)) {
        const kind = s.points.get(id)!.kind;
        s.points.delete(id);
        s.out.text(`deleted ${kind} ${id}`);
      }
    },
  },
  {
    name: 'disable', usage: 'disable [N...]', summary: 'disable breakpoints/watchpoints (all without a number)',
    run: (s, args) => setEnabled(s, 'disable', args, false),
  },
  {
    name: 'enable', usage: 'enable [N...]', summary: 'enable breakpoints/watchpoints (all without a number)',
    run: (s, args) => setEnabled(s, 'enable', args, true),
  },
  {
    name: 'info', aliases: ['i'], usage: 'info breakpoints|registers|history',
    summary: 'list breakpoints and watchpoints, show registers, or show the reverse-step history',
    run: (s, args) => {
      const topic = args.trim().toLowerCase();
      const topics = ['breakpoints', 'watchpoints', 'registers', 'history'];
      const match = topic === '' ? [] : topics.filter((t) => t.startsWith(topic));
      if (match.length !== 1) {
        throw new DebugError(topic === '' ? 'usage: info breakpoints|registers|history'
          : `info: unknown topic '${topic}'${didYouMean(topic, topics)}; try breakpoints, registers or history`);
      }
      const t = match[0]!;
      if (t === 'registers') s.out.text(registersView(s.machine, s.symbols, s.monitor, s.pc()));
      else if (t === 'history') {
        const h = s.history;
        s.out.text(h.enabled
          ? `history: ${plural(h.available(), 'step')} back reachable (budget ${h.budget}, keyframe every ${plural(h.interval, 'step')}); at step ${s.machine.counters.steps}`
          : 'history: reverse stepping is off (--history 0)');
      } else s.out.text(pointsView(s.points.list(), (p) => s.targets.find((t) => t.name === p.vm)?.symbols ?? s.symbols));
    },
  },
  {
    name: 'regs', aliases: ['registers'], usage: 'regs [real]',
    summary: "all 16 registers with ABI names, pc, ring and the control registers (the guest's; `real`: the real CPU's)",
    run: (s, args) => { s.out.text(registersView(s.machine, s.symbols, s.monitor, s.pc(), realArg('regs', args))); },
  },
  {
    name: 'mem', aliases: ['x'], usage: 'mem [-p] ADDR [LEN]',
    summary: 'hex dump of LEN bytes (default 64) at a virtual address, or a physical one with -p',
    details: 'A virtual address is translated as the CPU would now (a cached TLB entry, else the page tables)\n'
      + 'but without filling the TLB or setting A/D bits. `??` marks bytes that are not mapped or not RAM\n'
      + '(device registers are never read: reading them has side effects). An ADDR with blanks needs\n'
      + 'parentheses: mem (sp + 8) 16. A range that would run past 0xffffffff (and wrap to 0) is an error.',
    run: (s, args) => {
      const list = splitArgs(args);
      const space: Space = list[0] === '-p' ? 'physical' : 'virtual';
      if (space === 'physical') list.shift();
      if (list.length === 0 || list.length > 2) throw new DebugError('usage: mem [-p] ADDR [LEN]');
      const addr = addressArg(s, 'mem', list[0]!);
      const len = list.length === 2 ? parseCount(list[1]!, 'a length in bytes', 1, MAX_DUMP) : 64;
      checkRange('mem', addr, len);
      s.out.text(memoryView(s.machine, addr, len, space, s.translate));
    },
  },
  {
    name: 'x/', usage: 'x/NFU ADDR',
    summary: "gdb's examine: N units (U: b, h or w, default w) as F (x hex, d or u decimal), N instructions (i), N strings (s)",
    details: 'N is a decimal count (default 1); F and U may come in either order or be left out: x/4x sp,\n'
      + "x/8xb message, x/3dw sp, x/2i pc, x/s message. Units are read byte by byte (little-endian); '??' marks\n"
      + "one that is not readable. 'mem' (alias 'x' without a slash) is the hex and ASCII dump.",
    run: (s, args) => {
      const m = /^(\S*)\s*(.*)$/s.exec(args)!;
      const list = splitArgs(m[2]!);
      if (list.length !== 1) throw new DebugError('usage: x/NFU ADDR (e.g. x/4xw sp; ADDR with blanks in parentheses)');
      const spec = parseExamineSpec(m[1]!, MAX_DUMP);
      const addr = addressArg(s, 'x', list[0]!);
      if (spec.format === 'i') {
        if (spec.count > MAX_DISASM) throw new DebugError(`x/${m[1]}: at most ${MAX_DISASM} instructions`);
        if ((addr & 3) !== 0) throw new DebugError(`x/${m[1]}: ${hex8(addr)} is not 4-aligned: instructions are 4-aligned words`);
        checkRange('x', addr, spec.count, 4, 'instruction');
        s.out.text(disassemblyView(s.machine, s.symbols, addr, spec.count, new Set(s.points.breakAddresses(s.vmName)), s.translate, s.pc()));
      } else if (spec.format === 's') {
        s.out.text(examineStrings(s.machine, addr, spec.count, 'virtual', s.translate, (a) => s.describeAddress(a)));
      } else {
        checkRange('x', addr, spec.count, spec.unit, UNIT_NAMES[spec.unit]);
        s.out.text(examineUnits(s.machine, addr, spec, 'virtual', s.translate, (a) => s.describeAddress(a)));
      }
    },
  },
  {
    name: 'disasm', aliases: ['disassemble'], usage: 'disasm [ADDR] [N]',
    summary: 'disassemble N instructions (default 8) from ADDR (default the pc); => marks the pc, * a breakpoint',
    run: (s, args) => {
      const list = splitArgs(args);
      if (list.length > 2) throw new DebugError('usage: disasm [ADDR] [N]');
      const addr = list.length > 0 ? codeLocation(s, list[0]!).addr : s.pc();
      const n = list.length === 2 ? parseCount(list[1]!, 'a number of instructions', 1, MAX_DISASM) : 8;
      checkRange('disasm', addr, n, 4, 'instruction');
      s.out.text(disassemblyView(s.machine, s.symbols, addr, n, new Set(s.points.breakAddresses(s.vmName)), s.translate, s.pc()));
    },
  },
  {
    name: 'tables', aliases: ['pt'], usage: 'tables [ADDR]',
    summary: "where ADDR (default the pc) leads through the guest's page tables and the ones the CPU walks (shadow or EPT)",
    details: "Lists the guest's own tables (virtual -> guest-physical, from its PTBR) and, under a monitor, the tables the\n"
      + 'CPU walks with or instead of them: the shadow tables (virtual -> host-physical: trap, bt, pv, hw --no-ept) or EPT\n'
      + "(guest-physical -> host-physical: hw, after the guest's own walk); natively there are only the guest's. For each:\n"
      + 'its root, how many pages it maps, and where ADDR leads (a shadow is filled as the guest touches pages).',
    run: (s, args) => {
      const list = splitArgs(args);
      if (list.length > 1) throw new DebugError('usage: tables [ADDR]');
      const addr = list.length === 1 ? addressArg(s, 'tables', list[0]!) : s.pc();
      s.out.text(tablesView([guestTables(s.machine, s.monitor, s.pc()), ...hardwareTables(s.machine, s.monitor)], addr));
    },
  },
  {
    name: 'where', aliases: ['bt', 'backtrace'], usage: 'where [real]',
    summary: "the pc with its symbol and source line, the guest's ring, interrupt flag and paging, the step count; `real`: the real CPU's too",
    run: (s, args) => {
      const real = realArg('where', args);
      s.printLocation();
      const line = s.symbols.lineOf(s.pc());
      const text = line ? s.symbols.sourceLine(line) : undefined;
      if (line && text !== undefined) s.out.text(`  ${line.line} | ${text.replace(/\s+$/, '')}`);
      s.out.text(whereStateText(s.machine, s.monitor, s.pc(), real, real ? s.bt?.view.here() : undefined, s.symbols));
      if (s.host) {
        const now = s.host.running();
        s.out.text(`  ${now ? `VM ${now.name} runs now${now.name === s.vmName ? ' (this one)' : ''}` : 'no VM runs now (between slices)'}`);
      }
    },
  },
  {
    name: 'vm', usage: 'vm [NAME]',
    summary: "on a host: list the VMs (the selected one marked *), or select one: the views, break and watch work on it",
    details: 'The list shows each VM\'s mode, state (runs now, runnable, halted, ...), guest instructions and pc.\n'
      + 'Selecting a VM makes regs, where, mem, x, disasm, print and symbols its own, and the breakpoints and\n'
      + 'watchpoints set after it belong to it; step and next count its instructions. A stop selects the VM that stopped.',
    run: (s, args) => {
      if (!s.host) throw new DebugError('vm: this session debugs one program; give virtlab debug a host configuration (.json) to debug a host');
      const list = splitArgs(args);
      if (list.length > 1) throw new DebugError('usage: vm [NAME]');
      if (list.length === 1) {
        s.selectVm(list[0]!);
        s.printLocation();
        // Its views are its saved vCPU: say so, and who has the CPU.
        const now = s.host.running();
        const vm = s.target.vm!;
        if (now !== vm && !vm.stop) s.out.text(`  not running now (${now ? `VM ${now.name} runs now` : 'between slices'}); it resumes here when it gets the CPU`);
      } else s.out.text(vmListView(s));
    },
  },
  {
    name: 'print', aliases: ['p'], usage: 'print EXPR',
    summary: 'evaluate an expression: hex and signed decimal',
    details: 'Values: numbers (42, 0x2a, 0b101, \'a\'), registers (a0, r4), pc, ring, step, control registers\n'
      + '(status, tvec, ptbr, faultaddr, cause, epc, scratch), symbols, [ADDR] for the word at a virtual address.\n'
      + 'Operators as in C: - ~ !  * / %  + -  << >> >>>  < <= > >= (signed)  == !=  &  ^  |  &&  ||  ( ).\n'
      + 'Register names win over symbols of the same name.',
    run: (s, args) => { s.out.text(valueText(s.evaluate(args))); },
  },
  {
    name: 'restart', usage: 'restart', summary: 'reload the program and start over (breakpoints stay)',
    run: (s, args) => { noArgs('restart', args); s.restart(); },
  },
  {
    name: 'help', aliases: ['h', '?'], usage: 'help [COMMAND]', summary: 'list the commands, or explain one',
    run: (s, args) => {
      const name = args.trim();
      if (name === '') {
        const width = Math.max(...COMMANDS.map((c) => c.usage.length));
        const rows = COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
        s.out.text(['commands (any unambiguous prefix works; Enter repeats step/next/back when interactive):', ...rows].join('\n'));
        return;
      }
      const spec = lookup(name);
      const aliases = spec.aliases?.length ? `\naliases: ${spec.aliases.join(', ')}` : '';
      s.out.text(`usage: ${spec.usage}\n${spec.summary}${spec.details ? '\n' + spec.details : ''}${aliases}`);
    },
  },
  {
    name: 'quit', aliases: ['q', 'exit'], usage: 'quit', summary: 'end the session',
    run: (s) => { s.requestQuit(); },
  },
];

function setEnabled(s: DebugSession, verb: string, args: string, enabled: boolean): void {
  const list = args.trim() === '' ? s.points.list().map((p) => p.id) : ids(s, verb, args);
  for (const id of list) s.points.get(id)!.enabled = enabled;
  s.out.text(`${enabled ? 'enabled' : 'disabled'} ${list.length === 0 ? 'nothing' : list.map((id) => `${s.points.get(id)!.kind} ${id}`).join(', ')}`);
}

const BY_NAME = new Map<string, CommandSpec>();
for (const c of COMMANDS) {
  BY_NAME.set(c.name, c);
  for (const a of c.aliases ?? []) BY_NAME.set(a, c);
}

function lookup(verb: string): CommandSpec {
  const v = verb.toLowerCase();
  const exact = BY_NAME.get(v);
  if (exact) return exact;
  const prefixed = COMMANDS.filter((c) => c.name.startsWith(v));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) throw new DebugError(`ambiguous command '${verb}': ${prefixed.map((c) => c.name).join(', ')}`);
  throw new DebugError(`unknown command '${verb}'${didYouMean(v, BY_NAME.keys())}; 'help' lists the commands`);
}

/** Run one command line; returns the run loop of a resuming command for the session to drive. */
export function dispatch(s: DebugSession, line: string): Work {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return;
  if (text.length > MAX_COMMAND_LINE) throw new DebugError(`command line of ${text.length} characters: at most ${MAX_COMMAND_LINE}`);
  const m = /^(\S+)\s*(.*)$/s.exec(text)!;
  // gdb's x/NFU: the format is glued to the verb.
  const examine = /^x\/(\S*)$/i.exec(m[1]!);
  if (examine) return lookup('x/').run(s, `${examine[1]!} ${m[2]!}`);
  return lookup(m[1]!).run(s, m[2]!);
}

/** Whether an empty line after `line` should run it again (interactive sessions). */
export function isRepeatable(line: string): boolean {
  const verb = /^\s*(\S+)/.exec(line)?.[1];
  if (verb === undefined) return false;
  try {
    return lookup(verb).repeatable === true;
  } catch {
    return false;
  }
}
