// `npm run bench`: runs the benchmark suites and prints their tables.
// Options: --suite NAME (default: all), --json FILE, --quick (shorter samples).

import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { runInterpSuite, type InterpRow } from './interp-suite.js';

function parseArgs(argv: string[]): { suite?: string; json?: string; quick: boolean } {
  const out: { suite?: string; json?: string; quick: boolean } = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--suite') out.suite = argv[++i];
    else if (a === '--json') out.json = argv[++i];
    else if (a === '--quick') out.quick = true;
    else throw new Error(`unknown option '${a}' (expected --suite NAME, --json FILE, --quick)`);
  }
  return out;
}

function table(rows: InterpRow[]): string {
  const head = ['workload', 'guest insns', 'interp ms', 'JS ms', 'guest MIPS', 'interp/JS', '±%'];
  const body = rows.map((r) => [r.workload, String(r.instructions), r.interpMs.toFixed(2), r.jsMs.toFixed(3),
    r.mips.toFixed(1), r.ratioToJs.toFixed(3), r.rme.toFixed(1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function main(): number {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  const suites = ['interp'];
  if (args.suite && !suites.includes(args.suite)) {
    process.stderr.write(`bench: unknown suite '${args.suite}' (suites: ${suites.join(', ')})\n`);
    return 2;
  }
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, node ${process.version}`;
  console.log(`virtlab benchmarks on ${machine}`);
  console.log('\ninterp suite: reference interpreter, paging on, vs the same work in plain JavaScript');
  const rows = runInterpSuite((s) => console.log(s), args.quick ? 0.5 : 2);
  console.log('\n' + table(rows));
  if (args.json) writeFileSync(args.json, JSON.stringify({ machine, interp: rows }, null, 2) + '\n');
  return 0;
}

process.exitCode = main();
