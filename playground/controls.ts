// The top bar's settings read as one value: what the next load builds.
import type { CostPresetName, EngineName, ModeName } from '../src/playground/protocol.js';

export interface Controls {
  mode: ModeName;
  /** A second mode run beside the first (its own worker), or null. */
  compareMode: ModeName | null;
  engine: EngineName;
  costModel: CostPresetName;
  vmCount: number;
  defines: Record<string, number | string>;
  hw: { ept: boolean; vpid: boolean; posted: boolean };
}

const value = (id: string) => (document.getElementById(id) as HTMLInputElement | HTMLSelectElement).value;
const checked = (id: string) => (document.getElementById(id) as HTMLInputElement).checked;

export function readControls(): Controls {
  const compare = value('compare-mode');
  return {
    mode: value('mode') as ModeName,
    compareMode: compare ? (compare as ModeName) : null,
    engine: value('engine') as EngineName,
    costModel: value('cost-model') as CostPresetName,
    vmCount: Number(value('vm-count')),
    defines: parseDefines(value('defines')),
    hw: { ept: checked('hw-ept'), vpid: checked('hw-vpid'), posted: checked('hw-posted') },
  };
}

/**
 * `PV NET=1 COUNT=0x10` as the CLI's -D takes them: a bare NAME is 1, a value that reads as a number is one
 * (decimal, 0x, 0b, 0o), anything else stays text. A malformed item is one line naming it.
 */
export function parseDefines(text: string): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^([A-Za-z_.$][\w.$]*)(?:=(.*))?$/.exec(item);
    if (!m) throw new Error(`-D ${item}: a define is NAME or NAME=VALUE`);
    const raw = m[2];
    if (raw === undefined) out[m[1]!] = 1;
    else if (/^-?(0x[0-9a-f]+|0b[01]+|0o[0-7]+|\d+)$/i.test(raw)) out[m[1]!] = toNumber(raw);
    else out[m[1]!] = raw;
  }
  return out;
}

function toNumber(raw: string): number {
  const negative = raw.startsWith('-');
  const digits = negative ? raw.slice(1) : raw;
  const n = /^0o/i.test(digits) ? parseInt(digits.slice(2), 8) : Number(digits);
  return negative ? -n : n;
}
