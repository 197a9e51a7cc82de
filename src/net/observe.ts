// Frame observers that forward to whoever observes now. A network hands its
// NICs, its switch and its wire a relay to its own observer slot (set and
// cleared while they run: a trace, a benchmark's probe); a sender asks
// `observing` before it describes a frame, so that nothing is formatted or
// allocated per frame while the slot is empty.

import type { FrameObserver } from './types.js';

const TARGET = Symbol('relay target');

type Relay = FrameObserver & { [TARGET]: () => FrameObserver | undefined };

/** An observer passing each event to `target()` as it is at that moment (nothing when it is undefined). */
export function relayTo(target: () => FrameObserver | undefined): FrameObserver {
  const relay = ((e) => target()?.(e)) as Relay;
  relay[TARGET] = target;
  return relay;
}

/** Whether an event given to `o` would reach anyone: a relay only while its target is set, any other observer always. */
export function observing(o: FrameObserver | undefined): o is FrameObserver {
  if (o === undefined) return false;
  const target = (o as Partial<Relay>)[TARGET];
  return target === undefined || observing(target());
}
