// --mode bt and --mode hw from the command line, as the README shows them.
import { describe, expect, test } from 'vitest';
import { oneErrorLine, runCli } from './run.js';

const guest = (name: string) => new URL(`../../guests/${name}`, import.meta.url).pathname;

describe('modes on the command line', () => {
  test('tinyos: trap panics, bt and hw (with and without EPT/VPID) print what native prints', async () => {
    const native = await runCli(['run', guest('tinyos/tinyos.s')]);
    expect(native.code).toBe(0);
    const trap = await runCli(['run', guest('tinyos/tinyos.s'), '--mode', 'trap']);
    expect(trap.code).toBe(1);
    for (const args of [['--mode', 'bt'], ['--mode', 'hw'], ['--mode', 'hw', '--no-ept'], ['--mode', 'hw', '--no-ept', '--no-vpid']]) {
      const r = await runCli(['run', guest('tinyos/tinyos.s'), ...args]);
      expect({ args, code: r.code, out: r.stdout }).toEqual({ args, code: 0, out: native.stdout });
    }
  });

  test('--stats under hw lists exits by reason and prices them', async () => {
    const r = await runCli(['run', guest('hello.s'), '--mode', 'hw', '--stats']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^exitIo\s+20$/m);
    expect(r.stderr).toMatch(/^VM exits\s+vmExits\s+21\s+9109\s+191289$/m);
    const json = JSON.parse((await runCli(['run', guest('hello.s'), '--mode', 'hw', '--no-vpid', '--json'])).stdout);
    expect(json.mode).toBe('hw');
    expect(json.monitor.vpidFlushes).toBe(json.monitor.vmEntries + json.monitor.vmExits);
  });

  test('--no-ept and --no-vpid belong to hw', async () => {
    const r = await runCli(['run', guest('hello.s'), '--mode', 'bt', '--no-ept']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toBe('virtlab: --no-ept and --no-vpid apply to --mode hw only (the mode is bt)');
  });
});
