// Runs GNU readelf on an ELF file and parses what the tests check. Shared by the
// ELF and CLI tests; `READELF` is undefined when binutils is not installed.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const READELF = ['/usr/bin/readelf', '/usr/local/bin/readelf'].find((p) => existsSync(p))
  ?? (spawnSync('readelf', ['--version']).status === 0 ? 'readelf' : undefined);

export interface ReadelfOutput {
  status: number | null;
  stdout: string;
  stderr: string;
  entry: number;
  machine: string;
  segments: { offset: number; vaddr: number; filesz: number; memsz: number; flags: string; align: number }[];
  sections: { name: string; type: string; addr: number; size: number; flags: string }[];
  symbols: { value: number; type: string; bind: string; ndx: string; name: string }[];
}

export function runReadelf(file: string): ReadelfOutput {
  const r = spawnSync(READELF!, ['-W', '-h', '-l', '-S', '-s', file], { encoding: 'utf8' });
  const out = r.stdout;
  const field = (label: string) => new RegExp(`^\\s*${label}:\\s*(.*)$`, 'm').exec(out)?.[1]?.trim() ?? '';
  const segments = [...out.matchAll(/^\s*LOAD\s+(0x\S+)\s+(0x\S+)\s+0x\S+\s+(0x\S+)\s+(0x\S+)\s+([RWE ]+?)\s+(0x\S+)\s*$/gm)]
    .map((m) => ({ offset: Number(m[1]), vaddr: Number(m[2]), filesz: Number(m[3]), memsz: Number(m[4]), flags: m[5]!.replace(/\s/g, ''), align: Number(m[6]) }));
  const sections = [...out.matchAll(/^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]{8})\s+[0-9a-f]{6}\s+([0-9a-f]{6})\s+[0-9a-f]{2}\s+([A-Z]*)\s/gm)]
    .map((m) => ({ name: m[1]!, type: m[2]!, addr: parseInt(m[3]!, 16), size: parseInt(m[4]!, 16), flags: m[5]! }));
  const symbols = [...out.matchAll(/^\s*\d+:\s+([0-9a-f]{8})\s+\d+\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s+(\S+)\s*$/gm)]
    .map((m) => ({ value: parseInt(m[1]!, 16), type: m[2]!, bind: m[3]!, ndx: m[4]!, name: m[5]! }));
  return { status: r.status, stdout: out, stderr: r.stderr, entry: Number(field('Entry point address')), machine: field('Machine'), segments, sections, symbols };
}
