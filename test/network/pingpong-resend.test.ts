// A client that gives up on a reply early (-D RETRY small) resends pings the
// server has already queued or answered; the server must answer each copy but
// count only new sequence numbers, or it halts before the client's last ping
// and the client waits forever.

import { describe, expect, test } from 'vitest';
import { Host } from '../../src/host/index.js';
import type { NicKind } from '../../src/network/nic.js';
import { netProgram } from './helpers.js';

function run(kind: NicKind, retry: number, slice = 1500) {
  const host = new Host({
    slice,
    vms: [
      { name: 'ping', image: netProgram('pingpong', { COUNT: 8, RETRY: retry }, 'hw'), mode: 'hw', guestMemory: 2 << 20, nic: { kind, mac: '02:00:00:00:00:01' } },
      { name: 'pong', image: netProgram('pingpong', { COUNT: 8, SERVER: 1 }, 'hw'), mode: 'hw', guestMemory: 2 << 20, nic: { kind, mac: '02:00:00:00:00:02' } },
    ],
    net: { peer: { mode: 'sink' } },
  });
  const r = host.run(5_000_000);
  const [ping, pong] = host.vms;
  const nic = (name: string) => host.net!.vms.find((v) => v.name === name)!.nic!.counters as { txFrames: number; rxFrames: number };
  return { end: r.end, ping, pong, pingNic: nic('ping'), pongNic: nic('pong') };
}

describe('pingpong.s: the server answers resent pings but counts each sequence number once', () => {
  for (const kind of ['virtio', 'emulated'] as const) {
    test(`${kind}: a client resending after 3 polls still gets its 8 round trips`, () => {
      const { end, ping, pong, pingNic, pongNic } = run(kind, 3);
      expect(end).toBe('stopped');
      expect([ping.stop?.kind, pong.stop?.kind]).toEqual(['halted', 'halted']);
      const client = /^ping: 8 round trips, mean \d+ ticks each\nping: resent (\d+) unanswered pings\n$/.exec(ping.consoleText());
      const server = /^pong: answered 8 frames\npong: answered (\d+) resent pings again\n$/.exec(pong.consoleText());
      expect(client, ping.consoleText()).not.toBeNull();
      expect(server, pong.consoleText()).not.toBeNull();
      const [resent, again] = [Number(client![1]), Number(server![1])];
      expect(again).toBeGreaterThan(0);
      expect(again).toBeLessThanOrEqual(resent); // a resend the server never saw is not answered again
      // the server sent one reply per ping it took: 8 new ones and the repeats (copies of the last ping
      // that arrive after it halted stay in its ring)
      expect(pongNic.txFrames).toBe(8 + again);
      expect(pongNic.rxFrames).toBeGreaterThanOrEqual(8 + again);
      expect(pingNic.txFrames).toBe(8 + resent);
    });
  }

  test('without resends the server reports no repeats', () => {
    const { ping, pong } = run('virtio', 300, 500);
    expect(ping.consoleText()).not.toMatch(/resent/);
    expect(pong.consoleText()).toBe('pong: answered 8 frames\n');
  });
});
