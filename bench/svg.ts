// The --svg chart: grouped bars of host-time overhead relative to native, one
// group per workload (nano and macro suites), one bar per mode, log scale,
// the value written on each bar. Hand-written SVG, no dependency.

export interface ChartCell { suite: string; workload: string; mode: string; ratio: number | null }

const COLORS: Record<string, string> = {
  trap: '#d62728', bt: '#1f77b4', pv: '#2ca02c', hw: '#ff7f0e', 'hw-noept': '#9467bd',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function overheadSvg(cells: readonly ChartCell[], title: string, subtitle: string): string {
  const modes = [...new Set(cells.map((c) => c.mode))];
  const groups: { suite: string; workload: string; cells: ChartCell[] }[] = [];
  for (const c of cells) {
    let g = groups.find((x) => x.suite === c.suite && x.workload === c.workload);
    if (!g) groups.push(g = { suite: c.suite, workload: c.workload, cells: [] });
    g.cells.push(c);
  }
  const values = cells.map((c) => c.ratio).filter((r): r is number => r !== null && r > 0);
  const top = Math.max(10, ...values);
  const decades = Math.ceil(Math.log10(top));
  const lo = Math.min(0, Math.floor(Math.log10(Math.min(1, ...values))));
  const bar = 22, gap = 4, groupGap = 26, left = 70, plotTop = 90, plotH = 360;
  const groupW = (g: { cells: ChartCell[] }) => g.cells.length * (bar + gap) - gap;
  const width = left + groups.reduce((s, g) => s + groupW(g) + groupGap, 0) + 20;
  const height = plotTop + plotH + 90;
  const y = (v: number) => plotTop + plotH - ((Math.log10(v) - lo) / (decades - lo)) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${left}" y="40" fill="#555">${esc(subtitle)}</text>`);
  // Legend.
  let lx = left;
  for (const m of modes) {
    out.push(`<rect x="${lx}" y="50" width="12" height="12" fill="${COLORS[m] ?? '#777'}"/><text x="${lx + 16}" y="60">${esc(m)}</text>`);
    lx += 30 + m.length * 7;
  }
  // Log grid: 1, 10, 100, ... (1 is native).
  for (let d = lo; d <= decades; d++) {
    const v = 10 ** d;
    const gy = y(v);
    out.push(`<line x1="${left}" x2="${width - 10}" y1="${gy}" y2="${gy}" stroke="${d === 0 ? '#000' : '#ddd'}"/>`);
    out.push(`<text x="${left - 6}" y="${gy + 4}" text-anchor="end">×${v >= 1 ? v.toLocaleString('en-US') : v}</text>`);
  }
  out.push(`<text x="14" y="${plotTop + plotH / 2}" transform="rotate(-90 14 ${plotTop + plotH / 2})" text-anchor="middle">host time per iteration / native (log)</text>`);
  let x = left + groupGap / 2;
  for (const g of groups) {
    for (const c of g.cells) {
      const cx = x + bar / 2;
      if (c.ratio !== null && c.ratio > 0) {
        const top = y(Math.max(c.ratio, 10 ** lo));
        const base = y(1);
        const [y0, h] = top < base ? [top, base - top] : [base, top - base];
        out.push(`<rect class="bar" data-suite="${esc(c.suite)}" data-workload="${esc(c.workload)}" data-mode="${esc(c.mode)}" x="${x}" y="${y0.toFixed(1)}" width="${bar}" height="${Math.max(h, 1).toFixed(1)}" fill="${COLORS[c.mode] ?? '#777'}"><title>${esc(`${c.suite} ${c.workload} ${c.mode}: ×${c.ratio}`)}</title></rect>`);
        const label = c.ratio >= 100 ? c.ratio.toFixed(0) : c.ratio >= 10 ? c.ratio.toFixed(1) : c.ratio.toFixed(2);
        out.push(`<text x="${cx}" y="${(Math.min(top, base) - 3).toFixed(1)}" text-anchor="start" font-size="9" transform="rotate(-90 ${cx} ${(Math.min(top, base) - 3).toFixed(1)})" dx="0" dy="3">${label}</text>`);
      } else {
        out.push(`<text class="na" x="${cx}" y="${y(1) - 4}" text-anchor="middle" font-size="9" fill="#999">n/a</text>`);
      }
      x += bar + gap;
    }
    const gx = x - gap - groupW(g) / 2;
    out.push(`<text x="${gx}" y="${plotTop + plotH + 16}" text-anchor="middle" font-weight="bold">${esc(g.workload)}</text>`);
    out.push(`<text x="${gx}" y="${plotTop + plotH + 30}" text-anchor="middle" fill="#555">${esc(g.suite)}</text>`);
    x += groupGap - gap;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
