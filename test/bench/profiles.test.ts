// `virtlab bench --suite profiles --quick --no-fork`: a row per profile, each
// dimension's technique and its overhead against native, the JSON and the SVG
// agreeing with the table, and the orderings the mechanisms imply.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeProfilesChart } from '../../bench/profiles-chart.js';
import { overheadColour, OVERHEAD_RED } from '../../bench/profiles-format.js';
import type { ProfileRow, ProfilesSuiteResult } from '../../bench/profiles-suite.js';
import { DIMENSIONS, PROFILES, techniqueOf } from '../../src/profiles/profiles.js';
import { oneErrorLine, runCli, type CliRun } from '../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-bench-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let run: CliRun;
let result: ProfilesSuiteResult;
const row = (name: string): ProfileRow => result.rows.find((r) => r.profile === name)!;

beforeAll(async () => {
  run = await runCli(['bench', '--suite', 'profiles', '--quick', '--no-fork', '--json', 'p.json', '--svg', 'p.svg'], dir);
  result = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')).profiles;
}, 300_000);

describe('virtlab bench --suite profiles', () => {
  test('a row per profile; each cell the technique virtlab runs and a measured overhead', () => {
    expect(run.code).toBe(0);
    // --suite profiles alone: the macro and net cells measured for it, as those suites measure them (one round: no spread).
    expect(result.sources).toEqual({ cpu: 'measured', net: 'measured' });
    expect(run.stdout).toContain('one round: no spread measured');
    expect(result.rows.map((r) => r.profile)).toEqual(PROFILES.map((p) => p.name));
    for (const p of PROFILES) {
      for (const d of DIMENSIONS) {
        const c = row(p.name).cells[d];
        expect(c.technique).toBe(techniqueOf(p, d));
        expect(c.modelled, `${p.name} ${d}`).toBeGreaterThan(0);
      }
      expect(run.stdout).toMatch(new RegExp(`^${p.name} .*×.*${p.row.replace(/[()]/g, '\\$&')}$`, 'm'));
    }
  });

  test('what the mechanisms imply: a VF beats virtio beats the emulated NIC; a virtual timer beats paravirtual and emulated ones', () => {
    const net = (name: string) => row(name).cells.net.modelled!;
    expect(net('nitro-like')).toBeLessThan(net('xen-pvhvm'));
    expect(net('xen-pvhvm')).toBeLessThan(net('fully-emulated'));
    expect(net('nitro-like')).toBe(net('sriov-net')); // one cell: the stream polls, no interrupt to post
    // nitro-like's ticks are posted by the virtual timer (no exit); sriov-net's are PVHVM hypercalls (an exit each)
    expect(row('nitro-like').cells.irq.modelled).toBeLessThan(row('sriov-net').cells.irq.modelled!);
    expect(row('nitro-like').cells.irq.modelled).toBeLessThan(1.2); // near native: no exit per tick
    expect(row('sriov-net').cells.irq.modelled).toBe(row('xen-pvhvm').cells.irq.modelled); // the same PVHVM timer under the same CPU mode
    expect(row('xen-hvm').cells.irq.modelled).toBeGreaterThan(row('xen-pvhvm').cells.irq.modelled!); // shadow paging's exits on each switch
  });

  test('the SVG: a cell per profile and dimension, coloured by its modelled overhead', () => {
    const svg = readFileSync(join(dir, 'p.svg'), 'utf8');
    const cells = [...svg.matchAll(/<rect class="cell" data-profile="([^"]+)" data-dimension="([^"]+)" data-overhead="([^"]*)"[^>]* fill="([^"]+)"/g)];
    expect(cells.length).toBe(PROFILES.length * DIMENSIONS.length);
    for (const [, profile, d, overhead, fill] of cells) {
      const c = row(profile!).cells[d as 'cpu'];
      expect(Number(overhead)).toBe(c.modelled);
      expect(fill).toBe(overheadColour(c.modelled));
    }
  });

  test('npm run bench draws the same table from its whole run\'s JSON (bench/results/profiles.svg)', () => {
    expect(writeProfilesChart(join(dir, 'p.json'), join(dir, 'again.svg'))).toBe(true);
    expect(readFileSync(join(dir, 'again.svg'), 'utf8')).toBe(readFileSync(join(dir, 'p.svg'), 'utf8'));
  });

  test('the colour scale: green at native, red from OVERHEAD_RED, grey unmeasured', () => {
    expect(overheadColour(1)).toBe('#00c83c');
    expect(overheadColour(0.5)).toBe('#00c83c');
    expect(overheadColour(OVERHEAD_RED)).toBe('#ff003c');
    expect(overheadColour(OVERHEAD_RED * 5)).toBe('#ff003c');
    expect(overheadColour(Math.sqrt(OVERHEAD_RED))).toBe('#ffc83c');
    expect(overheadColour(null)).toBe('#cccccc');
  });

  test('--only does not apply', async () => {
    const r = await runCli(['bench', '--suite', 'profiles', '--only', 'compute'], dir);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe('virtlab: --only does not apply to --suite profiles (it measures fixed workloads per dimension)');
  });
});
