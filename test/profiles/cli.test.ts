// The profiles' interrupts and timers from the command line: xen-pvhvm
// assembles a source with -D PVHVM and the kernel takes its timer by
// hypercall under hw; nitro-like runs the virtual timer (no exit per tick);
// --virtual-timer is an hw flag a profile may contradict; a host
// configuration's profile does the same per VM.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { oneErrorLine, runCli, runJson } from '../cli/run.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const TINYOS = join(ROOT, 'guests/tinyos/tinyos.s');
const dir = mkdtempSync(join(tmpdir(), 'virtlab-profiles-irq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('interrupts and timers under the hw profiles', () => {
  test('xen-pvhvm: the -D PVHVM build, its timer by hypercall; nitro-like: the virtual timer; both print what native prints', async () => {
    const native = await runJson([TINYOS]);
    const pvhvm = await runJson([TINYOS, '--profile', 'xen-pvhvm']);
    const nitro = await runJson([TINYOS, '--profile', 'nitro-like']);
    for (const j of [pvhvm, nitro]) expect([j.console, j.exitCode]).toEqual([native.console, native.exitCode]);
    expect(pvhvm.monitor.hcTimerAck).toBe(native.counters.interrupts);
    expect(pvhvm.monitor.exitVmcall).toBe(pvhvm.monitor.hypercalls);
    expect(nitro.monitor.timerPosted).toBe(native.counters.interrupts);
    expect(nitro.monitor.exitExternalInterrupt ?? 0).toBe(0);
    // The same run as the flags it stands for.
    const flags = await runJson([TINYOS, '--mode', 'hw', '--virtual-timer', '--nic', 'vf']);
    expect(flags.monitor).toEqual(nitro.monitor);
  });

  test('--virtual-timer: refused by a profile without it and outside hw, taken where it agrees', async () => {
    const r = await runCli(['run', TINYOS, '--profile', 'xen-pvhvm', '--virtual-timer']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe('virtlab: --virtual-timer contradicts --profile xen-pvhvm (no virtual timer): drop one');
    const bt = await runCli(['run', TINYOS, '--mode', 'bt', '--virtual-timer']);
    expect(bt.code).toBe(2);
    expect(oneErrorLine(bt)).toBe('virtlab: --virtual-timer applies to --mode hw only (the mode is bt)');
    expect((await runJson([TINYOS, '--profile', 'nitro-like', '--virtual-timer'])).exitCode).toBe(0);
  });

  test('a host configuration\'s profile: PVHVM defined for the VM\'s source, the virtual timer in its hw', async () => {
    const path = join(dir, 'irq.json');
    writeFileSync(path, JSON.stringify({ vms: [
      { name: 'pvhvm', program: TINYOS, profile: 'xen-pvhvm' },
      { name: 'vt', program: TINYOS, mode: 'hw', hw: { virtualTimer: true } },
    ] }, null, 2));
    const r = await runCli(['host', path, '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.exitCode).toBe(0);
    const [pvhvm, vt] = j.vms;
    expect(pvhvm.monitor.hypercalls).toBeGreaterThan(0);
    expect(vt.monitor.timerPosted).toBeGreaterThan(0);
    expect(vt.monitor.injected ?? 0).toBe(0);
    const clash = join(dir, 'clash.json');
    writeFileSync(clash, JSON.stringify({ vms: [{ name: 'a', program: TINYOS, profile: 'nitro-like', hw: { virtualTimer: false } }] }, null, 2));
    const c = await runCli(['host', clash]);
    expect(c.code).not.toBe(0);
    expect(oneErrorLine(c)).toMatch(/vms\[0\]\.hw\.virtualTimer: contradicts profile "nitro-like" \(virtualTimer true\): drop one$/);
  });
});
