// The hardware's VM exit round trip by processor generation: the published
// measurements the `modern` cost preset is compared with (docs/cost-model.md,
// "The modern preset against processor generations"). Each figure is one CPU's
// measurement as published; a generation's figure is the median of its CPUs,
// computed here rather than copied, so that the table can be checked against
// its source line by line.

import { median } from '../util/median.js';

/** Evgenii Iuliugin's vmlatency: a driver that enters a guest whose only instruction is CPUID (which always exits) and times VMRESUME -> exit -> host with RDTSC, averaged over 524,288 round trips with interrupts off; one result file per CPU. */
export const VMLATENCY_SOURCE =
  'Iuliugin, vmlatency (github.com/yulyugin/vmlatency, results/*.txt at 1c7ab8faff2005cf0302d3fa6d2f82f01b60db80): ' +
  'VMRESUME, a CPUID exit and the return to the host, in TSC cycles, averaged over 524,288 round trips with interrupts off';
export const ADAMS_AGESEN_SOURCE = 'Adams & Agesen, ASPLOS 2006: a VM entry and exit on a Pentium 4 672 (Prescott), about 2,409 cycles (the p4-2006 preset\'s `exit`)';

export interface CpuRoundTrip {
  cpu: string;
  /** Cycles per round trip as published (vmlatency: the 524,288-round-trip line). */
  cycles: number;
}

export interface Generation {
  name: string;
  /** Year the generation's first VT-x parts shipped. */
  year: number;
  source: string;
  /** False where the figure could not be checked against its source from this workspace. */
  verified: boolean;
  cpus: readonly CpuRoundTrip[];
}

const vm = (cpu: string, cycles: number): CpuRoundTrip => ({ cpu, cycles });

/** Intel generations, oldest first. The mobile Sandy Bridge parts read high (their TSC runs at the nominal clock while the core may not): the median, not the mean, is each generation's figure. */
export const GENERATIONS: readonly Generation[] = [
  { name: 'NetBurst (Prescott)', year: 2005, source: ADAMS_AGESEN_SOURCE, verified: false, cpus: [vm('Pentium 4 672', 2409)] },
  { name: 'Core (Merom)', year: 2006, source: VMLATENCY_SOURCE, verified: true, cpus: [vm('Core 2 T5600', 1681), vm('Core 2 T7400', 1681)] },
  { name: 'Penryn', year: 2008, source: VMLATENCY_SOURCE, verified: true, cpus: [vm('Core 2 Duo E8500', 1118), vm('Core 2 Duo P9500', 1196), vm('Core 2 Duo T9600', 1118)] },
  { name: 'Nehalem', year: 2008, source: VMLATENCY_SOURCE, verified: true, cpus: [vm('Core i5 760', 982)] },
  { name: 'Westmere', year: 2010, source: VMLATENCY_SOURCE, verified: true, cpus: [vm('Core i3 U 330', 816), vm('Core i5 M 460', 1724), vm('Xeon X5650', 734), vm('Xeon X5690', 763)] },
  { name: 'Sandy Bridge', year: 2011, source: VMLATENCY_SOURCE, verified: true,
    cpus: [vm('Core i3-2350M', 2359), vm('Core i7-2600', 827), vm('Core i7-2635QM', 2056), vm('Core i7-2670QM', 1814), vm('Core i7-2760QM', 1401), vm('Xeon E5-2670', 681), vm('Xeon E5-2690', 728)] },
  { name: 'Ivy Bridge', year: 2012, source: VMLATENCY_SOURCE, verified: true, cpus: [vm('Core i5-3317U', 566), vm('Xeon E5-2680 v2', 707), vm('Xeon E5-2697 v2', 716)] },
  { name: 'Haswell', year: 2013, source: VMLATENCY_SOURCE, verified: true,
    cpus: [vm('Core i5-4200U', 544), vm('Core i5-4300M', 487), vm('Core i7-4578U', 518), vm('Core i7-4700MQ', 435), vm('Core i7-4770', 572), vm('Core i7-4790K', 543),
      vm('Xeon E3-1241 v3', 544), vm('Xeon E3-1245 v3', 597), vm('Xeon E5-2609 v3', 874), vm('Xeon E5-2680 v3', 468), vm('Xeon E5-2697 v3', 445)] },
  { name: 'Broadwell', year: 2014, source: VMLATENCY_SOURCE, verified: true,
    cpus: [vm('Core i5-5300U', 493), vm('Core i7-5557U', 527), vm('Core i7-5600U', 469), vm('Xeon E5-2609 v4', 703), vm('Xeon E5-2680 v4', 448), vm('Xeon E5-2697A v4', 881), vm('Xeon E5-2699 v4', 1060)] },
  { name: 'Skylake', year: 2015, source: VMLATENCY_SOURCE, verified: true,
    cpus: [vm('Celeron G3900', 632), vm('Core i7-6700K', 608), vm('Core i9-7900X', 536), vm('Xeon E3-1270 v5', 595), vm('Xeon Gold 6140', 636), vm('Xeon Gold 6142M', 516)] },
  { name: 'Kaby Lake', year: 2016, source: VMLATENCY_SOURCE, verified: true, cpus: [vm('Core i7-7500U', 529), vm('Core i7-7700', 559), vm('Core i7-7700K', 634)] },
  { name: 'Coffee Lake', year: 2017, source: VMLATENCY_SOURCE, verified: true, cpus: [vm('Core i7-8559U', 424), vm('Core i7-8700K', 540), vm('Core i7-9700K', 532)] },
  { name: 'Cascade Lake', year: 2019, source: VMLATENCY_SOURCE, verified: true, cpus: [vm('Xeon Gold 6244', 1489), vm('Xeon Gold 6252N', 441)] },
];

/** A generation's round trip: the median of its CPUs. */
export function generationRoundTrip(g: Generation): number {
  return median(g.cpus.map((c) => c.cycles));
}

/** The first generation `modern` stands for: the one from which the round trip has stayed near its floor. */
export const MODERN_FROM = 'Haswell';

/** The CPUs `modern` stands for: every one measured from MODERN_FROM on. */
export function modernCpus(): CpuRoundTrip[] {
  const from = GENERATIONS.findIndex((g) => g.name === MODERN_FROM);
  return GENERATIONS.slice(from).flatMap((g) => g.cpus);
}

/**
 * `modern`'s exit price: the median of every CPU measured from Haswell on
 * (2013-2019), each CPU once, so that a generation with many parts measured
 * weighs as much as its parts do.
 */
export function modernRoundTrip(): number {
  return Math.round(median(modernCpus().map((c) => c.cycles)));
}
