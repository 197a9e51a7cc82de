import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readElf, type Image } from '../../src/elf/index.js';
import { decode, disassembleWord } from '../../src/isa/index.js';
import { oneErrorLine, runCli, type CliRun } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-bt-dump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const guest = (name: string) => new URL(`../../guests/${name}`, import.meta.url).pathname;

// The --json shape (what the tests read of it).
interface Ref { pc: number; gfn: number; paging: boolean; tc: number }
interface JUnit {
  pc: number; endPc: number; gpa: number; gfn: number; paging: boolean; tc: number; symbol: string | null;
  state: string; reason: string | null; end: string;
  counts: { guestInsns: number; translatedWords: number; ident: number; nonIdent: number; callouts: Record<string, number> };
  insns: {
    pc: number; word: number | null; text: string; treatment: string; ident: boolean;
    words: { offset: number; word: number; text: string; callout: number | null }[]; callouts: number[];
  }[];
  callouts: { index: number; id: number; kind: string; pc: number; site: number; text: string; mnemonic?: string; exit?: string; target?: number }[];
  chains: { out: { site: number; tc: number; callout: number; branch: boolean; to: Ref }[]; in: { tc: number; from: Ref; site: number }[] };
}
interface JDump {
  program: string;
  stop: { reason: string; haltCode: number | null; message: string; steps: number };
  scope: string; pc: number | null; inScope: number;
  totals: {
    units: number; guestInsns: number; translatedWords: number; ident: number; nonIdent: number;
    callouts: Record<string, number>; indirectExits: number; emulated: Record<string, number>; chains: number;
  };
  run: Record<string, number>;
  units: JUnit[];
  console: string;
}

/** Assemble a guest once into an ELF, so the dump and the checks below read the very same bytes. */
async function build(name: string): Promise<{ elf: string; image: Image }> {
  const elf = join(dir, name.replace(/\W/g, '_') + '.elf');
  const r = await runCli(['asm', guest(name), '-o', elf]);
  if (r.code !== 0) throw new Error(`asm ${name} failed: ${r.stderr}`);
  return { elf, image: readElf(new Uint8Array(readFileSync(elf)), elf) };
}

function symbol(image: Image, name: string): number {
  const s = image.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value >>> 0;
}

/** The word the image loads at `addr` (undefined outside its sections). */
function imageWord(image: Image, addr: number): number | undefined {
  const s = image.sections.find((x) => addr >= x.addr && addr + 4 <= x.addr + x.data.length);
  if (!s) return undefined;
  return new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength).getUint32(addr - s.addr, true);
}

async function dumpJson(args: string[]): Promise<JDump> {
  const r = await runCli(['bt-dump', ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as JDump;
}

/** Guest-instruction rows of the text dump: address, guest text, marker. */
function guestRows(text: string): { pc: number; text: string; marker: string }[] {
  const rows = [];
  for (const line of text.split('\n')) {
    const m = /^ {2}(0x[0-9a-f]{8}) {2}(.*?) +(IDENT|emulate|control|pc-relative|fault) +\|/.exec(line);
    if (m) rows.push({ pc: Number(m[1]), text: m[2]!, marker: m[3]! });
  }
  return rows;
}

/** The label line of each unit: `== <pc> [<sym>]  gpa <gpa> (frame <f>)  paging on|off  tc <tc>`. */
function labels(text: string): { pc: number; gpa: number; paging: string; tc: number }[] {
  return text.split('\n').filter((l) => l.startsWith('== ')).map((l) => {
    const m = /^== (0x[0-9a-f]{8})(?: <[^>]+>)? {2}gpa (0x[0-9a-f]{8}) \(frame 0x[0-9a-f]+\) {2}paging (on|off) {2}tc (0x[0-9a-f]{8})$/.exec(l);
    if (!m) throw new Error(`not a unit label: '${l}'`);
    return { pc: Number(m[1]), gpa: Number(m[2]), paging: m[3]!, tc: Number(m[4]) };
  });
}

/** Every check that the dump's guest side is the image's code, and the translation side is consistent. */
function checkAgainstImage(d: JDump, image: Image): void {
  expect(d.units.length).toBeGreaterThan(0);
  for (const u of d.units) {
    expect(u.state).toBe('valid');
    expect(u.gpa).toBe(((u.gfn << 12) | (u.pc & 0xfff)) >>> 0);
    let words = 0;
    u.insns.forEach((insn, i) => {
      expect(insn.pc).toBe(u.pc + 4 * i);
      const addr = (u.gpa + 4 * i) >>> 0;
      const w = imageWord(image, addr);
      expect(w, `image word at 0x${addr.toString(16)}`).toBeDefined();
      expect(insn.word).toBe(w);
      expect(insn.text).toBe(disassembleWord(w!, insn.pc));
      // The translated words are the unit's, in order, with no gap.
      insn.words.forEach((tw, k) => expect(tw.offset).toBe(words + k));
      words += insn.words.length;
    });
    expect(u.endPc).toBe(u.pc + 4 * u.insns.length);
    expect(words).toBe(u.counts.translatedWords);
    expect(u.insns.filter((i) => i.ident).length).toBe(u.counts.ident);
    // An undefined or unmapped word that ends a unit is no guest instruction: neither IDENT nor non-IDENT.
    expect(u.insns.filter((i) => !i.ident && i.treatment !== 'fault').length).toBe(u.counts.nonIdent);
    // Every callout sits on an hcall word of the instruction it stands for.
    for (const c of u.callouts) {
      const insn = u.insns.find((i) => i.callouts.includes(c.index))!;
      expect(insn.pc).toBe(c.pc);
      const word = insn.words.find((w) => w.offset === c.site)!;
      expect(word.callout).toBe(c.index);
      expect(decode(word.word)?.def.mnemonic).toBe('hcall');
    }
  }
  // Chains join units of the dump, and each is seen from both ends.
  const key = (r: Ref) => `${r.pc}/${r.gfn}/${r.paging}/${r.tc}`;
  const byKey = new Map(d.units.map((u) => [key(u), u]));
  let chains = 0;
  for (const u of d.units) {
    for (const c of u.chains.out) {
      chains++;
      const to = byKey.get(key(c.to));
      expect(to, `chain target ${key(c.to)}`).toBeDefined();
      expect(u.callouts[c.callout]!.kind).toBe('exit');
      // A taken exit's chain may retarget the conditional branch itself (the word before its exits).
      if (c.branch) expect(u.callouts[c.callout]!.exit).toBe('taken');
      else expect(u.callouts[c.callout]!.site).toBe(c.site);
      expect(u.callouts[c.callout]!.target).toBe(c.to.pc);
      expect(c.tc).toBe(u.tc + 4 * c.site);
      expect(to!.chains.in).toContainEqual({ tc: c.tc, from: { pc: u.pc, gfn: u.gfn, paging: u.paging, tc: u.tc }, site: c.site });
    }
  }
  expect(chains).toBe(d.totals.chains);
}

describe('virtlab bt-dump', () => {
  describe('hello.s', () => {
    let hello: { elf: string; image: Image };
    let text: CliRun;
    beforeAll(async () => {
      hello = await build('hello.s');
      text = await runCli(['bt-dump', guest('hello.s')]);
    });

    test('the console goes to stderr, the dump alone to stdout, exit 0', () => {
      expect(text.code).toBe(0);
      expect(text.stderr).toBe('Hello from virtlab!\n');
      expect(text.stdout).not.toContain('Hello from virtlab');
      expect(text.stdout).toMatch(/^program +.*hello\.s\nguest +halted with exit code 0 after \d+ steps\nunits +\d+ held in the translation cache/);
    });

    test('guest side of every unit is the image disassembly; markers follow the translation', () => {
      const rows = guestRows(text.stdout);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.text).toBe(disassembleWord(imageWord(hello.image, row.pc)!, row.pc));
        const def = decode(imageWord(hello.image, row.pc)!)!.def;
        // hello runs at ring 0 with paging off: all of it is translated; the port write and halt are not IDENT.
        const expected = def.mnemonic === 'out' ? 'emulate'
          : ['beq', 'jal', 'halt'].includes(def.mnemonic) ? 'control' : 'IDENT';
        expect(row.marker, `${row.text}`).toBe(expected);
      }
      // Every instruction of _start..halt was translated at least once.
      const start = symbol(hello.image, '_start');
      const seen = new Set(rows.map((r) => r.pc));
      for (let a = start; a <= start + 0x1c; a += 4) expect(seen.has(a), `0x${a.toString(16)}`).toBe(true);
    });

    test('each unit is labelled with its frame, paging mode and TC address, in guest-address order', () => {
      const ls = labels(text.stdout);
      expect(ls.length).toBeGreaterThan(1);
      for (const l of ls) {
        expect(l.gpa).toBe(l.pc); // paging is off: guest-virtual = guest-physical
        expect(l.paging).toBe('off');
        expect(l.tc >>> 22).toBe(0xffc00000 >>> 22); // the fetch window at the top 4 MiB
      }
      expect(ls.map((l) => l.pc)).toEqual([...ls.map((l) => l.pc)].sort((a, b) => a - b));
    });

    test('chains: the loop\'s exits were patched, and are shown from both ends', () => {
      expect(text.stdout).toMatch(/^ {2}chain {2}\+\d+ jumps to unit 0x[0-9a-f]{8}.* at tc 0x[0-9a-f]{8} {2}\(was #\d+ exit (taken|not-taken|jump) -> 0x[0-9a-f]{8}.*\)$/m);
      expect(text.stdout).toMatch(/^ {2}from {3}unit 0x[0-9a-f]{8}.* \+\d+ \(tc 0x[0-9a-f]{8}\) jumps here$/m);
    });

    test('header totals add up over the units', async () => {
      const d = await dumpJson([guest('hello.s')]);
      expect(d.console).toBe('Hello from virtlab!\n');
      expect(d.stop).toMatchObject({ reason: 'halted', haltCode: 0 });
      const sum = (f: (u: JUnit) => number) => d.units.reduce((s, u) => s + f(u), 0);
      expect(d.totals.units).toBe(d.units.length);
      expect(d.totals.guestInsns).toBe(sum((u) => u.counts.guestInsns));
      expect(d.totals.translatedWords).toBe(sum((u) => u.counts.translatedWords));
      expect(d.totals.ident).toBe(sum((u) => u.counts.ident));
      expect(d.totals.emulated).toEqual({ out: 1, halt: 1 });
      expect(d.run.translations).toBeGreaterThanOrEqual(d.units.length);
      const header = text.stdout.split('\n\n')[0]!;
      expect(header).toContain(`guest insns  ${d.totals.guestInsns}: ${d.totals.ident} IDENT, ${d.totals.nonIdent} non-IDENT`);
      expect(header).toContain(`translated   ${d.totals.translatedWords} words`);
      expect(header).toMatch(/callouts +\d+: emulate 2 \(out 1, halt 1\), exit \d+ \(0 indirect\), fault 0/);
      checkAgainstImage(d, hello.image);
    });

    test('--pc: only the units containing that address (symbol or number)', async () => {
      const all = await dumpJson([guest('hello.s')]);
      const start = symbol(hello.image, '_start');
      for (const [arg, addr] of [['_start', start], [`0x${(start + 0x14).toString(16)}`, start + 0x14]] as const) {
        const d = await dumpJson([guest('hello.s'), '--pc', arg]);
        const expected = all.units.filter((u) => addr >= u.pc && addr < u.endPc);
        expect(expected.length).toBeGreaterThan(0);
        expect(d.units).toEqual(expected);
        expect(d.pc).toBe(addr);
        expect(d.inScope).toBe(all.units.length);
        expect(d.totals.units).toBe(expected.length);
      }
      const t = await runCli(['bt-dump', guest('hello.s'), '--pc', '_start']);
      expect(t.stdout).toMatch(/^units +1 containing 0x[0-9a-f]{8} <_start>, of \d+ held/m);
    });

    test('--pc at an address no unit holds: an empty dump that says so', async () => {
      const r = await runCli(['bt-dump', guest('hello.s'), '--pc', 'message']); // data, never executed
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^units +0 containing 0x[0-9a-f]{8} <message>/m);
      expect(r.stdout).toMatch(/^No unit contains 0x[0-9a-f]{8} <message>/m);
      expect(r.stdout).not.toContain('\n== ');
    });

    test('an ELF image works as well as the source, with its symbols', async () => {
      const fromElf = await runCli(['bt-dump', hello.elf]);
      expect(fromElf.code).toBe(0);
      expect(fromElf.stdout.replace(/^program.*\n/, '')).toBe(text.stdout.replace(/^program.*\n/, ''));
      expect(fromElf.stdout).toContain('<_start>');
    });

    test('a budget that ends the run early still dumps what was translated, and says so', async () => {
      const r = await runCli(['bt-dump', guest('hello.s'), '--max-steps', '3']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^guest +step budget of 3 steps used up/m);
      expect(labels(r.stdout).length).toBeGreaterThan(0);
      const d = await dumpJson([guest('hello.s'), '--max-steps', '3']);
      expect(d.stop).toMatchObject({ reason: 'budget', haltCode: null });
    });

    test('--mode bt is accepted; the options of run are there (-D)', async () => {
      const r = await runCli(['bt-dump', guest('hello.s'), '--mode', 'bt', '-D', 'UNUSED=1']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(text.stdout);
    });
  });

  describe('self-modifying code: --all-units', () => {
    test('the units the guest\'s stores invalidated are shown, each version of the patched code', async () => {
      const d = await dumpJson([guest('smc.s'), '--all-units', '--pc', 'patched']);
      expect(d.scope).toBe('all');
      const states = d.units.map((u) => u.state);
      expect(states).toContain('valid');
      expect(states).toContain('invalidated');
      expect(d.units.filter((u) => u.state === 'invalidated').every((u) => u.reason === 'code-write')).toBe(true);
      // smc.s patches the immediate of `addi a0, a0, N` at `patched` to 1, 2, 4, 8 before its passes.
      const versions = new Set(d.units.map((u) => u.insns.find((i) => i.pc === d.pc)!.text));
      expect(versions).toEqual(new Set(['addi a0, a0, 1', 'addi a0, a0, 2', 'addi a0, a0, 4', 'addi a0, a0, 8']));
      const cacheOnly = await dumpJson([guest('smc.s'), '--pc', 'patched']);
      expect(cacheOnly.units.every((u) => u.state === 'valid')).toBe(true);
      expect(cacheOnly.units.length).toBeLessThan(d.units.length);
      const t = await runCli(['bt-dump', guest('smc.s'), '--all-units']);
      expect(t.stdout).toMatch(/^== 0x[0-9a-f]{8} <patched>.* was at tc 0x[0-9a-f]{8} \[invalidated: code-write\]$/m);
    });
  });

  describe('tinyos', () => {
    let tiny: { elf: string; image: Image };
    let d: JDump;
    let text: CliRun;
    beforeAll(async () => {
      tiny = await build('tinyos/tinyos.s');
      d = await dumpJson([tiny.elf]);
      text = await runCli(['bt-dump', tiny.elf]);
    });

    test('the guest halts normally; its console output is on stderr only', () => {
      expect(d.stop).toMatchObject({ reason: 'halted', haltCode: 0 });
      expect(text.code).toBe(0);
      expect(text.stderr).toBe(d.console);
      expect(d.console).toContain('tinyos: booting');
      expect(text.stdout).not.toContain('tinyos: booting');
    });

    test('every unit\'s guest instructions are the image\'s, and chains are consistent', () => {
      checkAgainstImage(d, tiny.image);
      for (const row of guestRows(text.stdout)) {
        // The kernel is mapped where it is loaded, so the image answers for the virtual pc too.
        expect(row.text).toBe(disassembleWord(imageWord(tiny.image, row.pc)!, row.pc));
      }
      expect(guestRows(text.stdout).length).toBe(d.units.reduce((s, u) => s + u.insns.length, 0));
    });

    test('rdflags, wrflags and cli are non-IDENT emulate callouts; plain ALU instructions are IDENT', () => {
      const insns = d.units.flatMap((u) => u.insns.map((i) => ({ u, i })));
      for (const mnemonic of ['rdflags', 'wrflags', 'cli']) {
        const found = insns.filter(({ i }) => i.word !== null && decode(i.word)?.def.mnemonic === mnemonic);
        expect(found.length, mnemonic).toBeGreaterThan(0);
        for (const { u, i } of found) {
          expect(i.treatment).toBe('emulate');
          expect(i.ident).toBe(false);
          expect(i.words).toHaveLength(1);
          const c = u.callouts[i.words[0]!.callout!]!;
          expect(c).toMatchObject({ kind: 'emulate', mnemonic, pc: i.pc });
        }
      }
      let alu = 0;
      for (const { u, i } of insns) {
        const kind = i.word === null ? undefined : decode(i.word)?.def.sem.kind;
        if (kind !== 'alu' && kind !== 'lui') continue;
        alu++;
        expect(i.treatment, i.text).toBe('ident');
        expect(i.words[0]).toMatchObject({ word: i.word, text: i.text, callout: null }); // copied unchanged
        // Anything after it is the exit of a unit that stopped here (its size limit or the page end).
        for (const w of i.words.slice(1)) expect(u.callouts[w.callout!]).toMatchObject({ kind: 'exit', exit: 'fallthrough' });
      }
      expect(alu).toBeGreaterThan(10);
      // The text marks agree.
      const marks = new Map(guestRows(text.stdout).map((r) => [r.text, r.marker]));
      expect(marks.get('cli')).toBe('emulate');
      expect([...guestRows(text.stdout)].filter((r) => r.text.startsWith('rdflags')).every((r) => r.marker === 'emulate')).toBe(true);
    });

    test('code run with paging off and on is two units at one pc, each labelled', () => {
      const console_ = symbol(tiny.image, 'console_write');
      const at = d.units.filter((u) => u.pc === console_);
      expect(at.map((u) => u.paging).sort()).toEqual([false, true]);
      const ls = labels(text.stdout).filter((l) => l.pc === console_);
      expect(ls.map((l) => l.paging).sort()).toEqual(['off', 'on']);
      expect(new Set(ls.map((l) => l.tc)).size).toBe(2);
      expect(text.stdout).toMatch(/^== 0x[0-9a-f]{8} <console_write> {2}gpa/m);
    });

    test('--pc with a kernel symbol: the units holding it; user code is never translated', async () => {
      const addr = symbol(tiny.image, 'console_write');
      const f = await dumpJson([tiny.elf, '--pc', 'console_write']);
      expect(f.units.length).toBeGreaterThan(0);
      expect(f.units).toEqual(d.units.filter((u) => u.pc <= addr && addr < u.endPc));
      const user = await runCli(['bt-dump', tiny.elf, '--pc', 'worker']);
      expect(user.stdout).toMatch(/^No unit contains 0x[0-9a-f]{8} <worker>/m);
    });
  });

  describe('errors: one line, non-zero exit', () => {
    const bad = join(dir, 'bad.s');
    writeFileSync(bad, '        frob a0\n');

    test.each([
      [['--pc', 'no_such_symbol'], /--pc 'no_such_symbol' is neither a symbol of the program nor an address/],
      [['--pc', '_strat'], /did you mean '?_start'?/],
      [['--pc', '0x1002'], /--pc '0x1002' is 0x1002, not 4-aligned/],
      [['--pc', '0x100000000'], /--pc '0x100000000' is neither/],
      [['--mode', 'trap'], /bt-dump always runs the guest under bt; drop --mode trap/],
      [['--mode', 'vmx'], /--mode/],
      [['--max-steps', '0'], /--max-steps/],
    ])('%j: usage error, exit 2', async (args, message) => {
      const r = await runCli(['bt-dump', guest('hello.s'), ...args]);
      expect(r.code).toBe(2);
      expect(oneErrorLine(r)).toMatch(message);
      expect(r.stdout).toBe('');
    });

    test('an unreadable file', async () => {
      const r = await runCli(['bt-dump', join(dir, 'missing.s')]);
      expect(r.code).toBe(1);
      expect(oneErrorLine(r)).toMatch(/cannot read '.*missing\.s': no such file or directory/);
    });

    test('a file that is not an ELF image', async () => {
      const junk = join(dir, 'junk.bin');
      writeFileSync(junk, 'not an elf');
      const r = await runCli(['bt-dump', junk]);
      expect(r.code).toBe(1);
      expect(oneErrorLine(r)).toMatch(/junk\.bin/);
      expect(r.stdout).toBe('');
    });

    test('assembly errors: the diagnostic, then one summary line, exit 1', async () => {
      const r = await runCli(['bt-dump', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/bad\.s:1:\d+: error: .*frob/);
      expect(r.stderr.trim().split('\n').at(-1)).toBe('virtlab: 1 error');
      expect(r.stdout).toBe('');
    });

    test('-D with an ELF image is a usage error', async () => {
      const elf = join(dir, 'h.elf');
      await runCli(['asm', guest('hello.s'), '-o', elf]);
      const r = await runCli(['bt-dump', elf, '-D', 'X=1']);
      expect(r.code).toBe(2);
      expect(oneErrorLine(r)).toMatch(/-D applies to assembler sources/);
    });
  });
});
