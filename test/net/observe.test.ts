// A network's relays to its observer slot: a sender describes a frame only
// while someone observes, and events reach whoever observes at that moment.

import { describe, expect, test } from 'vitest';
import { observing, relayTo } from '../../src/net/observe.js';
import type { FrameEvent, FrameObserver } from '../../src/net/types.js';

const event: FrameEvent = { kind: 'tx', where: 'e1000', dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', ethertype: 0x88b5, length: 64 };

describe('relayTo and observing', () => {
  test('a relay observes only while its target is set, and forwards to the target of the moment', () => {
    let slot: FrameObserver | undefined;
    const relay = relayTo(() => slot);
    expect(observing(relay)).toBe(false);
    relay(event); // nobody: nothing happens
    const seen: string[] = [];
    slot = (e) => seen.push(`a ${e.kind}`);
    expect(observing(relay)).toBe(true);
    relay(event);
    slot = (e) => seen.push(`b ${e.where}`);
    relay(event);
    slot = undefined;
    expect(observing(relay)).toBe(false);
    expect(seen).toEqual(['a tx', 'b e1000']);
  });

  test('a relay to a relay observes only when the last one\'s target is set; any other observer always observes', () => {
    let slot: FrameObserver | undefined;
    const inner = relayTo(() => slot);
    const outer = relayTo(() => inner);
    expect(observing(outer)).toBe(false);
    slot = () => {};
    expect(observing(outer)).toBe(true);
    expect(observing(undefined)).toBe(false);
    // A wrapper around a relay (as the host's frame tap puts on a NIC) is an observer of its own.
    expect(observing((e) => inner(e))).toBe(true);
  });
});
