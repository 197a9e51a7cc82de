// Frame events are described only while someone observes: an unobserved run
// formats no MAC and builds no event, on every NIC and path (docs/network.md).

import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { FrameEvent } from '../../src/net/types.js';

// Test files share their module graph (vitest.config.ts): describeFrame is counted in a graph of this file's own.
const described = { calls: 0 };
const FRAME = '../../src/net/frame.js';
let net: typeof import('./helpers.js');
let hosts: typeof import('../../src/host/index.js');
beforeAll(async () => {
  vi.resetModules();
  vi.doMock(FRAME, async (original) => {
    const actual = await original<typeof import('../../src/net/frame.js')>();
    return { ...actual, describeFrame: (bytes: Uint8Array) => { described.calls++; return actual.describeFrame(bytes); } };
  });
  net = await import('./helpers.js');
  hosts = await import('../../src/host/index.js');
});
afterAll(() => {
  vi.doUnmock(FRAME);
  vi.resetModules();
});

describe('an unobserved network describes no frame', () => {
  for (const kind of ['emulated', 'virtio', 'vf'] as const) {
    test(`pingpong.s on the ${kind} NIC under hw against the wire's echo; observed, every frame is described`, () => {
      described.calls = 0;
      const vm = net.runNet('pingpong', 'hw', kind, { COUNT: 4 });
      expect(vm.consoleText()).toMatch(/^ping: 4 round trips/);
      expect(described.calls).toBe(0);
      const seen: FrameEvent[] = [];
      vm.net!.setObserver((e) => seen.push(e));
      vm.reset();
      vm.run(20_000_000);
      expect(seen.filter((e) => e.kind === 'tx' && e.src === '02:00:00:00:00:01').length).toBeGreaterThanOrEqual(4);
      expect(described.calls).toBe(seen.length);
    });
  }

  test("a host's switch, NICs and wire", () => {
    described.calls = 0;
    const host = new hosts.Host({
      slice: 1500,
      vms: [
        { name: 'ping', image: net.netProgram('pingpong', { COUNT: 4, RETRY: 3000 }, 'hw'), mode: 'hw', guestMemory: 2 << 20, nic: { kind: 'virtio', mac: '02:00:00:00:00:01' } },
        { name: 'pong', image: net.netProgram('pingpong', { COUNT: 4, SERVER: 1 }, 'hw'), mode: 'hw', guestMemory: 2 << 20, nic: { kind: 'emulated', mac: '02:00:00:00:00:02' } },
      ],
      net: { peer: { mode: 'sink' } },
    });
    expect(host.run(5_000_000).end).toBe('stopped');
    expect(host.net!.switch.counters().forwarded + host.net!.switch.counters().flooded).toBeGreaterThanOrEqual(8);
    expect(described.calls).toBe(0);
  });
});
