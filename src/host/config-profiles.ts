// A VM's "profile" in a host configuration (docs/profiles.md): it sets the
// VM's mode, hw options and NIC kind, as `run --profile` does. A field the VM
// gives that contradicts its profile is an issue at that field's JSON path; one
// that agrees, or that the profile leaves open (hw.vpid, the NIC's mac, vlan,
// vf, trusted), stays. A profile with paravirtual interrupts under hw defines
// PVHVM for the VM's source. Without a profile, mode and nic.kind are required.

import { NIC_KINDS } from '../network/nic.js';
import { findProfile, profileSettings } from '../profiles/profiles.js';

type Path = (string | number)[];
export interface ProfileIssue { path: Path; message: string }

/** The fields resolution reads and writes (the schema's output before it). */
export interface UnresolvedVm {
  mode?: string | undefined;
  profile?: string | undefined;
  hw?: { ept: boolean; vpid: boolean; posted: boolean; virtualTimer: boolean } | undefined;
  nic?: { kind?: string | undefined } | undefined;
  defines: Record<string, number | string>;
}

const HOST_MODE_LIST = 'trap|bt|pv|hw';

/** Resolve each VM's profile in place; `raw` tells a field given from one the schema defaulted. */
export function resolveProfiles(vms: UnresolvedVm[], raw: unknown): ProfileIssue[] {
  const out: ProfileIssue[] = [];
  const rawVms = (raw as { vms: { hw?: Record<string, unknown> }[] }).vms;
  vms.forEach((vm, i) => {
    const at = (...p: Path): Path => ['vms', i, ...p];
    if (vm.profile === undefined) {
      if (vm.mode === undefined) out.push({ path: at('mode'), message: `missing (expected one of ${HOST_MODE_LIST})` });
      if (vm.nic && vm.nic.kind === undefined) out.push({ path: at('nic', 'kind'), message: `missing (expected one of ${NIC_KINDS.join('|')})` });
      return;
    }
    const name = vm.profile;
    const s = profileSettings(findProfile(name)!); // the schema checked the name
    const clash = (has: string) => `contradicts profile ${JSON.stringify(name)} (${has}): drop one`;
    if (vm.mode !== undefined && vm.mode !== s.mode) out.push({ path: at('mode'), message: clash(`mode ${s.mode}`) });
    if (vm.nic?.kind !== undefined && vm.nic.kind !== s.nic) out.push({ path: at('nic', 'kind'), message: clash(`nic ${s.nic}`) });
    const givenHw = rawVms[i]?.hw ?? {};
    // An "hw" under a profile of another mode is the cross-checks' (hw applies to mode hw only).
    for (const f of ['ept', 'posted', 'virtualTimer'] as const) {
      if (s.hw && givenHw[f] !== undefined && givenHw[f] !== s.hw[f]) out.push({ path: at('hw', f), message: clash(`${f} ${s.hw[f]}`) });
    }
    vm.mode = s.mode;
    vm.nic = { ...(vm.nic ?? {}), kind: s.nic };
    if (s.hw) vm.hw = { ...s.hw, vpid: givenHw.vpid === undefined ? s.hw.vpid : vm.hw!.vpid };
    // A source is assembled as the profile's build (mode pv's -D PV the loader adds itself), unless the VM defines the symbol.
    if (s.define === 'PVHVM' && !('PVHVM' in vm.defines)) vm.defines.PVHVM = 1;
  });
  return out;
}
