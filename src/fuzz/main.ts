// `npm run fuzz -- --seed S --count N [--kind programs|host|asm|debug]`: a fuzz
// campaign. programs: random guest programs compared interp against jit and
// native against the monitor modes; a divergence is shrunk and written as a
// reproducer .s. host: hosts of random programs, each VM against the same
// program alone (host-check.ts); a divergence is replayed by its case seed. asm, debug: random and mutated inputs for the assembler and
// the debugger's command language, which must answer with one-line errors,
// never an internal error, within time and heap bounds. Prints progress and a
// summary line; exits 1 if anything new was found. See docs/fuzzing.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { guestSources, mutationCase, stressCase, tokenCase } from './asm-cases.js';
import { runAsmCase, runDebugCase, Workspace, type CliCaseResult } from './cli-check.js';
import { workerRunner } from './cli-worker.js';
import { debugCase, debugStressCase } from './debug-cases.js';
import { classifyKnown } from './known.js';
import { replayFile, runProgramCase, writeReproducer } from './programs.js';
import { checkHostCase, hostCase } from './host-check.js';
import { caseSeed } from './rng.js';

const USAGE = 'usage: npm run fuzz -- [--seed S] [--count N] [--kind programs|host|asm|debug] [--out DIR] [--size OPS] [--min-period N] [--limit MS] [--scale N] | --replay FILE';

function fail(message: string): never {
  process.stderr.write(`fuzz: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function intOption(v: string | undefined, name: string, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) fail(`--${name} wants an integer >= ${min}, not '${v}'`);
  return Number(v);
}

const elapsed = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

async function programs(seed: number, count: number, out: string, size: number, minPeriod: number): Promise<number> {
  const t = performance.now();
  let found = 0, known = 0;
  for (let n = 0; n < count; n++) {
    const s = caseSeed(seed, n);
    const c = runProgramCase(s, { size, minPeriod });
    for (const d of c.divergences) {
      const k = classifyKnown(d);
      process.stdout.write(`case ${n} (program seed ${s}, ${c.program.profile}): ${d.check} diverges: ${d.detail}${k ? ` [known: ${k}]` : ''}\n`);
      // A known divergence is written as found: shrinking it again would only cost time.
      const rep = writeReproducer(c.program, d, out, k === undefined);
      process.stdout.write(`  ${k ? 'written unshrunk' : `shrunk in ${rep.tries} tries`} to ${rep.file}\n  replay: ${rep.command}\n`);
      if (rep.known ?? k) known++; else found++;
    }
    if ((n + 1) % 25 === 0 || n + 1 === count) process.stdout.write(`programs: ${n + 1}/${count}, ${found} new divergences, ${known} known (${elapsed(t)})\n`);
  }
  process.stdout.write(`fuzz programs: seed ${seed}, ${count} programs, ${found} new divergences, ${known} known, ${elapsed(t)}\n`);
  return found;
}

/** Hosts of random programs; a divergence is reported with the command that replays exactly that host. */
async function hosts(seed: number, count: number, size: number, minPeriod: number): Promise<number> {
  const t = performance.now();
  let found = 0;
  for (let n = 0; n < count; n++) {
    const s = caseSeed(seed, n);
    const c = hostCase(s, { size, minPeriod });
    const r = checkHostCase(c);
    for (const d of r.divergences) {
      process.stdout.write(`case ${n} (host seed ${s}, ${c.vms.length} VMs, slice ${c.slice}, ${c.jit ? 'jit' : 'interp'}): ${d.check} diverges: ${d.detail}\n`);
      found++;
    }
    if (r.divergences.length > 0) {
      process.stdout.write(`  replay: node dist/src/fuzz/main.js --kind host --seed ${seed} --count ${n + 1} --size ${size} --min-period ${minPeriod} (case ${n} is the last)\n`);
    }
    if ((n + 1) % 25 === 0 || n + 1 === count) process.stdout.write(`host: ${n + 1}/${count}, ${found} divergences (${elapsed(t)})\n`);
  }
  process.stdout.write(`fuzz host: seed ${seed}, ${count} hosts, ${found} divergences, ${elapsed(t)}\n`);
  return found;
}

async function cli(kind: 'asm' | 'debug', seed: number, count: number, out: string, limitMs: number, scale: number): Promise<number> {
  const t = performance.now();
  const ws = new Workspace();
  const { run, close } = workerRunner(limitMs, 512);
  const files = guestSources(ws.guests);
  let found = 0;
  try {
    for (let n = 0; n < count; n++) {
      const s = caseSeed(seed, n);
      let r: CliCaseResult, input: string;
      if (kind === 'asm') {
        const c = n % 5 === 4 ? stressCase(s, scale) : n % 2 === 0 ? tokenCase(s) : mutationCase(s, ws.guests, files);
        r = await runAsmCase(ws, c, run, limitMs);
        input = c.source;
      } else {
        const c = n % 5 === 4 ? debugStressCase(s, scale) : debugCase(s);
        r = await runDebugCase(ws, c, run, limitMs);
        input = c.script;
      }
      if (r.problem) {
        found++;
        mkdirSync(out, { recursive: true });
        const saved = join(out, `${kind}-${s}${kind === 'asm' ? '.s' : '.script'}`);
        writeFileSync(saved, input);
        // The scratch workspace goes away: the command names the saved input, the guests of the repository and an output in --out.
        const args = r.args.map((a) => (a === r.file ? saved : a.startsWith(ws.guests) ? `guests${a.slice(ws.guests.length)}` : a.startsWith(ws.root) ? join(out, basename(a)) : a));
        process.stdout.write(`case ${n} (${r.origin}): ${r.problem}\n  input: ${saved}\n  replay: npx virtlab ${args.join(' ')}\n`);
      }
      if ((n + 1) % 100 === 0 || n + 1 === count) process.stdout.write(`${kind}: ${n + 1}/${count}, ${found} problems (${elapsed(t)})\n`);
    }
  } finally {
    await close();
    ws.dispose();
  }
  process.stdout.write(`fuzz ${kind}: seed ${seed}, ${count} cases, ${found} problems, ${elapsed(t)}\n`);
  return found;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        seed: { type: 'string' }, count: { type: 'string' }, kind: { type: 'string' }, out: { type: 'string' },
        size: { type: 'string' }, 'min-period': { type: 'string' }, limit: { type: 'string' }, scale: { type: 'string' }, replay: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    fail((e as Error).message.split('\n')[0]!);
  }
  const v = parsed.values;
  if (v.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  if (v.replay !== undefined) {
    const { spec, divergences } = replayFile(v.replay);
    for (const d of divergences) process.stdout.write(`${d.check} diverges: ${d.detail}${classifyKnown(d) ? ` [known: ${classifyKnown(d)}]` : ''}\n`);
    process.stdout.write(`replay ${v.replay}: ${spec.check} ${divergences.length ? 'diverges' : 'agrees'}\n`);
    return divergences.length ? 1 : 0;
  }
  const seed = intOption(v.seed, 'seed', 1);
  const count = intOption(v.count, 'count', 100, 1);
  const out = resolve(v.out ?? 'fuzz-out');
  const kind = v.kind ?? 'programs';
  switch (kind) {
    case 'programs': return (await programs(seed, count, out, intOption(v.size, 'size', 80, 1), intOption(v['min-period'], 'min-period', 30, 1))) ? 1 : 0;
    case 'host': return (await hosts(seed, count, intOption(v.size, 'size', 60, 1), intOption(v['min-period'], 'min-period', 30, 1))) ? 1 : 0;
    case 'asm': case 'debug': return (await cli(kind, seed, count, out, intOption(v.limit, 'limit', 10_000, 1), intOption(v.scale, 'scale', 20000, 1))) ? 1 : 0;
    default: fail(`unknown --kind '${kind}'`);
  }
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
