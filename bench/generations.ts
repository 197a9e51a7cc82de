// The cost model's hardware round trip (`exit`: a VM exit and the entry back)
// against published round trips by processor generation (src/vmm/exit-latency.ts):
// which generations a preset stands for. p4-2006 is Adams & Agesen's Pentium 4;
// `modern` is priced from the generations from Haswell on and must stay within
// 2× of each of them, as the paper's cells must of p4-2006.

import { costPreset, type CostPresetName } from '../src/vmm/cost-model.js';
import { GENERATIONS, generationRoundTrip, MODERN_FROM } from '../src/vmm/exit-latency.js';
import { PAPER_TOLERANCE, withinTolerance } from './paper.js';
import { num, table } from './table.js';

export interface GenerationRow {
  generation: string;
  year: number;
  cpus: number;
  /** The generation's published round trip (median of its CPUs) and their range. */
  published: number;
  min: number;
  max: number;
  verified: boolean;
  /** The preset's `exit` over the published figure, and whether that is within PAPER_TOLERANCE. */
  ratio: number;
  within: boolean;
  /** Whether the preset claims to stand for this generation (modern: MODERN_FROM on; p4-2006: NetBurst). */
  represented: boolean;
}

export interface GenerationReport {
  preset: CostPresetName;
  exit: number;
  rows: GenerationRow[];
}

function represents(preset: CostPresetName, index: number): boolean {
  if (preset === 'p4-2006') return index === 0;
  return index >= GENERATIONS.findIndex((g) => g.name === MODERN_FROM);
}

export function generationReport(preset: CostPresetName): GenerationReport {
  const exit = costPreset(preset).exit.cycles;
  const rows = GENERATIONS.map((g, i): GenerationRow => {
    const published = generationRoundTrip(g);
    const cycles = g.cpus.map((c) => c.cycles);
    const ratio = Math.round((exit / published) * 1000) / 1000;
    return { generation: g.name, year: g.year, cpus: g.cpus.length, published, min: Math.min(...cycles), max: Math.max(...cycles),
      verified: g.verified, ratio, within: withinTolerance(ratio), represented: represents(preset, i) };
  });
  return { preset, exit, rows };
}

export function formatGenerations(r: GenerationReport): string {
  const body = table(['generation', 'year', 'CPUs', 'published', 'range', `${r.preset} exit`, 'ratio', 'stands for'],
    r.rows.map((x) => [x.generation + (x.verified ? '' : ' †'), String(x.year), String(x.cpus), num(x.published), x.cpus > 1 ? `${num(x.min)}-${num(x.max)}` : '-',
      num(r.exit), `×${x.ratio.toFixed(2)}${x.within ? '' : ' OUT'}`, x.represented ? 'yes' : '']));
  const mine = r.rows.filter((x) => x.represented);
  return `the cost model's VM exit round trip against published round trips by processor generation (cycles; model: ${r.preset})\n` + body +
    `published: the median of each generation's CPUs as measured by vmlatency (VMRESUME, a CPUID exit, back to the host; TSC cycles), † Adams & Agesen 2006 (not checked here); docs/cost-model.md\n` +
    `generations ${r.preset} stands for within ${PAPER_TOLERANCE}×: ${mine.filter((x) => x.within).length} of ${mine.length} (ratio = model / published, OUT beyond ${PAPER_TOLERANCE}×)\n`;
}
