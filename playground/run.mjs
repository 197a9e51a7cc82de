// Starts the playground's command (playground/tools/cli.ts) without compiling the whole project:
// esbuild turns the TypeScript tools into one Node module in dist/ (a few milliseconds), then it runs.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'playground-tools', 'cli.mjs');
try {
  await build({
    entryPoints: [join(root, 'playground', 'tools', 'cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
} catch (err) {
  const first = err.errors?.[0];
  const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
  console.error(`playground: cannot build its own tools: ${where}${first?.text ?? String(err.message).split('\n')[0]}`);
  process.exit(1);
}
await import(pathToFileURL(outfile).href);
