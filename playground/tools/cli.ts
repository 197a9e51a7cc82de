// `npm run playground [-- OPTIONS]`: build the page from src/ and serve it, or only build it, or measure its budgets.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPlayground, type BuildResult } from './build.js';
import { serveStatic } from './serve.js';

const HELP = `usage: npm run playground [-- OPTIONS]

Builds the playground page from src/ (esbuild) and serves it on this machine.

  --port N        port to serve on (default 8017; 0 picks a free one)
  --host ADDR     address to listen on (default 127.0.0.1)
  --build DIR     only write the static files into DIR (host them anywhere) and exit
  --budgets       build, then measure the budgets (bundle size, time to interactive,
                  step and step-back time in tinyos) in headless Chromium; exit 1 if any is missed
  -h, --help      this text`;

class UsageError extends Error {}

interface Options {
  port: number;
  host: string;
  buildDir: string | null;
  budgets: boolean;
  help: boolean;
}

function parse(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        build: { type: 'string' },
        budgets: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    // node's messages run over several lines with advice meant for scripts; keep the first.
    throw new UsageError(((err as Error).message.split('\n')[0] ?? 'bad arguments').replace(/\. To specify.*$/, ''));
  }
  const port = values.port === undefined ? 8017 : parsePort(values.port);
  if (values.build !== undefined && values.build.trim() === '') throw new UsageError('--build needs a folder');
  if (values.build !== undefined && values.budgets) throw new UsageError('--build and --budgets cannot be combined');
  if (values.build !== undefined && (values.port !== undefined || values.host !== undefined)) {
    throw new UsageError('--build only writes files; --port and --host are for serving');
  }
  return { port, host: values.host ?? '127.0.0.1', buildDir: values.build ?? null, budgets: values.budgets ?? false, help: values.help ?? false };
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--port must be a number in 0..65535, not '${text}'`);
  return Number(text);
}

function describe(result: BuildResult): string {
  const rows = result.files.map((f) => `  ${f.name.padEnd(18)} ${kib(f.bytes).padStart(10)}  (${kib(f.gzipBytes)} gzipped)`);
  return [...rows, `  total gzipped: ${kib(result.gzipTotal)}`].join('\n');
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(argv: string[]): Promise<number> {
  const options = parse(argv);
  if (options.help) {
    console.log(HELP);
    return 0;
  }
  if (options.buildDir !== null) {
    const result = await buildPlayground({ outDir: options.buildDir });
    console.log(`playground: built into ${result.outDir}\n${describe(result)}`);
    return 0;
  }
  if (options.budgets) {
    const { measureBudgets } = await import('./budgets.js');
    return (await measureBudgets((line) => console.log(line))) ? 0 : 1;
  }
  const dir = await mkdtemp(join(tmpdir(), 'virtlab-playground-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await buildPlayground({ outDir: dir });
    const server = await serveStatic(dir, options.port, options.host);
    console.log(`virtlab playground: ${server.url}  (Ctrl-C stops it)`);
    await new Promise<void>((done) => {
      const stop = () => void server.close().then(done);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  } finally {
    await cleanup();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`playground: ${message.split('\n')[0]}${err instanceof UsageError ? ' (see --help)' : ''}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
