// --profile on `run` and "profile" in a host configuration: a profile sets the
// mode, the hw options and the NIC (a pv one assembles with -D PV), a flag or a
// field that contradicts it is refused in one line, one that agrees is taken;
// `virtlab profiles` lists them.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { PROFILES } from '../../src/profiles/profiles.js';
import { oneErrorLine, runCli, runJson } from './run.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const TINYOS = join(ROOT, 'guests/tinyos/tinyos.s');
const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --profile', () => {
  test('tinyos -D NET under each profile: its mode, NIC and interrupt delivery, and the pings answered', async () => {
    const seen: Record<string, [string, string, number]> = {};
    for (const p of PROFILES) {
      const j = await runJson([TINYOS, '-D', 'NET', '--profile', p.name]);
      expect(j.exitCode, p.name).toBe(0);
      expect(j.console).toContain('N6: reply 2: 64 bytes');
      seen[p.name] = [j.mode, j.net[0].nic, j.monitor.postedInterrupts];
    }
    expect(seen).toEqual({
      'fully-emulated': ['bt', 'e1000', 0],
      'xen-pv': ['pv', 'virtio-net', 0], // assembled with -D PV: the unmodified build is refused under pv
      'xen-hvm': ['hw', 'virtio-net', 0],
      'xen-pvhvm': ['hw', 'virtio-net', 0],
      'sriov-net': ['hw', 'sriov-vf0', 0], // the VF's interrupts exit and are injected
      'nitro-like': ['hw', 'sriov-vf0', 3], // posted: one per reply
    });
  });

  test('xen-hvm is hw without EPT: the guest\'s page-table work exits (as --no-ept)', async () => {
    const prof = await runJson([TINYOS, '--profile', 'xen-hvm']);
    const flags = await runJson([TINYOS, '--mode', 'hw', '--no-ept', '--no-posted-interrupts', '--nic', 'virtio']);
    expect(prof.monitor).toEqual(flags.monitor);
    const ept = await runJson([TINYOS, '--profile', 'xen-pvhvm']);
    expect(prof.monitor.vmExits).toBeGreaterThan(ept.monitor.vmExits);
  });

  test('flags that agree with the profile are taken; -D PV given is kept', async () => {
    const j = await runJson([TINYOS, '--profile', 'xen-hvm', '--mode', 'hw', '--no-ept', '--nic', 'virtio', '--no-vpid']);
    expect(j.exitCode).toBe(0);
    expect((await runJson([TINYOS, '--profile', 'xen-pv', '-D', 'PV=1'])).exitCode).toBe(0);
  });

  test.each([
    [['--mode', 'bt'], '--mode bt contradicts --profile nitro-like (mode hw): drop one'],
    [['--nic', 'virtio'], '--nic virtio contradicts --profile nitro-like (nic vf): drop one'],
    [['--no-ept'], '--no-ept contradicts --profile nitro-like (EPT on): drop one'],
    [['--no-posted-interrupts'], '--no-posted-interrupts contradicts --profile nitro-like (posted interrupts on): drop one'],
  ])('a contradicting flag %j is one usage line', async (flags, message) => {
    const r = await runCli(['run', TINYOS, '--profile', 'nitro-like', ...flags]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe(`virtlab: ${message}`);
  });

  test('hw flags under a profile of another mode, and an unknown profile', async () => {
    const r = await runCli(['run', TINYOS, '--profile', 'xen-pv', '--no-vpid']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe('virtlab: --no-vpid contradicts --profile xen-pv (mode pv): drop one');
    const u = await runCli(['run', TINYOS, '--profile', 'nitro']);
    expect(u.code).toBe(2);
    expect(oneErrorLine(u)).toMatch(/^virtlab: option '--profile <name>' argument 'nitro' is invalid\. Allowed choices are fully-emulated, /);
  });
});

describe('virtlab profiles', () => {
  test('lists every profile with the flags it stands for', async () => {
    const r = await runCli(['profiles']);
    expect(r.code).toBe(0);
    for (const p of PROFILES) expect(r.stdout).toMatch(new RegExp(`^${p.name} `, 'm'));
    expect(r.stdout).toContain('  as: --mode hw --virtual-timer --nic vf\n');
  });
});

describe('a host configuration\'s "profile"', () => {
  function config(name: string, vms: object[]): string {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify({ vms }, null, 2));
    return path;
  }

  test('sets each VM\'s mode and NIC; a pv profile assembles with PV', async () => {
    const path = config('two.json', [
      { name: 'pv', program: TINYOS, profile: 'xen-pv' },
      { name: 'hvm', program: TINYOS, profile: 'xen-hvm', hw: { vpid: false } },
    ]);
    const r = await runCli(['host', path, '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.exitCode).toBe(0);
    expect(j.vms.map((v: { name: string; mode: string; exitCode: number }) => [v.name, v.mode, v.exitCode])).toEqual([['pv', 'pv', 0], ['hvm', 'hw', 0]]);
  });

  test('fields that contradict it, each at its path and line:column; no mode and no profile', async () => {
    const path = config('bad.json', [
      { name: 'a', program: TINYOS, profile: 'nitro-like', mode: 'bt', nic: { kind: 'virtio' }, hw: { posted: false } },
      { name: 'b', program: TINYOS },
    ]);
    const lines = readFileSync(path, 'utf8').split('\n');
    /** Where the value that follows `key` starts (the first such line at or after line `from`). */
    const at = (key: string, from = 0) => {
      const i = lines.findIndex((l, n) => n >= from && l.includes(`${key}`));
      return `${i + 1}:${lines[i]!.indexOf(key) + key.length + 1}`;
    };
    const second = lines.findIndex((l) => l.includes('"name": "b"')) - 1;
    const r = await runCli(['host', path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').slice(0, -1)).toEqual([
      `virtlab: ${path}:${at('"mode": ')}: vms[0].mode: contradicts profile "nitro-like" (mode hw): drop one`,
      `virtlab: ${path}:${at('"kind": ')}: vms[0].nic.kind: contradicts profile "nitro-like" (nic vf): drop one`,
      `virtlab: ${path}:${at('"posted": ')}: vms[0].hw.posted: contradicts profile "nitro-like" (posted true): drop one`,
      `virtlab: ${path}:${second + 1}:${lines[second]!.indexOf('{') + 1}: vms[1].mode: missing (expected one of trap|bt|pv|hw)`,
    ]);
  });

  test('an unknown profile is a schema error', async () => {
    const r = await runCli(['host', config('unknown.json', [{ name: 'a', program: TINYOS, profile: 'nitro' }])]);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/vms\[0\]\.profile: expected one of fully-emulated\|xen-pv\|xen-hvm\|xen-pvhvm\|sriov-net\|nitro-like, got "nitro"$/);
  });
});

describe('--profile on trace and debug, and a profile in --vm\'s MODE place', () => {
  const HELLO = join(ROOT, 'guests/hello.s');

  test('trace --profile X records what trace with X\'s flags records', async () => {
    const viaProfile = await runCli(['trace', HELLO, '--profile', 'xen-pv', '--format', 'jsonl']);
    const viaFlags = await runCli(['trace', HELLO, '--mode', 'pv', '-D', 'PV', '--format', 'jsonl']);
    expect(viaProfile.code).toBe(0);
    expect(viaProfile.stdout).toBe(viaFlags.stdout);
    expect(viaProfile.stdout).toMatch(/"hypercall"/); // the PV build ran
  });

  test('debug --profile X steps the run debug with X\'s flags steps', async () => {
    const script = join(dir, 'debug.cmds');
    writeFileSync(script, 'step 500\nregs\ncontinue\n');
    const viaProfile = await runCli(['debug', TINYOS, '--profile', 'xen-pvhvm', '--script', script]);
    const viaFlags = await runCli(['debug', TINYOS, '--mode', 'hw', '-D', 'PVHVM', '--script', script]);
    expect(viaProfile.stderr).toBe('');
    expect(viaProfile.stdout).toBe(viaFlags.stdout);
    expect(viaProfile.stdout).toContain('all processes exited, halting');
  });

  test('host --vm NAME=FILE:PROFILE sets the VM\'s profile; --profile with a host is one usage line', async () => {
    const r = await runCli(['host', '--vm', `a=${HELLO}:xen-pv`, '--vm', `b=${HELLO}:xen-hvm`, '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.vms.map((v: { name: string; mode: string; exitCode: number }) => [v.name, v.mode, v.exitCode])).toEqual([['a', 'pv', 0], ['b', 'hw', 0]]);
    for (const cmd of ['trace', 'debug']) {
      const bad = await runCli([cmd, '--profile', 'xen-pv', '--vm', `a=${HELLO}:hw`]);
      expect(bad.code).toBe(2);
      expect(oneErrorLine(bad)).toBe('virtlab: --profile applies to one program: give each VM of a host its profile (--vm NAME=FILE:PROFILE, or "profile" in the configuration)');
    }
  });
});
