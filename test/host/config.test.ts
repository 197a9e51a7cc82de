// The host configuration: the schema's defaults, one issue per problem with its
// JSON path and line:column, JSON syntax errors located, and the checks that
// span fields (unique names, hw options, defines, the host's RAM).

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  formatJsonPath, hostRamNeeded, JsonSyntaxError, MAX_JSON_DEPTH, parseHostConfig, parseJsonWithPositions, validateHostConfig, type ConfigIssue, type ConfigResult,
} from '../../src/host/config.js';
import { DEFAULT_SLICE } from '../../src/host/index.js';

const MIB = 1024 * 1024;

function issues(r: ConfigResult): string[] {
  if (r.ok) throw new Error('expected the configuration to be refused');
  return r.issues.map((i: ConfigIssue) => `${i.position ? `${i.position.line}:${i.position.column}: ` : ''}${i.path}: ${i.message}`);
}

const vm = (extra: object = {}) => ({ name: 'a', program: 'a.s', mode: 'bt', ...extra });

describe('the schema', () => {
  test('the shipped example: defaults filled in', () => {
    const r = parseHostConfig(readFileSync(new URL('../../guests/hosts/three-modes.json', import.meta.url), 'utf8'));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.vms.map((v) => [v.name, v.mode, v.memory, v.weight, v.defines, v.hw])).toEqual([
      ['bt', 'bt', 16, 1, {}, undefined], ['pv', 'pv', 16, 1, {}, undefined], ['hw', 'hw', 16, 1, {}, undefined],
    ]);
    expect(r.config.memory).toBe(1024);
  });

  test('slice defaults to the library\'s; hw options default to on', () => {
    const r = validateHostConfig({ vms: [vm({ mode: 'hw', hw: { ept: false } })] });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.slice).toBe(DEFAULT_SLICE);
    expect(r.config.vms[0]!.hw).toEqual({ ept: false, vpid: true, posted: true, virtualTimer: false });
  });

  test('every problem is one issue, at its path and position, in one pass', () => {
    const text = [
      '{',
      '  "slice": 0,',
      '  "extra": true,',
      '  "vms": [',
      '    { "name": "a", "program": "a.s", "mode": "native", "weight": 1.5 },',
      '    { "name": "a b", "program": "", "mode": "bt", "hw": { "ept": 1 }, "defines": { "x y": 1, "Z": true } },',
      '    { "program": "x.elf", "mode": "hw", "memory": 2000, "modee": 3 }',
      '  ]',
      '}',
    ].join('\n');
    const lines = text.split('\n');
    /** line:column of `needle` on line `n` (1-based), found independently of the parser. */
    const at = (n: number, needle: string) => `${n}:${lines[n - 1]!.indexOf(needle) + 1}`;
    expect(issues(parseHostConfig(text))).toEqual([
      `${at(5, '"native"')}: vms[0].mode: expected one of trap|bt|pv|hw, got "native"`,
      `${at(5, '1.5')}: vms[0].weight: expected a whole number, got 1.5`,
      `${at(6, '"a b"')}: vms[1].name: a name is 1 to 32 letters, digits, _ . or -, starting with a letter or digit`,
      `${at(6, '""')}: vms[1].program: expected a non-empty string`,
      `${at(6, '1 }')}: vms[1].hw.ept: expected true or false, got 1`,
      `${at(6, '1,')}: vms[1].defines["x y"]: not a symbol name (a letter, _ . or $, then letters, digits, _ . $)`,
      `${at(6, 'true')}: vms[1].defines.Z: expected a whole 32-bit number or a non-empty string, got true`,
      `${at(7, '{')}: vms[2].name: missing (expected a string)`,
      `${at(7, '2000')}: vms[2].memory: expected at most 1024, got 2000`,
      `${at(7, '3 }')}: vms[2].modee: unknown field (a VM has: name, program, mode, memory, weight, hw, defines, input, nic, profile)`,
      `${at(2, '0')}: slice: expected at least 1, got 0`,
      `${at(3, 'true')}: extra: unknown field (the configuration has: vms, network, slice, memory)`,
    ]);
  });

  test.each([
    [[], ': expected an object, got an array'],
    [{}, 'vms: missing (expected an array)'],
    [{ vms: [] }, 'vms: expected at least 1 VM, got 0'],
    [{ vms: Array.from({ length: 65 }, (_, i) => vm({ name: `v${i}`, memory: 1 })) }, 'vms: expected at most 64 VMs, got 65'],
    [{ vms: [vm({ mode: undefined })] }, 'vms[0].mode: missing (expected one of trap|bt|pv|hw)'],
    [{ vms: [vm({ name: 'x'.repeat(33) })] }, 'vms[0].name: a name is 1 to 32 letters, digits, _ . or -, starting with a letter or digit'],
    [{ vms: [vm({ name: '../up' })] }, 'vms[0].name: a name is 1 to 32 letters, digits, _ . or -, starting with a letter or digit'],
    [{ vms: [vm({ weight: 0 })] }, 'vms[0].weight: expected at least 1, got 0'],
    [{ vms: [vm({ defines: { X: 2 ** 32 } })] }, 'vms[0].defines.X: expected at most 4294967295, got 4294967296'],
    [{ vms: [vm({ hw: { tagged: true }, mode: 'hw' })] }, 'vms[0].hw.tagged: unknown field (hw has: ept, vpid, posted, virtualTimer)'],
  ])('%j: %s', (raw, expected) => {
    expect(issues(validateHostConfig(raw))).toEqual([expected]);
  });

  test('a key "__proto__" is an unknown field, not a prototype', () => {
    const text = '{"vms": [{"name": "a", "program": "a.s", "mode": "bt", "__proto__": {"weight": 5}}]}';
    // The position is the value's, as for every field.
    expect(issues(parseHostConfig(text))).toEqual([`1:${text.indexOf('{"weight"') + 1}: vms[0].__proto__: unknown field (a VM has: name, program, mode, memory, weight, hw, defines, input, nic, profile)`]);
  });
});

describe('checks across fields', () => {
  test('names are unique, hw options need mode hw, defines need a source', () => {
    expect(issues(validateHostConfig({
      vms: [vm({ hw: {} }), vm({ program: 'b.elf', mode: 'trap', defines: { X: 1 } }), vm({ name: 'b', program: 'b.elf', defines: {} })],
    }))).toEqual([
      'vms[0].hw: ept and vpid apply to mode hw only (this VM\'s mode is bt)',
      'vms[1].name: "a" is already the name of vms[0]',
      'vms[1].defines: defines apply to assembler sources (.s), not "b.elf"',
    ]);
  });

  test('the VMs must fit in the host\'s memory: exactly enough is enough', () => {
    const vms = [vm({ memory: 16 }), vm({ name: 'b', mode: 'hw', memory: 4 })];
    const need = hostRamNeeded([{ memory: 16, mode: 'bt' }, { memory: 4, mode: 'hw' }]);
    expect(need).toBe(1 * MIB + (16 * MIB + MIB + MIB / 4) + (4 * MIB + MIB));
    // 23.25 MiB: 24 fits, 23 does not.
    expect(validateHostConfig({ vms, memory: 24 }).ok).toBe(true);
    expect(issues(validateHostConfig({ vms, memory: 23 }))).toEqual([
      'memory: the VMs need 23.25 MiB of host RAM (1 MiB below the first VM; per VM its memory, 1 MiB of monitor memory and under bt 0.25 MiB of translation cache), more than the 23 MiB given',
    ]);
  });

  test('without a host memory the machine\'s 1 GiB is the limit', () => {
    const vms = Array.from({ length: 2 }, (_, i) => vm({ name: `v${i}`, mode: 'hw', memory: 512 }));
    expect(issues(validateHostConfig({ vms }))[0]).toMatch(/^memory: the VMs need 1027 MiB .* more than the 1024 MiB given$/);
  });
});

describe('JSON with positions', () => {
  test.each([
    ['{ "vms": [ { "name": "a", } ] }', '1:27: a comma before \'}\' (trailing commas are not JSON)'],
    ['{ "vms": [1, 2, ] }', '1:17: a comma before \']\' (trailing commas are not JSON)'],
    ['{\n  "vms" []\n}', '2:9: expected \':\' after the property name, got \'[\''],
    ['{\n  "a": 1\n  "b": 2\n}', '3:3: expected \',\' or \'}\' after a property, got \'"\''],
    ['{ "a": "open', '1:13: unterminated string'],
    ["{ 'a': 1 }", '1:3: expected a property name in double quotes, got \'\'\''],
    ['{ "a": \'x\' }', '1:8: strings are in double quotes in JSON'],
    ['{ "a": 1, "a": 2 }', '1:11: duplicate key "a" (first at 1:3)'],
    ['{ "a": 01 }', '1:8: bad number \'01...\''],
    ['{ "a": tru }', '1:8: expected a value, got \'t\''],
    ['{ "a": "x\ty" }', '1:10: character U+0009 inside a string (escape it)'],
    ['{ "a": "\\x" }', '1:9: bad escape \'\\x\' in a string'],
    ['{} {}', '1:4: unexpected \'{\' after the value'],
    ['', '1:1: expected a value, got the end of the file'],
    ['[' .repeat(MAX_JSON_DEPTH + 2), `1:${MAX_JSON_DEPTH + 2}: nested deeper than ${MAX_JSON_DEPTH} levels`],
    ['{ "a": 1 // why\n}', '1:10: comments are not JSON'],
    ['/* x */ {}', '1:1: comments are not JSON'],
    ['{ "a": 1.}', '1:8: bad number \'1.\''],
    ['{ "a": "x\ny" }', '1:10: a line break inside a string (escape it)'],
    ['{ "a": "\\\\", "b": "\\u12G4" }', '1:20: bad escape \'\\u\' in a string'],
    ['{\n  "vms": [1,', '2:13: expected a value, got the end of the file'],
    ['{ "a": 1, "b": { "a": 2, "a": 3 } }', '1:26: duplicate key "a" (first at 1:18)'],
  ])('%j: %s', (text, expected) => {
    try {
      parseJsonWithPositions(text);
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      expect(`${e.position.line}:${e.position.column}: ${e.message}`).toBe(expected);
      return;
    }
    throw new Error('expected a syntax error');
  });

  test('deep nesting is refused before the parser\'s recursion gets deep: no stack overflow', () => {
    expect(() => parseJsonWithPositions('['.repeat(200_000))).toThrow(new JsonSyntaxError(`nested deeper than ${MAX_JSON_DEPTH} levels`, { line: 1, column: MAX_JSON_DEPTH + 2 }));
  });

  test('valid texts give what JSON.parse gives, and where each value starts', () => {
    const text = '\ufeff{"a": [1, -2.5e3, "x\\u00e9\\n\\"", true, null],\r\n "b c": {"d": false}, "e": {}, "f": []}';
    const { value, positions } = parseJsonWithPositions(text);
    expect(value).toEqual(JSON.parse(text.slice(1)));
    expect(positions.get(formatJsonPath(['a', 2]))).toEqual({ line: 1, column: text.indexOf('"x') }); // the BOM is not a column
    expect(positions.get(formatJsonPath(['b c', 'd']))).toEqual({ line: 2, column: text.split('\n')[1]!.indexOf('false') + 1 });
    expect(formatJsonPath(['b c', 'd'])).toBe('["b c"].d');
  });
});
