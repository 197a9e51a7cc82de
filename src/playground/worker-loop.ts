// The Web Worker's message loop: each message from the page goes to the
// session, and its Response is posted back, in order. A stop request is
// answered at once and reaches the running request between two chunks (the
// session yields to this loop every ~50 ms). Nothing here throws: a malformed
// message is a Failure like any other.

import type { CatalogFiles } from './catalog.js';
import type { Ack } from './protocol.js';
import { PlaygroundSession } from './session.js';

/** What the loop needs of a worker's global scope (no DOM types). */
export interface WorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
}

/** A macrotask that lets queued messages in, without setTimeout's 4 ms clamp. */
function yieldToLoop(): Promise<void> {
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    // The DOM's MessageChannel (Node's is typed as worker_threads', whose ports use .on: the same object at run time).
    const channel = new MessageChannel() as unknown as { port1: { onmessage: (() => void) | null; close(): void }; port2: { postMessage(m: unknown): void } };
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Answer `scope`'s messages with a session over `files` (the generated guest catalog). */
export function startWorker(scope: WorkerScope, files: CatalogFiles): PlaygroundSession {
  const session = new PlaygroundSession(files, { emit: (e) => scope.postMessage(e), pause: yieldToLoop });
  let queue = Promise.resolve();
  let stops = 0;
  scope.onmessage = (event) => {
    const msg = event.data as { id?: unknown; type?: unknown } | null;
    if (typeof msg === 'object' && msg !== null && msg.type === 'stop' && typeof msg.id === 'number') {
      stops++;
      session.stop();
      const ack: Ack = { id: msg.id, ok: true, type: 'ack' };
      scope.postMessage(ack);
      return;
    }
    // A stop posted after this message and before its turn stops it too.
    const seen = stops;
    queue = queue.then(async () => scope.postMessage(await session.handle(msg, () => stops !== seen)));
  };
  return session;
}
