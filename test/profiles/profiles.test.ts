// The profiles as data: each resolves to mechanisms the monitor has, the
// listing says what each dimension runs, and every preset now runs the
// technique its article row has in each dimension (no gap).

import { describe, expect, test } from 'vitest';
import { cellText, formatProfiles, profileFlags } from '../../src/profiles/format.js';
import { DIMENSIONS, findProfile, PROFILES, profileSettings, techniqueOf, type Profile } from '../../src/profiles/profiles.js';

const settings = (name: string) => profileSettings(findProfile(name)!);

describe('profiles', () => {
  test('the presets after the article\'s rows', () => {
    expect(PROFILES.map((p) => p.name)).toEqual(['fully-emulated', 'xen-pv', 'xen-hvm', 'xen-pvhvm', 'sriov-net', 'nitro-like']);
    expect(new Set(PROFILES.map((p) => p.row)).size).toBe(PROFILES.length);
  });

  test('each resolves to a mode, hw options, a NIC and a guest build', () => {
    expect(settings('fully-emulated')).toEqual({ mode: 'bt', nic: 'emulated' });
    expect(settings('xen-pv')).toEqual({ mode: 'pv', nic: 'virtio', define: 'PV' });
    expect(settings('xen-hvm')).toEqual({ mode: 'hw', hw: { ept: false, vpid: true, posted: false, virtualTimer: false }, nic: 'virtio' });
    expect(settings('xen-pvhvm')).toEqual({ mode: 'hw', hw: { ept: true, vpid: true, posted: false, virtualTimer: false }, nic: 'virtio', define: 'PVHVM' });
    expect(settings('sriov-net')).toEqual({ mode: 'hw', hw: { ept: true, vpid: true, posted: false, virtualTimer: false }, nic: 'vf', define: 'PVHVM' });
    expect(settings('nitro-like')).toEqual({ mode: 'hw', hw: { ept: true, vpid: true, posted: true, virtualTimer: true }, nic: 'vf' });
  });

  test('a profile whose dimensions virtlab cannot combine is refused', () => {
    const base = findProfile('xen-pv')!;
    expect(() => profileSettings({ ...base, name: 'bad', irq: 'emulated' })).toThrow('cpu pv has paravirtual interrupts and timers only');
    expect(() => profileSettings({ ...base, name: 'bad', cpu: 'bt' })).toThrow('paravirtual interrupts and timers need cpu pv or hw');
    expect(() => profileSettings({ ...base, name: 'bad', cpu: 'bt', irq: 'hardware' })).toThrow('hardware interrupts need cpu hw');
  });

  test('every preset runs what its article row has: no gap left', () => {
    for (const p of PROFILES) {
      expect(DIMENSIONS.filter((d) => techniqueOf(p, d) !== p.article[d]), p.name).toEqual([]);
      expect(p.gap, p.name).toBeUndefined();
    }
  });

  test('the listing: a row per profile, the flags each stands for, the gaps', () => {
    const text = formatProfiles();
    for (const p of PROFILES) {
      expect(text).toMatch(new RegExp(`^${p.name} +${DIMENSIONS.map((d) => cellText(p, d).replace(/[()]/g, '\\$&')).join(' +')} +${p.row.replace(/[()]/g, '\\$&')}$`, 'm'));
      expect(text).toContain(`  as: ${profileFlags(p)}\n`);
    }
    expect(profileFlags(findProfile('xen-hvm')!)).toBe('--mode hw --no-ept --no-posted-interrupts --nic virtio');
    expect(profileFlags(findProfile('xen-pv')!)).toBe('-D PV --mode pv --nic virtio');
    expect(profileFlags(findProfile('xen-pvhvm')!)).toBe('-D PVHVM --mode hw --no-posted-interrupts --nic virtio');
    expect(profileFlags(findProfile('nitro-like')!)).toBe('--mode hw --virtual-timer --nic vf');
    expect(text).not.toContain('not modelled:');
    // A profile with a gap lists it.
    const gapped: Profile = { ...findProfile('xen-hvm')!, gap: 'something the row has' };
    expect(formatProfiles([gapped])).toContain('  not modelled: something the row has\n');
  });
});
