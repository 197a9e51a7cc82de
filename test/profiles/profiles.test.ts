// The profiles as data: each resolves to mechanisms the monitor has, the
// listing says what each dimension runs, and a row virtlab cannot imitate
// exactly says so (a gap wherever the run technique differs from the article's).

import { describe, expect, test } from 'vitest';
import { cellText, formatProfiles, profileFlags } from '../../src/profiles/format.js';
import { DIMENSIONS, findProfile, PROFILES, profileSettings, techniqueOf, type Profile } from '../../src/profiles/profiles.js';

const settings = (name: string) => profileSettings(findProfile(name)!);

describe('profiles', () => {
  test('the presets after the article\'s rows', () => {
    expect(PROFILES.map((p) => p.name)).toEqual(['fully-emulated', 'xen-pv', 'xen-hvm', 'xen-pvhvm', 'sriov-net', 'nitro-like']);
    expect(new Set(PROFILES.map((p) => p.row)).size).toBe(PROFILES.length);
  });

  test('each resolves to a mode, hw options and a NIC', () => {
    expect(settings('fully-emulated')).toEqual({ mode: 'bt', nic: 'emulated', pvBuild: false });
    expect(settings('xen-pv')).toEqual({ mode: 'pv', nic: 'virtio', pvBuild: true });
    expect(settings('xen-hvm')).toEqual({ mode: 'hw', hw: { ept: false, vpid: true, posted: false }, nic: 'virtio', pvBuild: false });
    expect(settings('sriov-net')).toEqual({ mode: 'hw', hw: { ept: true, vpid: true, posted: false }, nic: 'vf', pvBuild: false });
    expect(settings('nitro-like')).toEqual({ mode: 'hw', hw: { ept: true, vpid: true, posted: true }, nic: 'vf', pvBuild: false });
  });

  test('a profile whose dimensions virtlab cannot combine is refused', () => {
    const bad: Profile = { ...findProfile('xen-pvhvm')!, name: 'bad', irq: 'paravirtual' };
    expect(() => profileSettings(bad)).toThrow('paravirtual interrupts and timers go with cpu pv');
    expect(() => profileSettings({ ...bad, cpu: 'bt', irq: 'hardware' })).toThrow('hardware interrupts need cpu hw');
  });

  test('a gap wherever what runs is weaker than the article\'s row, and only there or for the hw timer', () => {
    for (const p of PROFILES) {
      const differs = DIMENSIONS.filter((d) => techniqueOf(p, d) !== p.article[d]);
      if (differs.length) expect(p.gap, p.name).toBeDefined();
      else if (p.gap) expect(p.gap).toMatch(/timer/);
    }
    expect(findProfile('xen-pvhvm')!.gap).toMatch(/no paravirtual timer/);
  });

  test('the listing: a row per profile, the flags each stands for, the gaps', () => {
    const text = formatProfiles();
    for (const p of PROFILES) {
      expect(text).toMatch(new RegExp(`^${p.name} +${DIMENSIONS.map((d) => cellText(p, d).replace(/[()]/g, '\\$&')).join(' +')} +${p.row.replace(/[()]/g, '\\$&')}$`, 'm'));
      expect(text).toContain(`  as: ${profileFlags(p)}\n`);
    }
    expect(profileFlags(findProfile('xen-hvm')!)).toBe('--mode hw --no-ept --no-posted-interrupts --nic virtio');
    expect(profileFlags(findProfile('xen-pv')!)).toBe('-D PV --mode pv --nic virtio');
    expect(text.match(/not modelled:/g)!.length).toBe(PROFILES.filter((p) => p.gap).length);
  });
});
