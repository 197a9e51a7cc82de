// The playground's results are the CLI's, bit for bit: the same guests run
// through `virtlab run --json --stats` (main() in-process) and through a
// playground session (load, run, snapshot) give the same console output,
// counters, modelled cycles per event kind and the same --stats text.

import { describe, expect, test } from 'vitest';
import { runCli } from '../cli/run.js';
import type { Configuration, ModeName } from '../../src/playground/protocol.js';
import { consoleOf, lone, newSession } from './helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;

interface Case { path: string; mode: ModeName; defines?: Record<string, number> }

const MODES_PLAIN: ModeName[] = ['native', 'trap', 'bt', 'hw'];
const cases: Case[] = [
  ...MODES_PLAIN.map((mode) => ({ path: 'guests/hello.s', mode })),
  ...MODES_PLAIN.map((mode) => ({ path: 'guests/tinyos/tinyos.s', mode })),
  { path: 'guests/tinyos/tinyos.s', mode: 'pv', defines: { PV: 1 } },
  ...MODES_PLAIN.map((mode) => ({ path: 'guests/bench/in.s', mode })),
  { path: 'guests/bench/in.s', mode: 'pv', defines: { PV: 1 } },
];

/** What `virtlab run` printed on stderr besides the counters: its one `virtlab:` line for a run that did not halt. */
function statsOnly(stderr: string): string {
  return stderr.split('\n').filter((l) => !l.startsWith('virtlab: ')).join('\n');
}

describe.each(['jit', 'interp'] as const)('run under %s: the session and the CLI agree', (engine) => {
  test.each(cases)('$path under $mode', async ({ path, mode, defines }) => {
    const args = ['run', path, '--mode', mode, '--engine', engine, '--json', '--stats', ...Object.keys(defines ?? {}).flatMap((d) => ['-D', d])];
    const cli = await runCli(args, ROOT);
    const json = JSON.parse(cli.stdout);

    const s = newSession();
    await s.ok({ type: 'load', config: lone(path, { mode, ...(defines ? { defines } : {}) }, { engine }) });
    const run = await s.ok({ type: 'run' });
    expect(run.stopped).toBe('ended');
    expect(run.vms[0].exitCode).toBe(cli.code);
    const { state } = await s.ok({ type: 'snapshot' });

    expect(state.console).toBe(json.console);
    expect(consoleOf(s.events, 'vm')).toBe(json.console);
    expect(state.counters.machine).toEqual(json.counters);
    expect(state.counters.monitor).toEqual(json.monitor);
    expect(state.counters.cost).toEqual(json.cost);
    expect(state.counters.perIteration).toEqual(json.perIteration ?? null);
    expect(state.counters.statsText).toBe(statsOnly(cli.stderr));
    expect(state.status.message).toBe(json.message);
  });
});

test('the cost-model preset chosen on the page prices as --cost-model does', async () => {
  const cli = await runCli(['run', 'guests/tinyos/tinyos.s', '--mode', 'hw', '--cost-model', 'modern', '--json', '--stats'], ROOT);
  const json = JSON.parse(cli.stdout);
  const s = newSession();
  await s.ok({ type: 'load', config: lone('guests/tinyos/tinyos.s', { mode: 'hw' }, { costModel: 'modern' }) });
  await s.ok({ type: 'run' });
  const { state } = await s.ok({ type: 'snapshot' });
  expect(state.counters.cost.preset).toBe('modern');
  expect(state.counters.cost).toEqual(json.cost);
  expect(state.counters.statsText).toBe(cli.stderr);
});

describe('network guests: the session and the CLI agree', () => {
  test.each([
    { path: 'guests/net/pingpong.s', mode: 'native' as ModeName, nic: 'emulated' as const, peer: undefined },
    { path: 'guests/net/stream.s', mode: 'hw' as ModeName, nic: 'virtio' as const, peer: 'sink' },
  ])('$path under $mode with a $nic NIC', async ({ path, mode, nic, peer }) => {
    const cli = await runCli(['run', path, '--mode', mode, '--nic', nic, ...(peer ? ['--peer', peer] : []), '--json', '--stats'], ROOT);
    const json = JSON.parse(cli.stdout);
    const s = newSession();
    await s.ok({ type: 'load', config: lone(path, { mode, nic: { kind: nic, ...(peer ? { peer } : {}) } }) });
    const run = await s.ok({ type: 'run' });
    expect(run.vms[0].exitCode).toBe(cli.code);
    const { state } = await s.ok({ type: 'snapshot' });
    expect(state.console).toBe(json.console);
    expect(state.counters.machine).toEqual(json.counters);
    expect(state.counters.monitor).toEqual(json.monitor);
    expect(state.counters.statsText).toBe(statsOnly(cli.stderr));
    expect(state.counters.statsText).toMatch(/packets|frames|sent/);
  });
});

describe.each(['jit', 'interp'] as const)('a host of three VMs under %s: the session and `virtlab host` agree', (engine) => {
  test('tinyos under bt, pv and hw (guests/hosts/three-modes.json)', async () => {
    const cli = await runCli(['host', 'guests/hosts/three-modes.json', '--engine', engine, '--json', '--stats'], ROOT);
    expect(cli.code).toBe(0);
    const json = JSON.parse(cli.stdout);
    const config: Configuration = {
      engine, costModel: 'p4-2006', slice: 10000,
      vms: (['bt', 'pv', 'hw'] as const).map((mode) => ({ name: mode, program: { kind: 'catalog', path: 'guests/tinyos/tinyos.s' }, mode })),
    };
    const s = newSession();
    await s.ok({ type: 'load', config });
    await expectHostAsCli(s, json, cli.stderr, async (v, state) => {
      expect(consoleOf(s.events, v.name)).toBe(v.console);
      expect(state.counters.cost).toEqual(v.cost);
      expect(state.status.exitCode).toBe(v.exitCode);
    });
  });
});

describe('the shipped host configurations, from the catalog, are `virtlab host`\'s', () => {
  test.each(['guests/hosts/pingpong.json', 'guests/hosts/sriov.json'])('%s', async (path) => {
    const cli = await runCli(['host', path, '--json', '--stats'], ROOT);
    const json = JSON.parse(cli.stdout);
    const s = newSession();
    const { hosts } = await s.ok({ type: 'catalog' });
    const preset = hosts.find((h: { path: string }) => h.path === path);
    await s.ok({ type: 'load', config: preset.config });
    await expectHostAsCli(s, json, cli.stderr);
  });
});

/**
 * Runs the loaded host to its end and checks each VM's console and counters
 * against `virtlab host --json`, and the --stats sections against its stderr;
 * `more` adds checks per VM.
 */
type Json = ReturnType<typeof JSON.parse>;
async function expectHostAsCli(s: ReturnType<typeof newSession>, json: Json, cliStderr: string, more?: (v: Json, state: Json) => Promise<void> | void): Promise<void> {
  const run = await s.ok({ type: 'run' });
  expect(run.stopped).toBe('ended');
  expect(run.steps).toBe(json.steps);
  const sections: string[] = [];
  for (const v of json.vms) {
    const { state } = await s.ok({ type: 'snapshot', vm: v.name });
    expect({ vm: v.name, console: state.console, counters: state.counters.machine, monitor: state.counters.monitor })
      .toEqual({ vm: v.name, console: v.console, counters: v.counters, monitor: v.monitor });
    await more?.(v, state);
    sections.push(`== ${v.name} (${v.mode}) ==\n${state.counters.statsText}`);
  }
  expect(sections.join('\n')).toBe(cliStderr);
}
