// `virtlab host`: the shipped three-modes example (each VM prints what `run`
// prints alone), the README's example, errors with their JSON paths, the
// --vm shorthand, --json, --split-console, --stats and the exit codes.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCounters } from '../../src/machine/index.js';
import { runCli, type CliRun } from './run.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const guest = (name: string) => join(ROOT, 'guests', name);
const THREE = guest('hosts/three-modes.json');
const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The prefixed console lines of stdout (up to the blank line before the table), by VM, and their order. */
function consoles(stdout: string): { byVm: Map<string, string>; order: string[]; table: string } {
  const blank = stdout.indexOf('\n\n');
  const byVm = new Map<string, string>();
  const order: string[] = [];
  for (const line of stdout.slice(0, blank + 1).split('\n').slice(0, -1)) {
    const m = /^(\S+) *\| (.*)$/.exec(line);
    if (!m) throw new Error(`not a console line: '${line}'`);
    byVm.set(m[1]!, (byVm.get(m[1]!) ?? '') + m[2] + '\n');
    order.push(m[1]!);
  }
  return { byVm, order, table: stdout.slice(blank + 2) };
}

/** Alone, as `run` runs it. */
const ALONE: Record<string, string[]> = {
  bt: ['--mode', 'bt'],
  pv: ['-D', 'PV', '--mode', 'pv'],
  hw: ['--mode', 'hw'],
};
const alone = new Map<string, CliRun>();
let three: CliRun;
beforeAll(async () => {
  for (const [name, args] of Object.entries(ALONE)) alone.set(name, await runCli(['run', guest('tinyos/tinyos.s'), ...args]));
  three = await runCli(['host', THREE], ROOT);
});

/** Errors: exit 1, these `virtlab:` lines on stderr and nothing else, nothing on stdout. */
function expectErrors(r: CliRun, lines: string[]): void {
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr.split('\n').slice(0, -1) }).toEqual({ code: 1, stdout: '', stderr: lines.map((l) => `virtlab: ${l}`) });
}

describe('virtlab host: the three-modes example', () => {
  test('tinyos under bt, pv and hw: each VM prints exactly what it prints alone, and all halt with 0', () => {
    expect(three.code).toBe(0);
    expect(three.stderr).toBe('');
    const { byVm, table } = consoles(three.stdout);
    expect([...byVm.keys()]).toEqual(['bt', 'pv', 'hw']);
    for (const [name, run] of alone) {
      expect(run.code).toBe(0);
      expect(byVm.get(name)).toBe(run.stdout);
    }
    const rows = table.split('\n').slice(1, 4).map((l) => l.split(/ {2,}/));
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([['bt', 'bt', 'halted 0'], ['pv', 'pv', 'halted 0'], ['hw', 'hw', 'halted 0']]);
  });

  test('lines come in the order the host made them: interleaved in short slices, one VM after the other in long ones', async () => {
    const runs = (order: string[]) => order.filter((v, i) => v !== order[i - 1]);
    expect(runs(consoles(three.stdout).order).length).toBeGreaterThan(6);
    const long = await runCli(['host', THREE, '--slice', '10000000'], ROOT);
    expect(long.code).toBe(0);
    expect(runs(consoles(long.stdout).order)).toEqual(['bt', 'pv', 'hw']);
  });

  test('the same from another working directory: programs are relative to the configuration file', async () => {
    const r = await runCli(['host', THREE], dir);
    expect(r).toEqual(three);
  });

  test('the README shows the command and lines of its real output; its shorthand example runs', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('npx virtlab host guests/hosts/three-modes.json');
    const shorthand = /^npx virtlab host (--vm [^#\n]*?)\s*$/m.exec(readme); // the first without a comment (the tour's lines have one)
    if (!shorthand) throw new Error('README.md shows no --vm example');
    const r = await runCli(['host', ...shorthand[1]!.split(' ')], ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^b +hw +halted 0 /m);
    const block = /<!-- host-example:begin -->\n```text\n([^]*?)```\n<!-- host-example:end -->/.exec(readme);
    if (!block) throw new Error('README.md has no host-example block');
    const out = three.stdout.split('\n');
    let at = 0;
    for (const line of block[1]!.split('\n').slice(0, -1)) {
      if (line === '...') continue;
      const found = out.indexOf(line, at);
      expect({ line, found: found >= 0 }).toEqual({ line, found: true });
      at = found + 1;
    }
  });
});

describe('virtlab host --json, --split-console, --stats', () => {
  test('unfinished last lines are printed at the end, after every complete line, ended by a newline; an empty line stays', async () => {
    const src = file('partial.s', '        .text\n        .global _start\n_start: addi t0, zero, 97\n        out t0, 0x10\n'
      + '        addi t1, zero, 10\n        out t1, 0x10\n        out t1, 0x10\n        out t0, 0x10\n        halt zero\n');
    const r = await runCli(['host', '--vm', `p=${src}:hw,memory=1`, '--vm', `long=${src}:trap,memory=1`]);
    expect(r.code).toBe(0);
    expect(r.stdout.slice(0, r.stdout.indexOf('\n\n') + 1)).toBe('p    | a\np    | \nlong | a\nlong | \np    | a\nlong | a\n');
  });

  test('--max-steps ending inside a slice: the running VM\'s unfinished line is printed too', async () => {
    const src = file('spin.s', '        .text\n        .global _start\n_start: addi t0, zero, 98\n        out t0, 0x10\nspin:   j       spin\n');
    const r = await runCli(['host', '--vm', `s=${src}:trap,memory=1`, '--max-steps', '1000']);
    expect(r.code).toBe(124);
    expect(r.stdout.slice(0, r.stdout.indexOf('\n\n') + 1)).toBe('s | b\n');
  });

  test('--json: one object, every VM\'s stop, counters, entries, cycles, share and console', async () => {
    const r = await runCli(['host', THREE, '--json', '--cost-model', 'modern'], ROOT);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['exitCode', 'end', 'steps', 'slice', 'engine', 'worldSwitches', 'vms', 'sriov', 'switch']);
    expect(report).toMatchObject({ exitCode: 0, end: 'stopped', slice: 10000, engine: 'jit' });
    expect(report.vms.map((v: { name: string }) => v.name)).toEqual(['bt', 'pv', 'hw']);
    let share = 0;
    for (const v of report.vms) {
      expect(Object.keys(v)).toEqual(['name', 'mode', 'program', 'weight', 'stopReason', 'haltCode', 'message', 'exitCode', 'instructions',
        'entries', 'host', 'share', 'counters', 'monitor', 'cost', 'console', 'net']);
      expect(v).toMatchObject({ program: 'guests/tinyos/tinyos.s', weight: 1, stopReason: 'halted', haltCode: 0, message: null, exitCode: 0 });
      expect(v.console).toBe(alone.get(v.name)!.stdout);
      expect(Object.keys(v.counters)).toEqual(Object.keys(createCounters()));
      expect(v.instructions).toBe(v.counters.instructions);
      expect(v.entries).toEqual({ traps: v.monitor.traps, callouts: v.monitor.callouts, hypercalls: v.monitor.hypercalls, vmExits: v.monitor.vmExits });
      expect(v.cost.preset).toBe('modern');
      expect(v.host.slices).toBeGreaterThan(1);
      share += v.share;
    }
    expect(share).toBeCloseTo(1, 12);
    expect(report.worldSwitches).toBe(report.vms.reduce((n: number, v: { host: { slices: number } }) => n + v.host.slices, 0));
    // Each mode enters its monitor its own way.
    const [bt, pv, hw] = report.vms;
    expect([bt.entries.callouts > 0, pv.entries.hypercalls > 0, hw.entries.vmExits > 0]).toEqual([true, true, true]);
    expect([bt.entries.hypercalls, bt.entries.vmExits, pv.entries.callouts, hw.entries.traps]).toEqual([0, 0, 0, 0]);
    // hw has VPID by default: its TLB survives world switches; the others' is flushed at each one.
    expect([bt.host.switchFlushes, pv.host.switchFlushes, hw.host.switchFlushes]).toEqual([bt.host.slices, pv.host.slices, 0]);
  });

  test('--split-console DIR: one file per VM, and only the table on stdout', async () => {
    const out = join(dir, 'consoles');
    const r = await runCli(['host', THREE, '--split-console', out], ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^vm {2}mode {2}stop/);
    for (const [name, run] of alone) expect(readFileSync(join(out, `${name}.txt`), 'utf8')).toBe(run.stdout);
  });

  test('--split-console onto a file is one line, before anything runs', async () => {
    const r = await runCli(['host', THREE, '--split-console', 'README.md'], ROOT);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 1, stdout: '', stderr: 'virtlab: cannot create \'README.md\': it exists and is not a directory\n' });
  });

  test('--stats: per VM, the counters run --stats lists, and its host counters', async () => {
    const r = await runCli(['host', '--vm', `a=${guest('hello.s')}:trap`, '--vm', `b=${guest('hello.s')}:hw`, '--stats'], ROOT);
    expect(r.code).toBe(0);
    const alone = await runCli(['run', guest('hello.s'), '--mode', 'hw', '--stats']);
    const sections = r.stderr.split(/^== /m).slice(1);
    expect(sections.map((s) => s.split('\n')[0])).toEqual(['a (trap) ==', 'b (hw) ==']);
    const names = (text: string) => [...text.matchAll(/^(\w+) +\d+$/gm)].map((m) => m[1]);
    const hwSection = sections[1]!.slice(sections[1]!.indexOf('\n') + 1);
    expect(names(hwSection.slice(0, hwSection.indexOf('\nhost:'))).slice(0, Object.keys(createCounters()).length)).toEqual(names(alone.stderr).slice(0, Object.keys(createCounters()).length));
    expect(hwSection).toMatch(/^modelled cycles, cost model p4-2006/m);
    expect(hwSection).toMatch(/\nhost:\nslices +1\npreempted +0\nyields +0\nswitchFlushes +0\n/);
    expect(hwSection).toMatch(/^instructions +105$/m);
  });
});

describe('virtlab host --vm', () => {
  test('NAME=FILE:MODE with options: weight and the hw options reach the VM', async () => {
    const tinyos = 'guests/tinyos/tinyos.s';
    const r = await runCli(['host', '--vm', `ept=${tinyos}:hw`, '--vm', `shadow=${tinyos}:hw,noept,novpid,weight=3,memory=16`, '--json'], ROOT);
    expect(r.code).toBe(0);
    const [ept, shadow] = JSON.parse(r.stdout).vms;
    expect([ept.weight, shadow.weight]).toEqual([1, 3]);
    expect(ept.monitor.eptWalks).toBeGreaterThan(0);
    expect(ept.monitor.vpidFlushes).toBe(0);
    expect(shadow.monitor.eptWalks).toBe(0);
    expect(shadow.monitor.shadowFills).toBeGreaterThan(0);
    expect(shadow.monitor.vpidFlushes).toBe(shadow.monitor.vmEntries + shadow.monitor.vmExits);
    expect(shadow.console).toBe(ept.console);
  });

  test('-D applies to every source; a VM\'s own defines win; the first non-zero halt code is the exit code', async () => {
    const src = file('code.s', '        .text\n        .global _start\n_start: addi a0, zero, CODE\n        halt a0\n');
    const cfg = file('codes.json', JSON.stringify({ vms: [
      { name: 'zero', program: 'code.s', mode: 'trap', memory: 1, defines: { CODE: 0 } },
      { name: 'dflt', program: 'code.s', mode: 'hw', memory: 1 },
      { name: 'own', program: 'code.s', mode: 'bt', memory: 1, defines: { CODE: 9 } },
    ] }));
    const r = await runCli(['host', cfg, '-D', 'CODE=5', '--json']);
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout).vms.map((v: { haltCode: number }) => v.haltCode)).toEqual([0, 5, 9]);
    const shorthand = await runCli(['host', '--vm', `a=${src}:trap,memory=1`, '-D', 'CODE=0']);
    expect(shorthand.code).toBe(0);
    // Without CODE the source does not assemble: its diagnostic, then where the VM's program is named.
    const missing = await runCli(['host', '--vm', `a=${src}:trap,memory=1`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/code\.s:3:\d+: error: .*CODE/);
    expect(missing.stderr.split('\n').at(-2)).toBe(`virtlab: --vm 'a=${src}:trap,memory=1': program: '${src}' does not assemble (1 error)`);
  });

  test.each([
    [['--vm', 'a'], 'bad --vm \'a\': no NAME= (expected NAME=FILE:MODE|PROFILE[,OPTION...]; OPTIONs: weight=N, memory=MiB, noept, novpid)'],
    [['--vm', 'a=x.s'], 'bad --vm \'a=x.s\': no :MODE (expected NAME=FILE:MODE|PROFILE[,OPTION...]; OPTIONs: weight=N, memory=MiB, noept, novpid)'],
    [['--vm', 'a=x.s:hw,fast'], 'bad --vm \'a=x.s:hw,fast\': unknown option \'fast\' (expected NAME=FILE:MODE|PROFILE[,OPTION...]; OPTIONs: weight=N, memory=MiB, noept, novpid)'],
    [[THREE, '--vm', 'a=x.s:hw'], 'give the VMs in a configuration file or with --vm NAME=FILE:MODE, not both'],
    [[], 'no VMs: give a configuration file or --vm NAME=FILE:MODE'],
    [['--vm', 'a=guests/hello.elf:hw', '-D', 'X'], '-D applies to assembler sources (.s), and no VM\'s program is one'],
  ])('usage: %j', async (args, message) => {
    const r = await runCli(['host', ...args], ROOT);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: `virtlab: ${message}\n` });
  });

  test('schema errors name the --vm they are in', async () => {
    const r = await runCli(['host', '--vm', 'a=guests/hello.s:native,weight=x', '--vm', 'a=guests/hello.s:bt,noept'], ROOT);
    expectErrors(r, [
      '--vm \'a=guests/hello.s:native,weight=x\': mode: expected one of trap|bt|pv|hw, got "native"',
      '--vm \'a=guests/hello.s:native,weight=x\': weight: expected a number, got "x"',
    ]);
    const cross = await runCli(['host', '--vm', 'a=guests/hello.s:trap', '--vm', 'a=guests/hello.s:bt,noept'], ROOT);
    expectErrors(cross, [
      '--vm \'a=guests/hello.s:bt,noept\': name: "a" is already the name of vms[0]',
      '--vm \'a=guests/hello.s:bt,noept\': hw: ept and vpid apply to mode hw only (this VM\'s mode is bt)',
    ]);
  });
});

describe('virtlab host: errors in a configuration file', () => {
  test.each([
    ['syntax.json', '{\n  "vms": [\n    { "name": "a", }\n  ]\n}', ['syntax.json:3:20: a comma before \'}\' (trailing commas are not JSON)']],
    ['empty.json', '', ['empty.json:1:1: expected a value, got the end of the file']],
    ['array.json', '[]', ['array.json:1:1: expected an object, got an array']],
    ['modes.json', '{"vms": [{"name": "a", "program": "a.s", "mode": "native"},\n {"name": "b", "program": "b.s", "mode": "hw", "weight": 0, "memory": "16"}], "slice": -1}', [
      'modes.json:1:50: vms[0].mode: expected one of trap|bt|pv|hw, got "native"',
      'modes.json:2:71: vms[1].memory: expected a number, got "16"',
      'modes.json:2:58: vms[1].weight: expected at least 1, got 0',
      'modes.json:2:88: slice: expected at least 1, got -1',
    ]],
  ])('%s', async (name, text, lines) => {
    file(name, text);
    const r = await runCli(['host', name], dir);
    expectErrors(r, lines);
  });

  test('every VM\'s program problem is reported, each at its program', async () => {
    file('files.json', JSON.stringify({ vms: [
      { name: 'gone', program: 'nowhere.s', mode: 'bt' },
      { name: 'dir', program: '.', mode: 'hw' },
      { name: 'plain', program: 'not-there.elf', mode: 'trap' },
    ] }));
    const r = await runCli(['host', 'files.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    const got = r.stderr.split('\n').slice(0, -1);
    expect(got).toHaveLength(3);
    expect(got[0]).toMatch(/^virtlab: files\.json:1:\d+: vms\[0\]\.program: cannot read '.*nowhere\.s': no such file or directory$/);
    expect(got[1]).toMatch(/^virtlab: files\.json:1:\d+: vms\[1\]\.program: cannot read '.*': is a directory$/);
    expect(got[2]).toMatch(/^virtlab: files\.json:1:\d+: vms\[2\]\.program: cannot read '.*not-there\.elf': no such file or directory$/);
  });

  test('a missing configuration, and a pv VM whose image is not a PV build', async () => {
    const gone = await runCli(['host', 'none.json'], dir);
    expect({ code: gone.code, stderr: gone.stderr }).toEqual({ code: 1, stderr: 'virtlab: cannot read \'none.json\': no such file or directory\n' });
    const elf = join(dir, 'hello.elf');
    expect((await runCli(['asm', guest('hello.s'), '-o', elf])).code).toBe(0);
    file('pv.json', '{"vms": [{"name": "p", "program": "hello.elf", "mode": "pv"}]}');
    const pv = await runCli(['host', 'pv.json'], dir);
    expectErrors(pv, ['pv.json:1:35: vms[0].program: not a paravirtualized build (no VIRTLAB_PV_ABI symbol): assemble it with -D PV to run it under --mode pv']);
  });

  test('the step budget: exit 124, the VMs still running named, their partial lines printed', async () => {
    const r = await runCli(['host', THREE, '--max-steps', '20000'], ROOT);
    expect(r.code).toBe(124);
    expect(r.stderr).toBe('virtlab: step budget of 20000 steps used up (raise it with --max-steps); still running: bt, pv, hw\n');
    const { byVm, table } = consoles(r.stdout);
    for (const [name, text] of byVm) expect(alone.get(name)!.stdout.startsWith(text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1))).toBe(true);
    expect(table).toMatch(/^bt +bt +running /m);
  });
});
