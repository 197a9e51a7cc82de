// Bad requests get one-line errors, never an exception out of the session
// (which would end the worker): malformed messages, unknown guests, bad
// modes and options, debugger requests under jit, requests before a load.

import { describe, expect, test } from 'vitest';
import { lone, newSession } from './helpers.js';

/** The failure's message: one line. */
async function oneLine(p: Promise<import('../../src/playground/protocol.js').Response>): Promise<string> {
  const r = await p;
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.error).not.toMatch(/\n/);
  expect(r.error).not.toMatch(/^internal error/);
  return r.error;
}

describe('malformed messages', () => {
  test.each([
    [null, /^malformed request: not an object$/],
    ['run', /^malformed request: not an object$/],
    [{ type: 'run' }, /^malformed request: no numeric id$/],
    [{ id: 1, type: 'fly' }, /^malformed request: unknown type "fly" \(known: catalog, assemble, /],
    [{ id: 1, type: 'step', count: -1 }, /^malformed step request: count must be a whole number from 1 to /],
    [{ id: 1, type: 'break', at: { kind: 'line', file: 'a.s' } }, /^malformed break request: at.line must be a line number/],
    [{ id: 1, type: 'watch', address: 2 ** 32 }, /^malformed watch request: address must be/],
    [{ id: 1, type: 'assemble', program: { kind: 'url', path: 'x' } }, /^malformed assemble request: program.kind must be "catalog" or "source"/],
    [{ id: 1, type: 'command', line: 'step\nquit' }, /^malformed command request: line must be one line/],
    [{ id: 1, type: 'load', config: { vms: [{ program: { kind: 'catalog', path: 'guests/hello.s' }, defines: { A: {} } }] } }, /^malformed load request: defines.A must be a number or a string/],
  ])('%j', async (msg, message) => {
    const s = newSession();
    expect(await oneLine(s.session.handle(msg))).toMatch(message);
  });

  test('the failure carries the request\'s id when it has one', async () => {
    const s = newSession();
    const r = await s.session.handle({ id: 42, type: 'fly' });
    expect(r.id).toBe(42);
    expect((await s.session.handle(undefined)).id).toBe(-1);
  });
});

describe('bad configurations', () => {
  test('an unknown guest, with a did-you-mean', async () => {
    const s = newSession();
    expect(await oneLine(s.send({ type: 'load', config: lone('guests/helo.s') }))).toBe("unknown guest 'guests/helo.s' (did you mean guests/hello.s?)");
  });

  test.each([
    [{ mode: 'turbo' }, {}, "bad mode 'turbo' (known: native, trap, bt, pv, hw)"],
    [{}, { engine: 'v8' }, "bad engine 'v8' (known: interp, jit)"],
    [{}, { costModel: 'z80' }, "bad cost model 'z80' (known: p4-2006, modern)"],
    [{ mode: 'bt', hw: { ept: false } }, {}, 'hw options (no EPT, no VPID, no posted interrupts) apply to mode hw only (the mode is bt)'],
    [{ memoryMiB: 0 }, {}, 'bad memoryMiB 0: expected a whole number from 1 to 1024'],
    [{ nic: { kind: 'emulated', peer: 'moon' } }, {}, /^bad peer 'moon': /],
    [{ nic: { kind: 'emulated', vlan: 10 } }, {}, "nic vlan applies to a host's VMs (a lone VM's NIC is cabled to the wire, as with run --nic)"],
    [{ nic: { kind: 'virtio', mac: '01:00:00:00:00:01' } }, {}, "bad MAC '01:00:00:00:00:01': expected a unicast address aa:bb:cc:dd:ee:ff"],
    [{ mode: 'pv', program: { kind: 'source', file: 'plain.s', text: '        .text\n_start: halt zero\n' } }, {}, /^cannot load the image: not a paravirtualized build/],
  ])('vm %j, config %j', async (vm, config, message) => {
    const s = newSession();
    const error = await oneLine(s.send({ type: 'load', config: lone('guests/hello.s', vm as object, config as object) }));
    if (typeof message === 'string') expect(error).toBe(message);
    else expect(error).toMatch(message);
  });

  test('a host\'s VMs are checked by the host configuration\'s schema', async () => {
    const s = newSession();
    const vm = (name: string) => ({ name, program: { kind: 'catalog', path: 'guests/tinyos/tinyos.s' }, mode: 'bt' });
    const error = await oneLine(s.send({ type: 'load', config: { engine: 'jit', costModel: 'p4-2006', vms: [vm('a'), vm('a')] } }));
    expect(error).toMatch(/^vms\[1\]\.name: /);
    expect(await oneLine(s.send({ type: 'load', config: { engine: 'jit', costModel: 'p4-2006', vms: [vm('a'), { ...vm('b'), mode: 'native' }] } })))
      .toMatch(/^vms\[1\]\.mode: /);
  });
});

describe('requests the state does not allow', () => {
  test('before a load', async () => {
    const s = newSession();
    for (const type of ['run', 'step', 'snapshot', 'timeline']) {
      expect(await oneLine(s.send({ type }))).toBe('nothing is loaded: send a load request first');
    }
  });

  test('debugger requests under jit say what they need', async () => {
    const s = newSession();
    await s.ok({ type: 'load', config: lone('guests/hello.s') });
    for (const req of [{ type: 'step' }, { type: 'back' }, { type: 'break', at: { kind: 'expr', text: '_start' } }, { type: 'command', line: 'regs' }]) {
      expect(await oneLine(s.send(req))).toMatch(/needs the interp engine/);
    }
  });

  test('debugger errors come back as one line; the session goes on', async () => {
    const s = newSession();
    await s.ok({ type: 'load', config: lone('guests/hello.s', {}, { engine: 'interp' }) });
    expect(await oneLine(s.send({ type: 'break', at: { kind: 'expr', text: 'nowhere' } }))).toMatch(/nowhere/);
    expect(await oneLine(s.send({ type: 'snapshot', vm: 'other' }))).toBe("no VM named 'other'; the VMs are vm");
    expect(await oneLine(s.send({ type: 'snapshot', memory: { address: 0xfffffff0, length: 64 } }))).toMatch(/run past 0xffffffff/);
    const run = await s.ok({ type: 'run' });
    expect(run.vms[0].haltCode).toBe(0);
    expect(await oneLine(s.send({ type: 'step' }))).toMatch(/has halted/);
    // A run with nothing left to run ends at once, as under jit.
    expect((await s.ok({ type: 'run' })).stopped).toBe('ended');
  });
});
