// The page's side of the worker protocol (src/playground/protocol.ts): one Worker running one session,
// requests answered by id as promises, events (console output, progress) to listeners.
import type { Event, Request, Response, WorkerMessage } from '../src/playground/protocol.js';

/** A request without its id: the client numbers them. */
export type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

/** The successful response of a request type. */
type OkResponse = Exclude<Response, { ok: false }>;

export class RequestFailed extends Error {
  constructor(readonly response: Extract<Response, { ok: false }>) {
    super(response.error);
  }
}

export class SessionClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { done(r: OkResponse): void; fail(e: Error): void }>();
  private readonly listeners = new Set<(e: Event) => void>();
  /** Requests sent and not answered yet (the toolbar's busy state). */
  busy = 0;

  constructor(workerUrl: URL | string, readonly label: string) {
    this.worker = new Worker(workerUrl, { type: 'module', name: `virtlab ${label}` });
    this.worker.onmessage = (e: MessageEvent<WorkerMessage>) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      const error = new Error(`the worker failed: ${e.message || 'it could not start'}`);
      for (const p of this.pending.values()) p.fail(error);
      this.pending.clear();
      this.busy = 0;
    };
  }

  onEvent(listener: (e: Event) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a request; resolves with its ok response, rejects with RequestFailed (one-line error, maybe diagnostics). */
  request(body: RequestBody): Promise<OkResponse> {
    const id = this.nextId++;
    this.busy++;
    return new Promise<OkResponse>((done, fail) => {
      this.pending.set(id, { done, fail });
      this.worker.postMessage({ ...body, id } as Request);
    });
  }

  /** Sends a request whose answer must be of type `answer`. */
  async call<T extends OkResponse['type']>(body: RequestBody, answer: T): Promise<Extract<OkResponse, { type: T }>> {
    return expect(await this.request(body), answer);
  }

  /** Asks a running request to stop (answered at once; the running one then ends with stopped: 'requested'). */
  stop(): Promise<OkResponse> {
    return this.request({ type: 'stop' });
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.fail(new Error('the session was closed'));
    this.pending.clear();
    this.busy = 0;
  }

  private receive(message: WorkerMessage): void {
    if (!('id' in message)) {
      for (const l of this.listeners) l(message);
      return;
    }
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    this.busy--;
    if (message.ok) p.done(message);
    else p.fail(new RequestFailed(message));
  }
}

/** Narrows a response to the expected type (a protocol mismatch is a bug, said in one line). */
export function expect<T extends OkResponse['type']>(r: OkResponse, type: T): Extract<OkResponse, { type: T }> {
  if (r.type !== type) throw new Error(`the worker answered '${r.type}' where '${type}' was expected`);
  return r as Extract<OkResponse, { type: T }>;
}
