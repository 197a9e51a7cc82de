// `run --profile NAME`: a virtualization profile (docs/profiles.md) sets the
// mode, the hw options and the NIC; a flag given on the command line that
// contradicts it is a usage error, one that agrees with it is accepted. A
// profile under pv assembles a source with -D PV, as a host configuration does
// for a VM in mode pv; one with paravirtual interrupts under hw, with -D PVHVM.

import { Option, type Command } from 'commander';
import { findProfile, PROFILE_NAMES, profileSettings } from '../profiles/profiles.js';
import { UsageError } from './context.js';
import type { MachineOptionValues } from './machine-options.js';

export interface ProfileOptionValues {
  profile?: string;
}

export function addProfileOption(cmd: Command): Command {
  return cmd.addOption(new Option('--profile <name>', 'a virtualization profile after the EC2 rows: sets --mode, the hw options and --nic (virtlab profiles; docs/profiles.md)')
    .choices(PROFILE_NAMES));
}

/** `--profile` with a host: each VM of a host has its own profile. */
export const PROFILE_ON_HOST = '--profile applies to one program: give each VM of a host its profile (--vm NAME=FILE:PROFILE, or "profile" in the configuration)';

/**
 * Apply the profile to `opts` (in place). `defines` gains the profile's build
 * (PV, PVHVM) when the program is a source and the command line did not
 * define that symbol itself.
 */
export function applyProfile(cmd: Command | undefined, opts: MachineOptionValues & ProfileOptionValues, defines: Record<string, number | string>, isSource: boolean): void {
  if (opts.profile === undefined) return;
  const profile = findProfile(opts.profile)!; // commander checked the choice
  const s = profileSettings(profile);
  const given = (key: string) => cmd?.getOptionValueSource(key) === 'cli'; // no command: a library caller's opts, nothing to contradict
  const contradicts = (flag: string, has: string) => new UsageError(`${flag} contradicts --profile ${profile.name} (${has}): drop one`);
  if (given('mode') && opts.mode !== s.mode) throw contradicts(`--mode ${opts.mode}`, `mode ${s.mode}`);
  if (given('nic') && opts.nic !== s.nic) throw contradicts(`--nic ${opts.nic}`, `nic ${s.nic}`);
  if (given('ept') && s.hw?.ept !== false) throw contradicts('--no-ept', s.hw ? 'EPT on' : `mode ${s.mode}`);
  if (given('postedInterrupts') && s.hw?.posted !== false) throw contradicts('--no-posted-interrupts', s.hw ? 'posted interrupts on' : `mode ${s.mode}`);
  if (given('virtualTimer') && s.hw?.virtualTimer !== true) throw contradicts('--virtual-timer', s.hw ? 'no virtual timer' : `mode ${s.mode}`);
  if (given('vpid') && !s.hw) throw contradicts('--no-vpid', `mode ${s.mode}`);
  opts.mode = s.mode;
  opts.nic = s.nic;
  if (s.hw) {
    opts.ept = s.hw.ept;
    opts.postedInterrupts = s.hw.posted;
    opts.virtualTimer = s.hw.virtualTimer;
  }
  if (s.define && isSource && !(s.define in defines)) defines[s.define] = 1;
}
