// The configuration of a host (`virtlab host CONFIG`, docs/host.md): its VMs
// (name, program, mode, guest memory, weight, hw options, assembler defines,
// console input, network card), the slice length, the host's RAM and the wire. Checked by a zod schema
// and then by the checks that span fields (unique names, options that apply to
// one mode, the VMs fitting in the host's RAM); every problem is reported, each
// with its JSON path and, from a file, its line:column.

import { ParseErrorCode, visit } from 'jsonc-parser';
import * as z from 'zod';
import { NetError } from '../net/errors.js';
import { parseWireSpec } from '../net/wire-options.js';
import { NIC_KINDS } from '../network/nic.js';
import { PROFILE_NAMES } from '../profiles/profiles.js';
import { DEFAULT_MONITOR_MEMORY, DEFAULT_TC_SIZE, GUEST_BASE } from '../vmm/layout.js';
import { resolveProfiles } from './config-profiles.js';
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

// --- JSON with positions -------------------------------------------------------
// jsonc-parser's visitor, made strict JSON (no comments, no trailing commas, no
// empty text), builds the value and records where each value starts, so that an
// error of syntax or of schema is reported at its line:column; a duplicate key
// is an error (JSON.parse keeps the last one). The first error ends the parse:
// the library recovers and goes on, but what follows is mostly its consequence.

export interface JsonPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export type JsonPath = readonly (string | number)[];

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(message: string, readonly position: JsonPosition) {
    super(message);
  }
}

export interface ParsedJson {
  value: unknown;
  /** Where the value at each path starts, keyed by formatJsonPath(path). */
  positions: Map<string, JsonPosition>;
}

/** Nesting beyond this is refused (jsonc-parser recurses; a configuration needs 4 levels). */
export const MAX_JSON_DEPTH = 64;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `vms[1].hw.ept`; keys that are not identifiers in brackets: `defines["a b"]`; the root is the empty string. */
export function formatJsonPath(path: JsonPath): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else if (IDENTIFIER.test(p)) s += s === '' ? p : `.${p}`;
    else s += `[${JSON.stringify(p)}]`;
  }
  return s;
}

/** A character as an error message shows it. */
function shown(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the file';
  if (ch === '\n') return 'a line break';
  const code = ch.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `character U+${code.toString(16).padStart(4, '0')}`;
  return `'${ch}'`;
}

/** An object or array being read, and where its values go. */
interface Open {
  value: Record<string, unknown> | unknown[];
  path: JsonPath;
  /** An object's keys so far, at their offsets; the key whose value comes next. */
  keys?: Map<string, number>;
  key?: string;
}

/** The value of a JSON text and where each of its values starts; a syntax error throws JsonSyntaxError. */
export function parseJsonWithPositions(source: string): ParsedJson {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source; // a byte-order mark is not a column
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const at = (offset: number): JsonPosition => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const fail = (message: string, offset: number): never => {
    throw new JsonSyntaxError(message, at(offset));
  };

  const positions = new Map<string, JsonPosition>();
  const stack: Open[] = [];
  let root: unknown;
  /** What the text must have next: the state a syntax error is explained by. */
  let expect: 'value' | 'key' | 'colon' | 'after' = 'value';
  let afterComma = false;
  let lastNumber: { offset: number; length: number } | undefined;

  const place = (value: unknown, offset: number): JsonPath => {
    if (stack.length > MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`, offset);
    const top = stack[stack.length - 1];
    let path: JsonPath = [];
    if (!top) root = value;
    else if (Array.isArray(top.value)) {
      path = [...top.path, top.value.length];
      top.value.push(value);
    } else {
      path = [...top.path, top.key!];
      // defineProperty: a key "__proto__" is a property, as JSON.parse makes it, not the prototype.
      Object.defineProperty(top.value, top.key!, { value, enumerable: true, writable: true, configurable: true });
    }
    positions.set(formatJsonPath(path), at(offset));
    expect = 'after';
    lastNumber = undefined;
    return path;
  };
  const open = (value: Open['value'], offset: number): void => {
    stack.push({ value, path: place(value, offset), ...(Array.isArray(value) ? {} : { keys: new Map<string, number>() }) });
    expect = Array.isArray(value) ? 'value' : 'key';
    afterComma = false;
  };
  /** The closing token, or the end of the file (then the error that follows is explained from where the text stopped). */
  const close = (offset: number): void => {
    if (offset >= text.length) return;
    stack.pop();
    expect = 'after';
    lastNumber = undefined;
  };

  /** A token where it cannot be: explained by what was expected. */
  const misplaced = (offset: number): never => {
    const ch = text[offset];
    const got = shown(ch);
    if (expect === 'after' && lastNumber && offset === lastNumber.offset + lastNumber.length && /[0-9A-Za-z_.]/.test(ch ?? '')) {
      fail(`bad number '${text.slice(lastNumber.offset, offset + 1)}...'`, lastNumber.offset);
    }
    switch (expect) {
      case 'key':
        return fail(afterComma && ch === '}' ? "a comma before '}' (trailing commas are not JSON)" : `expected a property name in double quotes, got ${got}`, offset);
      case 'colon':
        return fail(`expected ':' after the property name, got ${got}`, offset);
      case 'value':
        if (afterComma && ch === ']') fail("a comma before ']' (trailing commas are not JSON)", offset);
        return fail(ch === "'" ? 'strings are in double quotes in JSON' : `expected a value, got ${got}`, offset);
      case 'after': {
        const top = stack[stack.length - 1];
        if (!top) fail(`unexpected ${got} after the value`, offset);
        return fail(Array.isArray(top!.value) ? `expected ',' or ']' after an element, got ${got}` : `expected ',' or '}' after a property, got ${got}`, offset);
      }
    }
  };

  /** An error jsonc-parser reports, at the start of the token (`length` long) it is in. */
  const onError = (code: ParseErrorCode, offset: number, length: number): never => {
    const token = text.slice(offset, offset + length);
    switch (code) {
      case ParseErrorCode.UnexpectedEndOfString: {
        const end = offset + length; // a line break or the end of the file
        return fail(end < text.length ? `${shown(text[end])} inside a string (escape it)` : 'unterminated string', end);
      }
      case ParseErrorCode.InvalidCharacter: case ParseErrorCode.InvalidEscapeCharacter: case ParseErrorCode.InvalidUnicode: {
        // The token is a string; find its first fault (the library reports only where the string starts).
        for (let i = 1; i < token.length; i++) {
          const ch = token[i]!;
          if (ch < ' ') fail(`${shown(ch)} inside a string (escape it)`, offset + i);
          if (ch !== '\\') continue;
          const esc = token[i + 1] ?? '';
          if (esc === 'u' ? !/^[0-9A-Fa-f]{4}$/.test(token.slice(i + 2, i + 6)) : !'"\\/bfnrt'.includes(esc) || esc === '') {
            fail(`bad escape '\\${esc}' in a string`, offset + i);
          }
          i++;
        }
        return misplaced(offset);
      }
      case ParseErrorCode.UnexpectedEndOfNumber: case ParseErrorCode.InvalidNumberFormat:
        return fail(`bad number '${token}'`, offset);
      case ParseErrorCode.InvalidCommentToken:
        return fail('comments are not JSON', offset);
      default:
        return misplaced(offset);
    }
  };

  visit(text, {
    onObjectBegin: (offset) => open({}, offset),
    onArrayBegin: (offset) => open([], offset),
    onObjectEnd: close,
    onArrayEnd: close,
    onObjectProperty: (key, offset) => {
      const top = stack[stack.length - 1]!;
      const first = top.keys!.get(key);
      if (first !== undefined) {
        const p = at(first);
        fail(`duplicate key ${JSON.stringify(key)} (first at ${p.line}:${p.column})`, offset);
      }
      top.keys!.set(key, offset);
      top.key = key;
      expect = 'colon';
    },
    onSeparator: (sep) => {
      const top = stack[stack.length - 1]!;
      expect = sep === ':' || Array.isArray(top.value) ? 'value' : 'key';
      afterComma = sep === ',';
    },
    onLiteralValue: (value: unknown, offset, length) => {
      place(value, offset);
      if (typeof value === 'number') lastNumber = { offset, length };
    },
    onError,
  }, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return { value: root, positions };
}

// --- the schema ---------------------------------------------------------------

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
  /** Posted interrupts for the VM's assigned devices (false: an exit and an injection each, as --no-posted-interrupts). */
  posted: z.boolean().default(true),
  /** The virtual timer: the guest's timer accesses and ticks take no exit (as --virtual-timer). */
  virtualTimer: z.boolean().default(false),
});

const MAC_TEXT = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

const nicSchema = z.strictObject({
  /** Required unless the VM has a profile (config-profiles.ts). */
  kind: z.enum(NIC_KINDS).optional(),
  mac: z.string().regex(MAC_TEXT, { error: 'expected a MAC address aa:bb:cc:dd:ee:ff' })
    .refine((m) => (parseInt(m.slice(0, 2), 16) & 1) === 0, { error: 'a multicast address (the first byte\'s bit 0 is set): a NIC\'s own address is unicast' })
    .transform((m) => m.toLowerCase()).optional(),
  vlan: whole(1, 4094).optional(),
  /** kind "vf": which VF of the host's SR-IOV NIC (default: the lowest free one). */
  vf: whole(0, 63).optional(),
  /** kind "vf": the PF driver lets it set any MAC. */
  trusted: z.boolean().optional(),
});

/** The wire: its link partner as `--peer` writes it ("echo", "gen,size=128,every=1000", "sink"). */
const networkSchema = z.strictObject({
  peer: z.string().default('echo').superRefine((spec, ctx) => {
    try {
      parseWireSpec(spec);
    } catch (e) {
      if (!(e instanceof NetError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
    }
  }),
});

const vmSchema = z.strictObject({
  name: z.string().regex(VM_NAME, { error: 'a name is 1 to 32 letters, digits, _ . or -, starting with a letter or digit' }),
  program: z.string().min(1),
  /** Required unless the VM has a profile (config-profiles.ts). */
  mode: z.enum(HOST_MODES).optional(),
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
  /** Its network card on the host's switch (docs/host.md, "Networking"). */
  nic: nicSchema.optional(),
  /** A virtualization profile (docs/profiles.md): sets mode, hw and nic.kind. */
  profile: z.enum(PROFILE_NAMES as [string, ...string[]]).optional(),
});

export const hostConfigSchema = z.strictObject({
  vms: z.array(vmSchema).min(1).max(MAX_VMS),
  network: networkSchema.optional(),
  slice: whole(1, MAX_SLICE).default(DEFAULT_SLICE),
  memory: whole(1, MAX_HOST_MEMORY_MIB).default(MAX_HOST_MEMORY_MIB),
});

type ParsedConfig = z.output<typeof hostConfigSchema>;
type ParsedVm = ParsedConfig['vms'][number];
/** A VM after its profile is resolved: mode and the NIC's kind always present. */
export type VmConfig = Omit<ParsedVm, 'mode' | 'nic'> & {
  mode: (typeof HOST_MODES)[number];
  nic?: Omit<NonNullable<ParsedVm['nic']>, 'kind'> & { kind: (typeof NIC_KINDS)[number] };
};
export type HostConfig = Omit<ParsedConfig, 'vms'> & { vms: VmConfig[] };

/** The fields of each object, for an unknown field's message. */
const FIELDS: Record<string, readonly string[]> = {
  host: Object.keys(hostConfigSchema.shape),
  vm: Object.keys(vmSchema.shape),
  hw: Object.keys(hwSchema.shape),
  nic: Object.keys(nicSchema.shape),
  network: Object.keys(networkSchema.shape),
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
      const last = path[path.length - 1];
      const kind = path.length === 0 ? 'host' : last === 'hw' || last === 'nic' || last === 'network' ? last : 'vm';
      const where = kind === 'host' ? 'the configuration' : kind === 'vm' ? 'a VM' : kind;
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
  const macs = new Map<string, number>();
  config.vms.forEach((vm, i) => {
    if (!vm.nic) return;
    const mac = vmMac(vm, i);
    const first = macs.get(mac);
    if (first !== undefined) out.push({ path: ['vms', i, 'nic', 'mac'], message: `${mac} is already the MAC of vms[${first}]` });
    else macs.set(mac, i);
  });
  const vfs = new Map<number, number>();
  config.vms.forEach((vm, i) => {
    const nic = vm.nic;
    if (!nic) return;
    for (const f of ['vf', 'trusted'] as const) {
      if (nic[f] !== undefined && nic.kind !== 'vf') out.push({ path: ['vms', i, 'nic', f], message: `applies to kind "vf" only (this NIC is ${nic.kind})` });
    }
    if (nic.vf === undefined) return;
    const first = vfs.get(nic.vf);
    if (first !== undefined) out.push({ path: ['vms', i, 'nic', 'vf'], message: `VF ${nic.vf} is already assigned to vms[${first}]` });
    else vfs.set(nic.vf, i);
  });
  config.vms.forEach((vm, i) => {
    if (vm.nic && vm.name === 'wire') out.push({ path: ['vms', i, 'name'], message: '"wire" is the name of the switch\'s port to the wire: give a VM with a nic another name' });
  });
  if (config.network && !config.vms.some((vm) => vm.nic)) out.push({ path: ['network'], message: 'no VM has a nic: give one a "nic" for the network to connect' });
  const need = hostRamNeeded(config.vms);
  if (need > config.memory * MIB) {
    out.push({
      path: ['memory'],
      message: `the VMs need ${need / MIB} MiB of host RAM (1 MiB below the first VM; per VM its memory, 1 MiB of monitor memory and under bt 0.25 MiB of translation cache), more than the ${config.memory} MiB given`,
    });
  }
  return out;
}

/** VM `index`'s MAC: its nic's, or 02:00:00:00:00:NN with NN = index + 1 (locally administered, unique on the host). */
export function vmMac(vm: Pick<VmConfig, 'nic'>, index: number): string {
  return vm.nic?.mac ?? `02:00:00:00:00:${(index + 1).toString(16).padStart(2, '0')}`;
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
  const unresolved = r.success ? resolveProfiles(r.data.vms, raw) : [];
  const config = r.data as HostConfig; // resolved when `unresolved` is empty
  const found = !r.success ? issuesOf(r.error) : unresolved.length ? unresolved : crossChecks(config, raw);
  if (r.success && found.length === 0) return { ok: true, config, ...(positions ? { positions } : {}) };
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
