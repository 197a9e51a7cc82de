// The listing of `virtlab profiles`: a row per profile, a column per dimension
// naming the mechanism and its technique, then each profile's gap (what the
// article's row has that virtlab runs differently).

import { DIMENSIONS, DIMENSION_TITLES, PROFILES, profileSettings, techniqueOf, type Dimension, type Profile } from './profiles.js';

/** `bt (software)`: the mechanism virtlab runs for a dimension, and its technique when its name does not say it. */
export function cellText(p: Profile, d: Dimension): string {
  const mechanism = d === 'cpu' ? p.cpu : d === 'net' ? p.net : p.irq;
  const technique = techniqueOf(p, d);
  return mechanism === technique ? mechanism : `${mechanism} (${technique})`;
}

/** The options `run` takes for the profile, as a user would type them. */
export function profileFlags(p: Profile): string {
  const s = profileSettings(p);
  const flags = [`--mode ${s.mode}`];
  if (s.hw && !s.hw.ept) flags.push('--no-ept');
  if (s.hw && !s.hw.posted) flags.push('--no-posted-interrupts');
  if (s.hw?.virtualTimer) flags.push('--virtual-timer');
  flags.push(`--nic ${s.nic}`);
  if (s.define) flags.unshift(`-D ${s.define}`);
  return flags.join(' ');
}

export function formatProfiles(profiles: readonly Profile[] = PROFILES): string {
  const header = ['profile', ...DIMENSIONS.map((d) => DIMENSION_TITLES[d]), 'the article\'s row'];
  const rows = profiles.map((p) => [p.name, ...DIMENSIONS.map((d) => cellText(p, d)), p.row]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ') + '\n';
  let out = line(header) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('');
  out += '\n';
  for (const p of profiles) {
    out += `${p.name}: ${p.description}\n  as: ${profileFlags(p)}\n`;
    if (p.gap) out += `  not modelled: ${p.gap}\n`;
  }
  return out;
}
