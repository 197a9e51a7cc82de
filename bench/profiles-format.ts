// The profiles suite's table on the terminal and its SVG: the article's
// diagram, a row per profile and a column per dimension, each cell naming the
// technique and its overhead against native, coloured by the modelled
// overhead (green near native, through yellow, to red at OVERHEAD_RED and beyond).

import { DIMENSIONS, DIMENSION_TITLES } from '../src/profiles/profiles.js';
import type { ProfileCell, ProfilesSuiteResult } from './profiles-suite.js';
import { PROFILES_FRAME_SIZE } from './profiles-suite.js';
import { TIMER_TICK } from './profiles-timer-cell.js';
import { formatSpread, SPREAD_LIMIT } from './spread.js';
import { table } from './table.js';

/** The overhead coloured full red (the article's "2x to 10x slower" for software). */
export const OVERHEAD_RED = 10;

const times = (x: number | null) => (x === null ? '-' : `×${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}`);

/** A host-time cell: its overhead, its spread, `*` when below native (the reason is under the table). */
export function hostLine(c: ProfileCell): string {
  return `${times(c.host)} ${formatSpread(c.hostSpread ?? null)}`.trimEnd() + (c.belowNative ? ' *' : '');
}

export function cellLine(c: ProfileCell): string {
  return `${c.mechanism} (${c.technique}) ${times(c.modelled)}`;
}

export function formatProfilesSuite(r: ProfilesSuiteResult): string {
  let s = `profiles suite: overhead against native per dimension (modelled cycles, ${r.preset}; host time in the second table), on ${r.engine}\n` +
    `CPU & memory: macro compute; network: ${PROFILES_FRAME_SIZE} B frames to the wire, native frames/s (the bare machine's e1000) over the profile's; ` +
    `interrupts & timers: tinyos compute with a timer interrupt every ${TIMER_TICK} instructions\n`;
  const head = ['profile', ...DIMENSIONS.map((d) => DIMENSION_TITLES[d]), 'the article\'s row'];
  s += table(head, r.rows.map((row) => [row.profile, ...DIMENSIONS.map((d) => cellLine(row.cells[d])), row.row]));
  s += `host time against native (CPU time; CPU & memory: ${r.sources.cpu === 'macro suite' ? 'the macro suite\'s compute cells above' : 'macro compute measured as the macro suite does'}; ` +
    `network: ${r.sources.net === 'net suite' ? 'the net suite\'s cells above' : 'measured as the net suite does'}; each with its spread over the rounds):\n`;
  s += table(head.slice(0, -1), r.rows.map((row) => [row.profile, ...DIMENSIONS.map((d) => hostLine(row.cells[d]))]));
  const pct = Math.round(SPREAD_LIMIT * 100);
  s += r.rounds > 1
    ? `±: the rounds' interquartile range over their median (${r.rounds} rounds, each cell in fresh processes sampled in turn with its native cell; a round's ratio is to native's of the same round); ? beyond ${pct}%: not reproducible to ±${pct}% in this run\n`
    : 'one round: no spread measured (--rounds 2 or more prints it)\n';
  for (const row of r.rows) for (const d of DIMENSIONS) {
    const c = row.cells[d];
    if (c.belowNative) s += `* ${row.profile} ${DIMENSION_TITLES[d]} ${times(c.host)}, below native: ${c.belowNative}\n`;
  }
  for (const row of r.rows) if (row.gap) s += `not modelled in ${row.profile}: ${row.gap}\n`;
  return s;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Green at ×1, yellow at ×√OVERHEAD_RED, red at ×OVERHEAD_RED and beyond (log scale); grey when unmeasured. */
export function overheadColour(x: number | null): string {
  if (x === null) return '#cccccc';
  const t = Math.min(1, Math.max(0, Math.log(Math.max(x, 1)) / Math.log(OVERHEAD_RED)));
  const [r, g] = t < 0.5 ? [Math.round(510 * t), 200] : [255, Math.round(200 * (2 - 2 * t))];
  return `#${[r, g, 60].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

export function profilesSvg(r: ProfilesSuiteResult, subtitle: string): string {
  const nameW = 130, cellW = 200, rowH = 44, top = 80, left = 10, rowW = 260;
  const width = left + nameW + cellW * DIMENSIONS.length + rowW + 10;
  const height = top + rowH * r.rows.length + 40;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${left}" y="22" font-size="15" font-weight="bold">virtlab profiles: overhead against native per dimension (modelled, ${esc(r.preset)})</text>`);
  out.push(`<text x="${left}" y="40" fill="#555">${esc(subtitle)}</text>`);
  DIMENSIONS.forEach((d, i) => out.push(`<text x="${left + nameW + cellW * i + cellW / 2}" y="${top - 10}" text-anchor="middle" font-weight="bold">${esc(DIMENSION_TITLES[d])}</text>`));
  out.push(`<text x="${left + nameW + cellW * DIMENSIONS.length + 8}" y="${top - 10}" font-weight="bold">the article's row</text>`);
  r.rows.forEach((row, j) => {
    const y = top + rowH * j;
    out.push(`<text x="${left}" y="${y + rowH / 2 + 4}" font-weight="bold">${esc(row.profile)}</text>`);
    DIMENSIONS.forEach((d, i) => {
      const c = row.cells[d];
      const x = left + nameW + cellW * i;
      out.push(`<rect class="cell" data-profile="${esc(row.profile)}" data-dimension="${d}" data-overhead="${c.modelled ?? ''}" x="${x + 2}" y="${y + 2}" width="${cellW - 4}" height="${rowH - 4}" fill="${overheadColour(c.modelled)}"><title>${esc(`${row.profile} ${d}: ${cellLine(c)}; host ${hostLine(c)}`)}</title></rect>`);
      out.push(`<text x="${x + cellW / 2}" y="${y + 19}" text-anchor="middle">${esc(`${c.mechanism} (${c.technique})`)}</text>`);
      out.push(`<text x="${x + cellW / 2}" y="${y + 34}" text-anchor="middle" font-weight="bold">${esc(times(c.modelled))}</text>`);
    });
    out.push(`<text x="${left + nameW + cellW * DIMENSIONS.length + 8}" y="${y + rowH / 2 + 4}" fill="#333">${esc(row.row)}${row.gap ? ' *' : ''}</text>`);
  });
  out.push(`<text x="${left}" y="${height - 14}" fill="#555">colour: green ×1, yellow ×${Math.sqrt(OVERHEAD_RED).toFixed(1)}, red ×${OVERHEAD_RED} or more. * not modelled exactly: docs/profiles.md</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
