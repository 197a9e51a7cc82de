// A playground session in Node, as the worker runs it: over the catalog
// generated from guests/, its events collected.

import { collectCatalogFiles } from '../../src/playground/catalog-gen.js';
import type { CatalogFiles } from '../../src/playground/catalog.js';
import { PlaygroundSession } from '../../src/playground/session.js';
import type { Configuration, Event, Response, VmSpec } from '../../src/playground/protocol.js';

let files: CatalogFiles | undefined;

/** The catalog, collected once per test file. */
export function catalog(): CatalogFiles {
  return (files ??= collectCatalogFiles());
}

export interface TestSession {
  session: PlaygroundSession;
  events: Event[];
  /** Send a request (an id is added); the response. */
  send(req: Record<string, unknown>): Promise<Response>;
  /** Send and expect ok: the response, typed by its type. */
  ok<T extends Response['type' & keyof Response] | string>(req: Record<string, unknown>): Promise<Extract<Response, { ok: true }> & Record<string, any>>;
}

export function newSession(): TestSession {
  const events: Event[] = [];
  const session = new PlaygroundSession(catalog(), { emit: (e) => events.push(e), pause: () => new Promise((r) => setImmediate(r)) });
  let id = 0;
  const send = (req: Record<string, unknown>) => session.handle({ id: ++id, ...req });
  return {
    session, events, send,
    ok: async (req) => {
      const r = await send(req);
      if (!r.ok) throw new Error(`request ${JSON.stringify(req).slice(0, 200)} failed: ${r.error}`);
      return r as any;
    },
  };
}

/** A one-VM configuration of a catalog guest. */
export function lone(path: string, vm: Partial<VmSpec> = {}, config: Partial<Configuration> = {}): Configuration {
  return { engine: 'jit', costModel: 'p4-2006', ...config, vms: [{ name: 'vm', program: { kind: 'catalog', path }, mode: 'native', ...vm }] };
}

/** All console text a session posted for `vm` (resets honoured). */
export function consoleOf(events: readonly Event[], vm: string): string {
  let text = '';
  for (const e of events) if (e.type === 'console' && e.vm === vm) text = e.reset ? e.text : text + e.text;
  return text;
}
