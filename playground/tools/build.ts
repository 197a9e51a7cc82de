// Builds the playground's static files from the same src/ the CLI runs: esbuild bundles the page
// (playground/app.ts) and the Web Worker that runs the machine (src/playground/worker-entry.ts).
// Everything the page loads is in the output folder: no CDN, no network at run time.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { catalogModuleSource } from '../../src/playground/catalog-gen.js';

/** The repository's root (this file is playground/tools/build.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAGE_DIR = join(REPO_ROOT, 'playground');

/** The files of a build that a visitor's browser downloads, besides the shared chunks (source maps are fetched only by devtools). */
export const SHIPPED_FIXED = ['index.html', 'style.css', 'app.js', 'worker.js'] as const;

export interface BuiltFile {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface BuildResult {
  readonly outDir: string;
  readonly files: readonly BuiltFile[];
  /** The shipped files' gzip sizes added up: what the page costs to download. */
  readonly gzipTotal: number;
}

export interface BuildOptionsIn {
  readonly outDir: string;
  /** Minified by default; tests and budgets measure what is shipped. */
  readonly minify?: boolean;
}

/**
 * Node built-ins that the machine's run path imports, mapped to browser modules. Only what the page's
 * code path really reaches belongs here: a built-in that is not aliased fails the build, so a new one
 * cannot slip in unnoticed.
 */
const NODE_ALIASES: Record<string, string> = {
  'node:path': 'path-browserify',
  path: 'path-browserify',
  // Imported (default export) by the assembler's file reader, which the browser never calls.
  'node:fs': join(PAGE_DIR, 'shims', 'node-fs.ts'),
};

/** Fails the build with one line naming the importer when the page's code reaches a node: module we do not alias. */
const refuseNodeBuiltins: Plugin = {
  name: 'refuse-node-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      if (NODE_ALIASES[args.path]) return undefined;
      return {
        errors: [
          {
            text: `${args.path} is a Node built-in with no browser version (imported by ${relative(REPO_ROOT, args.importer)}); the page's code path must not reach it`,
          },
        ],
      };
    });
  },
};

/** The shipped guests (every text file under guests/) as a module, made from the files at build time. */
const guestCatalog: Plugin = {
  name: 'guest-catalog',
  setup(b) {
    b.onResolve({ filter: /^virtlab:guest-catalog$/ }, () => ({ path: 'guest-catalog', namespace: 'virtlab' }));
    b.onLoad({ filter: /.*/, namespace: 'virtlab' }, () => ({ contents: catalogModuleSource(REPO_ROOT), loader: 'js' }));
  },
};

export async function buildPlayground(options: BuildOptionsIn): Promise<BuildResult> {
  const outDir = resolve(options.outDir);
  await prepareOutDir(outDir);
  const minify = options.minify ?? true;
  const common: BuildOptions = {
    bundle: true,
    minify,
    sourcemap: 'linked',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    alias: NODE_ALIASES,
    plugins: [guestCatalog, refuseNodeBuiltins],
    inject: [join(PAGE_DIR, 'shims', 'buffer-global.ts')],
    logLevel: 'silent',
    legalComments: 'none',
    absWorkingDir: REPO_ROOT,
    outdir: outDir,
    // Libraries that read NODE_ENV get the production value; there is no `process` in a page.
    define: { 'process.env.NODE_ENV': '"production"' },
  };
  try {
    // The page and the worker are both ES modules: code they share (the guest catalog, the assembler's
    // tables) goes into chunks loaded once, not into each.
    await build({
      ...common,
      splitting: true,
      chunkNames: 'chunk-[hash]',
      entryPoints: {
        app: join(PAGE_DIR, 'app.ts'),
        worker: join(REPO_ROOT, 'src', 'playground', 'worker-entry.ts'),
      },
    });
    // style.css @imports the panels' stylesheet; one file comes out.
    await build({ ...common, format: undefined, entryPoints: { style: join(PAGE_DIR, 'style.css') } });
  } catch (err) {
    throw new Error(`playground build failed: ${esbuildMessage(err)}`);
  }
  await copyFile(join(PAGE_DIR, 'index.html'), join(outDir, 'index.html'));
  const chunks = (await readdir(outDir)).filter((n) => /^chunk-.*\.js$/.test(n)).sort();
  const files: BuiltFile[] = [];
  for (const name of [...SHIPPED_FIXED, ...chunks]) {
    const body = await readFile(join(outDir, name));
    files.push({ name, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length });
  }
  return { outDir, files, gzipTotal: files.reduce((sum, f) => sum + f.gzipBytes, 0) };
}

/** The output folder may exist (a rebuild), but must not be a file or hold anything but a previous build. */
async function prepareOutDir(outDir: string): Promise<void> {
  const info = await stat(outDir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new Error(`${outDir} exists and is not a folder`);
  if (info) {
    const known = new Set<string>(SHIPPED_FIXED);
    const foreign = (await readdir(outDir)).filter((name) => !known.has(name) && !/^(chunk-[\w-]+\.js|[\w-]+\.(js|css)\.map)$/.test(name));
    if (foreign.length > 0) {
      throw new Error(`${outDir} holds files that are not a playground build (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); give an empty or new folder`);
    }
    // A previous build's chunks have other hashes: leave none behind.
    for (const name of await readdir(outDir)) await rm(join(outDir, name), { force: true });
  }
  await mkdir(outDir, { recursive: true });
}

/** esbuild's failure as one line: the first error with its file:line:column. */
function esbuildMessage(err: unknown): string {
  const errors = (err as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
  const first = errors?.[0];
  if (!first) return err instanceof Error ? err.message.split('\n')[0]! : String(err);
  const where = first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${where}${first.text}${more}`;
}
