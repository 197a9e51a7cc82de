// The configuration of a host (`virtlab host CONFIG`, docs/host.md): its VMs
// (name, program, mode, guest memory, weight, hw options, assembler defines,
// console input), the slice length and the host's RAM. Checked by a zod schema
// and then by the checks that span fields (unique names, options that apply to
// one mode, the VMs fitting in the host's RAM); every problem is reported, each
// with its JSON path and, from a file, its line:column.

import * as z from 'zod';
import { DEFAULT_MONITOR_MEMORY, DEFAULT_TC_SIZE, GUEST_BASE } from '../vmm/layout.js';
import { formatJsonPath, JsonSyntaxError, parseJsonWithPositions, type JsonPath, type JsonPosition } from './config-json.js';
import type { HostMode } from './host-vm.js';
import { DEFAULT_SLICE } from './host.js';

export const HOST_MODES = ['trap', 'bt', 'pv', 'hw'] as const satisfies readonly HostMode[];
const MIB = 1024 * 1024;
/** The machine's RAM ends below its MMIO range: 1 GiB (src/machine/memory.ts). */
export const MAX_HOST_MEMORY_MIB = 1024;
export const DEFAULT_GUEST_MEMORY_MIB = 16;
export const MAX_VMS = 64;
export const MAX_WEIGHT = 1000;
export const MAX_SLICE = 100_000_000;
/** A VM's name: its console prefix and its file under --split-console. */
export const VM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
/** What the assembler accepts as a symbol name (as -D, src/cli/defines.ts). */
const SYMBOL_NAME = /^[A-Za-z_.$][0-9A-Za-z_.$]*$/;

/** A value as an error message shows it: `"native"`, `1.5`, `an object`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v);
  return String(v);
}

function whole(min: number, max: number) {
  return z.number().int().min(min).max(max);
}

const hwSchema = z.strictObject({
  ept: z.boolean().default(true),
  vpid: z.boolean().default(true),
});

const vmSchema = z.strictObject({
  name: z.string().regex(VM_NAME, { error: 'a name is 1 to 32 letters, digits, _ . or -, starting with a letter or digit' }),
  program: z.string().min(1),
  mode: z.enum(HOST_MODES),
  memory: whole(1, MAX_HOST_MEMORY_MIB).default(DEFAULT_GUEST_MEMORY_MIB),
  weight: whole(1, MAX_WEIGHT).default(1),
  hw: hwSchema.optional(),
  defines: z.record(
    z.string().regex(SYMBOL_NAME, { error: 'not a symbol name (a letter, _ . or $, then letters, digits, _ . $)' }),
    z.union([z.number().int().min(-(2 ** 31)).max(2 ** 32 - 1), z.string().min(1)], {
      error: (iss) => `expected a whole 32-bit number or a non-empty string, got ${describeValue(iss.input)}`,
    }),
  ).default({}),
  input: z.string().optional(),
});

export const hostConfigSchema = z.strictObject({
  vms: z.array(vmSchema).min(1).max(MAX_VMS),
  slice: whole(1, MAX_SLICE).default(DEFAULT_SLICE),
  memory: whole(1, MAX_HOST_MEMORY_MIB).default(MAX_HOST_MEMORY_MIB),
});

export type HostConfig = z.output<typeof hostConfigSchema>;
export type VmConfig = HostConfig['vms'][number];

/** The fields of each object, for an unknown field's message. */
const FIELDS: Record<string, readonly string[]> = {
  host: Object.keys(hostConfigSchema.shape),
  vm: Object.keys(vmSchema.shape),
  hw: Object.keys(hwSchema.shape),
};

export interface ConfigIssue {
  /** The JSON path of the value at fault ('' for the whole configuration). */
  path: string;
  message: string;
  /** Where that value (or the nearest enclosing one) starts, when read from a file. */
  position?: JsonPosition;
}

export type ConfigResult =
  | { ok: true; config: HostConfig; positions?: Map<string, JsonPosition> }
  | { ok: false; issues: ConfigIssue[] };

/** Is a program an assembler source (assembled on the fly) rather than an ELF image? As `run` decides. */
export function isSourcePath(path: string): boolean {
  return /\.(s|asm)$/i.test(path);
}

/** Bytes of host RAM the VMs take: the guard below GUEST_BASE, then each VM's guest RAM, monitor memory and bt's cache (src/host/layout.ts). */
export function hostRamNeeded(vms: readonly Pick<VmConfig, 'memory' | 'mode'>[]): number {
  return vms.reduce((n, vm) => n + vm.memory * MIB + DEFAULT_MONITOR_MEMORY + (vm.mode === 'bt' ? DEFAULT_TC_SIZE : 0), GUEST_BASE);
}

function issueMessage(iss: z.core.$ZodIssue): string {
  const present = iss.input !== undefined; // a JSON value is never undefined: undefined is a missing field
  const got = present ? `, got ${describeValue(iss.input)}` : '';
  switch (iss.code) {
    case 'invalid_type': {
      const what: Record<string, string> = {
        string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'an object', array: 'an array',
      };
      const expected = what[iss.expected] ?? iss.expected;
      return present ? `expected ${expected}${got}` : `missing (expected ${expected})`;
    }
    case 'invalid_value': {
      const values = iss.values.map((v) => String(v)).join('|');
      return present ? `expected one of ${values}${got}` : `missing (expected one of ${values})`;
    }
    case 'too_small': case 'too_big': {
      const bound = iss.code === 'too_small' ? `at least ${iss.minimum}` : `at most ${iss.maximum}`;
      if (iss.origin === 'array') {
        const n = Array.isArray(iss.input) ? iss.input.length : 0;
        return `expected ${bound} VM${bound.endsWith(' 1') ? '' : 's'}, got ${n}`;
      }
      if (iss.origin === 'string') return 'expected a non-empty string';
      return `expected ${bound}${got}`;
    }
    case 'invalid_key':
      return iss.issues[0]?.message ?? iss.message;
    default:
      return iss.message;
  }
}

function issuesOf(error: z.ZodError): { path: JsonPath; message: string }[] {
  const out: { path: JsonPath; message: string }[] = [];
  for (const iss of error.issues) {
    const path = iss.path as (string | number)[];
    if (iss.code === 'unrecognized_keys') {
      const kind = path.length === 0 ? 'host' : path[path.length - 1] === 'hw' ? 'hw' : 'vm';
      const where = kind === 'host' ? 'the configuration' : kind === 'vm' ? 'a VM' : 'hw';
      for (const key of iss.keys) out.push({ path: [...path, key], message: `unknown field (${where} has: ${FIELDS[kind]!.join(', ')})` });
    } else {
      out.push({ path, message: issueMessage(iss) });
    }
  }
  return out;
}

/** What the schema cannot say: unique names, options of one mode, sources for defines, and the host's RAM. */
function crossChecks(config: HostConfig, raw: unknown): { path: JsonPath; message: string }[] {
  const out: { path: JsonPath; message: string }[] = [];
  const rawVms = (raw as { vms: Record<string, unknown>[] }).vms;
  const seen = new Map<string, number>();
  config.vms.forEach((vm, i) => {
    const first = seen.get(vm.name);
    if (first !== undefined) out.push({ path: ['vms', i, 'name'], message: `${JSON.stringify(vm.name)} is already the name of vms[${first}]` });
    else seen.set(vm.name, i);
    if (vm.hw && vm.mode !== 'hw') out.push({ path: ['vms', i, 'hw'], message: `ept and vpid apply to mode hw only (this VM's mode is ${vm.mode})` });
    if (Object.keys(rawVms[i]?.defines ?? {}).length > 0 && !isSourcePath(vm.program)) {
      out.push({ path: ['vms', i, 'defines'], message: `defines apply to assembler sources (.s), not ${JSON.stringify(vm.program)}` });
    }
  });
  const need = hostRamNeeded(config.vms);
  if (need > config.memory * MIB) {
    out.push({
      path: ['memory'],
      message: `the VMs need ${need / MIB} MiB of host RAM (1 MiB below the first VM; per VM its memory, 1 MiB of monitor memory and under bt 0.25 MiB of translation cache), more than the ${config.memory} MiB given`,
    });
  }
  return out;
}

/** Where the value at `path`, or the nearest enclosing value, starts. */
export function positionOf(positions: Map<string, JsonPosition> | undefined, path: JsonPath): JsonPosition | undefined {
  if (!positions) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const p = positions.get(formatJsonPath(path.slice(0, n)));
    if (p) return p;
  }
  return undefined;
}

/** Check a configuration already parsed (the shorthand's, or a file's with `positions`). */
export function validateHostConfig(raw: unknown, positions?: Map<string, JsonPosition>): ConfigResult {
  const r = hostConfigSchema.safeParse(raw, { reportInput: true });
  const found = r.success ? crossChecks(r.data, raw) : issuesOf(r.error);
  if (r.success && found.length === 0) return { ok: true, config: r.data, ...(positions ? { positions } : {}) };
  return {
    ok: false,
    issues: found.map(({ path, message }) => {
      const position = positionOf(positions, path);
      return { path: formatJsonPath(path), message, ...(position ? { position } : {}) };
    }),
  };
}

/** Parse and check the text of a configuration file. */
export function parseHostConfig(text: string): ConfigResult {
  let parsed;
  try {
    parsed = parseJsonWithPositions(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { ok: false, issues: [{ path: '', message: e.message, position: e.position }] };
    throw e;
  }
  return validateHostConfig(parsed.value, parsed.positions);
}
