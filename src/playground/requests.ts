// A message from the page checked to be a Request before anything acts on it:
// a malformed one (not an object, an unknown type, a field of the wrong kind)
// is one line naming what is wrong.

import { PlaygroundError } from './errors.js';
import type { Request, RequestType } from './protocol.js';

const TYPES: readonly RequestType[] = [
  'catalog', 'assemble', 'load', 'run', 'stop', 'step', 'next', 'finish', 'back', 'restart',
  'break', 'watch', 'clear', 'select', 'command', 'snapshot', 'timeline',
];

/** The most steps one step or back request may ask for. */
export const MAX_COUNT = 1_000_000_000;

type Fields = Record<string, unknown>;

function bad(type: string, what: string): never {
  throw new PlaygroundError(`malformed ${type} request: ${what}`);
}

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function wholeIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function optional(r: Fields, type: string, key: string, ok: (v: unknown) => boolean, what: string): void {
  if (r[key] !== undefined && !ok(r[key])) bad(type, `${key} must be ${what}`);
}

const isString = (v: unknown): boolean => typeof v === 'string';
const isAddress = (v: unknown): boolean => wholeIn(v, 0, 0xffffffff);

function checkProgram(type: string, p: unknown): void {
  if (!isObject(p)) bad(type, 'program must be { kind: "catalog", path } or { kind: "source", file, text }');
  if (p.kind === 'catalog') {
    if (typeof p.path !== 'string') bad(type, 'program.path must be a string');
  } else if (p.kind === 'source') {
    if (typeof p.file !== 'string' || p.file === '') bad(type, 'program.file must be a file name');
    if (typeof p.text !== 'string') bad(type, 'program.text must be a string');
  } else bad(type, `program.kind must be "catalog" or "source", not ${JSON.stringify(p.kind)}`);
}

function checkDefines(type: string, d: unknown): void {
  if (d === undefined) return;
  if (!isObject(d)) bad(type, 'defines must be an object of NAME: number or string');
  for (const [k, v] of Object.entries(d)) if (typeof v !== 'number' && typeof v !== 'string') bad(type, `defines.${k} must be a number or a string`);
}

/** `raw` as a Request, or a one-line PlaygroundError. */
export function checkRequest(raw: unknown): Request {
  if (!isObject(raw)) throw new PlaygroundError('malformed request: not an object');
  if (typeof raw.id !== 'number' || !Number.isFinite(raw.id)) throw new PlaygroundError('malformed request: no numeric id');
  const type = raw.type;
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    throw new PlaygroundError(`malformed request: unknown type ${JSON.stringify(type)} (known: ${TYPES.join(', ')})`);
  }
  switch (type as RequestType) {
    case 'assemble':
      checkProgram(type, raw.program);
      checkDefines(type, raw.defines);
      break;
    case 'load':
      if (!isObject(raw.config)) bad(type, 'config must be an object');
      if (Array.isArray(raw.config.vms)) {
        for (const vm of raw.config.vms) {
          if (!isObject(vm)) bad(type, 'each of config.vms must be an object');
          checkProgram(type, vm.program);
          checkDefines(type, vm.defines);
        }
      }
      break;
    case 'step': case 'back':
      optional(raw, type, 'count', (v) => wholeIn(v, 1, MAX_COUNT), `a whole number from 1 to ${MAX_COUNT}`);
      break;
    case 'break': {
      const at = raw.at;
      if (!isObject(at)) bad(type, 'at must be { kind: "line" | "address" | "expr", ... }');
      if (at.kind === 'line') {
        if (typeof at.file !== 'string' || at.file === '' || /\s/.test(at.file)) bad(type, 'at.file must be a file name without blanks');
        if (!wholeIn(at.line, 1, 0x7fffffff)) bad(type, 'at.line must be a line number (1 and up)');
      } else if (at.kind === 'address') {
        if (!isAddress(at.address)) bad(type, 'at.address must be a whole number from 0 to 0xffffffff');
      } else if (at.kind === 'expr') {
        if (typeof at.text !== 'string' || at.text.trim() === '') bad(type, 'at.text must be a location expression');
      } else bad(type, `at.kind must be "line", "address" or "expr", not ${JSON.stringify(at.kind)}`);
      optional(raw, type, 'condition', isString, 'a string');
      optional(raw, type, 'vm', isString, 'a VM name');
      break;
    }
    case 'watch':
      if (!isAddress(raw.address)) bad(type, 'address must be a whole number from 0 to 0xffffffff');
      optional(raw, type, 'access', (v) => v === 'r' || v === 'w' || v === 'rw', '"r", "w" or "rw"');
      optional(raw, type, 'space', (v) => v === 'virtual' || v === 'physical', '"virtual" or "physical"');
      optional(raw, type, 'condition', isString, 'a string');
      optional(raw, type, 'vm', isString, 'a VM name');
      break;
    case 'clear':
      optional(raw, type, 'points', (v) => Array.isArray(v) && v.every((n) => wholeIn(n, 1, 0x7fffffff)), 'an array of point numbers');
      break;
    case 'select':
      if (typeof raw.vm !== 'string') bad(type, 'vm must be a VM name');
      break;
    case 'command':
      if (typeof raw.line !== 'string' || /[\r\n]/.test(raw.line)) bad(type, 'line must be one line of text');
      break;
    case 'snapshot':
      optional(raw, type, 'vm', isString, 'a VM name');
      optional(raw, type, 'memory', (m) => isObject(m) && isAddress(m.address) && typeof m.length === 'number', '{ address, length, space? }');
      break;
    default:
      break;
  }
  // Conditions end up on a debugger command line: one line only.
  for (const key of ['condition'] as const) if (typeof raw[key] === 'string' && /[\r\n]/.test(raw[key] as string)) bad(type, `${key} must be one line`);
  return raw as unknown as Request;
}
