// How the assembler's cost grows with the length of one line (issue 12):
// long .word lists, long and deeply nested expressions, long strings, a long
// .if condition, each at 1k, 10k and 100k items. Every case runs in a fresh
// process so its peak memory can be read; the table shows time and peak
// memory per item, and each one's growth over the previous size: about 1
// means linear cost, about 10 (the size factor) would mean quadratic. Time is
// also shown without the garbage collector's pauses: collecting a larger heap
// costs more per item, the assembler's own work should not.
// Sources are at most 1 MiB (docs/assembler.md, "Limits"): every case keeps
// its 100k-item line under that, larger sizes are skipped where they pass it.
//   npm run build && node dist/bench/asm-scaling.js [sizes...]   (default 1000 10000 100000)

import { execFileSync } from 'node:child_process';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { assemble } from '../src/asm/index.js';
import { MAX_SOURCE_BYTES } from '../src/asm/limits.js';

interface Case {
  name: string;
  /** The source for `n` items, and the number of data bytes it must produce. */
  source(n: number): { text: string; bytes: number };
}

const CASES: Case[] = [
  { name: '.word list', source: (n) => ({ text: `.data\n.word ${Array.from({ length: n }, (_, i) => i).join(', ')}\n`, bytes: 4 * n }) },
  { name: '.byte exprs', source: (n) => ({ text: `.data\n.byte ${Array.from({ length: n }, (_, i) => `${i % 100}*2`).join(',')}\n`, bytes: n }) },
  { name: 'sum 1+1+...', source: (n) => ({ text: `.data\n.word ${Array(n).fill('1').join('+')}\n`, bytes: 4 }) },
  { name: 'nested ( )', source: (n) => ({ text: `.data\n.word ${'('.repeat(n)}1${')'.repeat(n)}\n`, bytes: 4 }) },
  { name: 'unary -~-~', source: (n) => ({ text: `.data\n.word ${'-~'.repeat(n / 2)}0\n`, bytes: 4 }) },
  { name: '.ascii', source: (n) => ({ text: `.data\n.ascii "${'a'.repeat(n)}"\n`, bytes: n }) },
  { name: '.if terms', source: (n) => ({ text: `.if ${Array(n).fill('1').join(' && ')}\n.data\n.word 1\n.endif\n`, bytes: 4 }) },
];

interface Measure { ms: number; gcMs: number; peakBytes: number }

function check(c: Case, n: number, r: ReturnType<typeof assemble>, bytes: number): void {
  const data = r.image?.sections.find((s) => s.name === '.data')?.data.length;
  if (data !== bytes) throw new Error(`${c.name} ${n}: ${r.diagnostics[0]?.message.slice(0, 200) ?? `${data} bytes, expected ${bytes}`}`);
}

/** Milliseconds of GC pauses that started in [from, to], from entries the observer has delivered. */
function gcBetween(entries: readonly PerformanceEntry[], from: number, to: number): number {
  let ms = 0;
  for (const e of entries) if (e.startTime >= from && e.startTime <= to) ms += e.duration;
  return ms;
}

/**
 * Child side: assemble one case after a warm-up. Time: the best of enough
 * runs to fill about a second (small sizes are noisy), with the GC pauses
 * inside that run; memory: how much the peak RSS grew during the first run.
 */
async function measure(c: Case, n: number): Promise<Measure> {
  const gc: PerformanceEntry[] = [];
  const obs = new PerformanceObserver((list) => { gc.push(...list.getEntries()); });
  obs.observe({ entryTypes: ['gc'] });
  const warm = c.source(1000);
  for (let i = 0; i < 5; i++) check(c, 1000, assemble(warm.text, { file: 'warm.s' }), warm.bytes);
  const { text, bytes } = c.source(n);
  const before = process.resourceUsage().maxRSS;
  let best: Measure = { ms: Infinity, gcMs: 0, peakBytes: 0 };
  const rounds = Math.max(2, Math.ceil(200_000 / n));
  for (let run = 0; run < rounds; run++) {
    const start = performance.now();
    const r = assemble(text, { file: 'bench.s' });
    const end = performance.now();
    if (run === 0) best.peakBytes = (process.resourceUsage().maxRSS - before) * 1024;
    check(c, n, r, bytes);
    await new Promise((resolve) => setTimeout(resolve, 0)); // lets the observer deliver this run's entries
    if (end - start < best.ms) best = { ms: end - start, gcMs: gcBetween(gc, start, end), peakBytes: best.peakBytes };
  }
  obs.disconnect();
  return best;
}

function fmt(x: number, digits = 2): string {
  return x.toFixed(digits).padStart(8);
}

async function main(): Promise<void> {
  const [mode, name, size] = process.argv.slice(2);
  if (mode === '--child') {
    const c = CASES.find((k) => k.name === name)!;
    process.stdout.write(JSON.stringify(await measure(c, Number(size))));
    return;
  }
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  if (!sizes.length) sizes.push(1_000, 10_000, 100_000);
  const self = fileURLToPath(import.meta.url);
  console.log('case             items      ms µs/item  growth  no GC:  growth peak MB  B/item  growth');
  for (const c of CASES) {
    let prev: { t: number; own: number; mem?: number } | undefined;
    for (const n of sizes) {
      if (Buffer.byteLength(c.source(n).text) > MAX_SOURCE_BYTES) {
        console.log(`${c.name.padEnd(14)}${String(n).padStart(8)}  (the source would pass the ${MAX_SOURCE_BYTES}-byte limit)`);
        continue;
      }
      const out = execFileSync(process.execPath, [self, '--child', c.name, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const m = JSON.parse(out) as Measure;
      const t = (m.ms * 1000) / n;
      const own = ((m.ms - m.gcMs) * 1000) / n;
      // Growth of RSS under 4 MB is noise: no per-item figure is derived from it.
      const mem = m.peakBytes > 4 << 20 ? m.peakBytes / n : undefined;
      const growth = (now: number | undefined, before: number | undefined) => (now !== undefined && before !== undefined ? fmt(now / before) : '       -');
      console.log(
        `${c.name.padEnd(14)}${String(n).padStart(8)}${fmt(m.ms, 0)}${fmt(t)}${growth(t, prev?.t)}${fmt(own)}${growth(own, prev?.own)}` +
          `${fmt(m.peakBytes / 2 ** 20, 1)}${mem === undefined ? '       -' : fmt(mem, 0)}${growth(mem, prev?.mem)}`,
      );
      prev = { t, own, ...(mem !== undefined ? { mem } : {}) };
    }
  }
}

await main();
