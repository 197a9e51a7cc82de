// The playground's static server and the command's argument handling (the page itself: browser.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../playground/tools/build.js';
import { serveStatic, type RunningServer } from '../../playground/tools/serve.js';

/** A raw GET (the path is sent as given, so '..' is not resolved by the client). */
function get(url: string, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((done, fail) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('the playground server', () => {
  let dir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'virtlab-serve-test-'));
    mkdirSync(join(dir, 'site'));
    writeFileSync(join(dir, 'site', 'index.html'), '<p>page</p>');
    writeFileSync(join(dir, 'site', 'app.js'), 'export {};');
    writeFileSync(join(dir, 'secret.txt'), 'outside');
    server = await serveStatic(join(dir, 'site'), 0);
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the folder on a free loopback port, index.html for /', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const page = await get(server.url, '/');
    expect(page).toMatchObject({ status: 200, body: '<p>page</p>' });
    expect(page.type).toMatch(/^text\/html/);
    expect((await get(server.url, '/app.js')).type).toMatch(/^text\/javascript/);
  });

  it('answers 404 for a missing file and refuses paths that leave the folder', async () => {
    expect((await get(server.url, '/nothing.js')).status).toBe(404);
    expect((await get(server.url, '/..%2fsecret.txt')).status).toBe(403);
    expect((await get(server.url, '/../secret.txt')).body).not.toContain('outside');
  });

  it('says in one line when the port is taken', async () => {
    await expect(serveStatic(join(dir, 'site'), server.port)).rejects.toThrow(`port ${server.port} is in use on 127.0.0.1 (choose another with --port N, or --port 0 for any free one)`);
  });
});

describe('npm run playground arguments', () => {
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'playground', 'run.mjs'), ...args], { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('refuses bad arguments with one line and exit code 2', () => {
    for (const [args, message] of [
      [['--port', 'x'], "playground: --port must be a number in 0..65535, not 'x' (see --help)"],
      [['--port', '70000'], "playground: --port must be a number in 0..65535, not '70000' (see --help)"],
      [['--bogus'], "playground: Unknown option '--bogus' (see --help)"],
      [['--build', 'd', '--port', '1'], 'playground: --build only writes files; --port and --host are for serving (see --help)'],
    ] as const) {
      const r = run(...args);
      expect(r.stderr, args.join(' ')).toBe(`${message}\n`);
      expect(r.status).toBe(2);
    }
  });

  it('will not build into a folder holding other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-build-test-'));
    try {
      writeFileSync(join(dir, 'notes.txt'), 'mine');
      const r = run('--build', dir);
      expect(r.stderr).toBe(`playground: ${dir} holds files that are not a playground build (notes.txt); give an empty or new folder\n`);
      expect(r.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints its usage with --help', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run playground/);
    expect(r.stdout).toContain('--build DIR');
  });
});
