// What the net suite measures (docs/benchmarks.md, the net suite): each NIC
// kind under each mode column, on two paths: a VM to the wire (stream.s into
// the wire's sink, pingpong.s against its echo) and VM to VM on one host (a
// stream sender and receiver, a pingpong client and server). Also the clock
// each cost preset's modelled cycles are turned into seconds at.

import { assembleFile, formatDiagnostic } from '../src/asm/index.js';
import type { Image } from '../src/elf/image.js';
import type { NicKind } from '../src/network/nic.js';
import type { CostPresetName } from '../src/vmm/index.js';
import { guestPath } from './paths.js';

export interface NetModeColumn {
  name: string;
  mode: 'native' | 'bt' | 'pv' | 'hw';
  hw?: { ept: boolean };
}

/** The modes (trap is left out as in the host suite: the columns are the techniques the history compares). */
export const NET_MODE_COLUMNS: readonly NetModeColumn[] = [
  { name: 'native', mode: 'native' },
  { name: 'bt', mode: 'bt' },
  { name: 'pv', mode: 'pv' },
  { name: 'hw', mode: 'hw', hw: { ept: true } },
  { name: 'hw-noept', mode: 'hw', hw: { ept: false } },
];

export const NET_NICS: readonly NicKind[] = ['emulated', 'virtio', 'vf'];
export type NetPath = 'wire' | 'vm';
export const NET_PATHS: readonly NetPath[] = ['wire', 'vm'];
export const NET_PATH_LABELS: Record<NetPath, string> = { wire: 'VM to wire', vm: 'VM to VM' };

/** Frame sizes in bytes as stream.s's SIZE (header and payload, no FCS). */
export const FRAME_SIZES: readonly number[] = [64, 1500];

/** The suite's one name for --only. */
export const NET_WORKLOAD = 'net';

/**
 * Which cells exist: natively only the wire (a host needs a monitor) and no VF
 * (a VF is assigned by a monitor); every other NIC under every monitor column on both paths.
 */
export function netCellExists(path: NetPath, nic: NicKind, mode: string): boolean {
  if (mode === 'native') return path === 'wire' && nic !== 'vf';
  return NET_MODE_COLUMNS.some((c) => c.name === mode);
}

export interface NetCounts {
  /** Stream: N1 and N2, a run of N2 frames measured from the N1-th frame to the last (set-up and the final report outside). Multiples of 16, virtio's batch. */
  stream: [number, number];
  /** Pingpong: round trips of one run. */
  pingpong: number;
}

export function netCounts(quick: boolean): NetCounts {
  return quick ? { stream: [16, 32], pingpong: 41 } : { stream: [256, 512], pingpong: 201 };
}

/**
 * The clock the modelled cycles of each preset are turned into seconds at (modelled frames per
 * second). p4-2006: Adams & Agesen's machine, a 3.8 GHz Pentium 4 672 (ASPLOS 2006, section 6).
 * modern: an assumption, a 3 GHz core of the generation whose exit round trip the preset prices.
 */
export const MODELLED_CLOCK_HZ: Record<CostPresetName, number> = { 'p4-2006': 3.8e9, modern: 3.0e9 };

export const MODELLED_CLOCK_SOURCES: Record<CostPresetName, string> = {
  'p4-2006': 'Adams & Agesen 2006: a 3.8 GHz Pentium 4 672',
  modern: 'assumption: a 3 GHz core',
};

const images = new Map<string, Image>();

/** guests/net/<program>.s assembled with these defines (pv: with PV), cached per process. */
export function netImage(program: 'stream' | 'pingpong', defines: Record<string, number>, pv: boolean): Image {
  const all = { ...defines, ...(pv ? { PV: 1 } : {}) };
  const key = `${program} ${JSON.stringify(Object.entries(all).sort())}`;
  const cached = images.get(key);
  if (cached) return cached;
  const r = assembleFile(guestPath('net', `${program}.s`), { defines: all });
  if (!r.image) throw new Error(`net/${program}.s: ${r.diagnostics.map(formatDiagnostic).join('; ')}`);
  images.set(key, r.image);
  return r.image;
}
