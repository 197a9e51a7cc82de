// A static file server for the built playground: GET/HEAD of files under one folder, nothing else.
// Local use only (it listens on the loopback address unless told otherwise); the page needs no other server.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `dir` on host:port (port 0: any free port) and resolves once it listens. */
export async function serveStatic(dir: string, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad path\n');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    // normalize() has resolved any '..': a path that leaves the root is refused, not served.
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden\n');
      return;
    }
    void send(file, req.method === 'HEAD', res);
  });
  await listen(server, port, host);
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${actual}/`,
    port: actual,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

async function send(file: string, headOnly: boolean, res: import('node:http').ServerResponse): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      // Every build replaces the files: a reload must not show a stale bundle.
      'cache-control': 'no-store',
    });
    res.end(headOnly ? undefined : body);
  } catch {
    if (!res.headersSent) res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (err.code === 'EADDRINUSE') fail(new Error(`port ${port} is in use on ${host} (choose another with --port N, or --port 0 for any free one)`));
      else if (err.code === 'EACCES') fail(new Error(`no permission to listen on ${where} (ports below 1024 need privileges)`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') fail(new Error(`cannot listen on ${where}: no such local address`));
      else fail(new Error(`cannot listen on ${where}: ${err.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      done();
    });
  });
}
