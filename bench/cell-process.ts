// The child process of a forked benchmark run (bench/fork.ts): measures the
// one cell described by its argument (JSON) and prints the measurement as JSON
// on stdout. A failure is one line on stderr and exit code 1.
//   node dist/bench/cell-process.js '{"kind":"engine","workload":"alu","column":"jit","timing":{"maxTime":0.05,"minSamples":2}}'

try {
  const arg = process.argv[2];
  if (arg === undefined || process.argv.length !== 3) throw new Error('usage: node dist/bench/cell-process.js CELL-JSON');
  let spec: unknown;
  try {
    spec = JSON.parse(arg);
  } catch (e) {
    throw new Error(`the cell description is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Imported here, not statically, so that a module that fails to load is reported like any other failure.
  const { measureCell } = await import('./cell.js');
  process.stdout.write(JSON.stringify(measureCell(spec)) + '\n');
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(message.trim().replace(/\s*\n\s*/g, ' ') + '\n');
  process.exitCode = 1;
}
