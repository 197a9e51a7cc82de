// The child process of an interleaved round (bench/cell-session.ts): builds,
// checks and warms up the one cell described by its argument (JSON: a guest
// cell of the nano and macro suites, a net cell, a profiles timer cell, an
// engine cell: the engine suite's, and the machine's speed reference),
// prints what the cell counts (one JSON line), then takes one timed sample
// each time its parent writes a line `s` (one JSON line back: a guest or timer
// cell's seconds per call of the N build and of the baseline, a net cell's
// seconds per frame and per round trip, an engine cell's seconds per run; wall
// and CPU time), until its
// standard input closes. Idle between samples, so that the parent can take
// the samples of a workload's modes in turn while every mode keeps a process
// of its own (bench/fork.ts says why). A failure is one line on stderr, exit 1.
//   node dist/bench/cell-server.js '{"kind":"guest","suite":"nano","workload":"in","mode":"hw","engine":"jit","costModel":"p4-2006","quick":true,"timing":{"maxTime":0.05,"minSamples":2}}'

import { createInterface } from 'node:readline';

try {
  const arg = process.argv[2];
  if (arg === undefined || process.argv.length !== 3) throw new Error('usage: node dist/bench/cell-server.js CELL-JSON');
  let spec: unknown;
  try {
    spec = JSON.parse(arg);
  } catch (e) {
    throw new Error(`the cell description is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const kind = typeof spec === 'object' && spec !== null ? (spec as { kind?: unknown }).kind : undefined;
  // Imported here, not statically, so that a module that fails to load is reported like any other failure.
  let cell: { info: unknown; calls: unknown; sample(): unknown };
  if (kind === 'guest') cell = (await import('./guest-cell.js')).readyGuestCell(spec as import('./guest-cell.js').GuestCellSpec);
  else if (kind === 'net') cell = (await import('./net-cell.js')).readyNetCell(spec as import('./net-cell.js').NetCellSpec);
  else if (kind === 'timer') cell = (await import('./profiles-timer-cell.js')).readyTimerCell(spec as import('./profiles-timer-cell.js').TimerCellSpec);
  else if (kind === 'engine') cell = (await import('./engine-cell.js')).readyEngineCell(spec as import('./engine-cell.js').EngineCellSpec);
  else throw new Error('a cell server measures guest, net, timer and engine cells ({"kind":"guest",...}, "net", "timer" or "engine")');
  process.stdout.write(JSON.stringify({ ready: true, info: cell.info, calls: cell.calls }) + '\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== 's') throw new Error(`unknown request '${line.slice(0, 20)}' (s: take a sample)`);
    process.stdout.write(JSON.stringify(cell.sample()) + '\n');
  }
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(message.trim().replace(/\s*\n\s*/g, ' ') + '\n');
  process.exitCode = 1;
}
