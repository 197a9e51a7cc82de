// --no-posted-interrupts: an hw option (posted interrupts off: an assigned device's interrupt exits and is injected).
import { describe, expect, test } from 'vitest';
import { oneErrorLine, runCli } from './run.js';

const guest = (name: string) => new URL(`../../guests/${name}`, import.meta.url).pathname;

describe('--no-posted-interrupts', () => {
  test('belongs to hw', async () => {
    const r = await runCli(['run', guest('hello.s'), '--mode', 'trap', '--no-posted-interrupts']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe('virtlab: --no-posted-interrupts applies to --mode hw only (the mode is trap)');
  });

  test('under hw the guest runs as with posting (nothing is posted to a guest without an assigned device)', async () => {
    const on = await runCli(['run', guest('hello.s'), '--mode', 'hw', '--json']);
    const off = await runCli(['run', guest('hello.s'), '--mode', 'hw', '--no-posted-interrupts', '--json']);
    expect(off.code).toBe(0);
    const [a, b] = [JSON.parse(on.stdout), JSON.parse(off.stdout)];
    expect(b.monitor).toEqual(a.monitor);
    expect(b.monitor.postedInterrupts).toBe(0);
    expect(b.monitor.postedWhileNotRunning).toBe(0);
  });

  test('bt-dump keeps it out of its help; a host takes it from its configuration', async () => {
    expect((await runCli(['bt-dump', '--help'])).stdout).not.toContain('--no-posted-interrupts');
    const r = await runCli(['trace', '--vm', `a=${guest('hello.s')}:hw`, '--no-posted-interrupts']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(/^virtlab: --no-posted-interrupts applies to a lone program; /);
  });
});
