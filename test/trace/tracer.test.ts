import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import { createInterpreter } from '../../src/engine/interp/index.js';
import { loadImage, Machine } from '../../src/machine/index.js';
import { fileSink, memorySink, Symbolizer, traceRun, type EventKind, type TraceFormat } from '../../src/trace/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'virtlab-trace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TIMER = new URL('../../guests/exceptions/timer.s', import.meta.url).pathname;
const timerImage: Image = assembleFile(TIMER).image!;

function trace(opts: { format?: TraceFormat; events?: EventKind[]; limit?: number; startAt?: number; maxSteps?: number } = {}) {
  const machine = new Machine();
  loadImage(machine, timerImage);
  const engine = createInterpreter(machine);
  const sink = memorySink();
  const result = traceRun({
    engine, symbolizer: new Symbolizer(timerImage), sink, format: opts.format ?? 'jsonl', maxSteps: opts.maxSteps ?? 1_000_000,
    ...(opts.events ? { events: new Set(opts.events) } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.startAt !== undefined ? { startAt: opts.startAt } : {}),
  });
  return { machine, result, lines: sink.lines };
}

describe('traceRun', () => {
  const full = trace();

  test('a whole run: every step recorded, the machine halted, the observer detached', () => {
    expect(full.result).toMatchObject({ stop: { kind: 'halted', code: 0 }, limitReached: false, started: true });
    expect(full.result.records).toBe(full.lines.length);
    const steps = new Set(full.lines.map((l) => (JSON.parse(l) as { step: number }).step));
    expect(steps.size).toBe(full.machine.counters.steps); // every step gave at least one record
    expect(full.machine.observer).toBeUndefined();
  });

  test('--start-at gives exactly the tail of the full trace from the first record at that pc', () => {
    const handler = timerImage.symbols.find((s) => s.name === 'handler')!.value;
    const part = trace({ startAt: handler });
    const first = full.lines.findIndex((l) => l.includes(`"type":"insn"`) && (JSON.parse(l) as { pc: number }).pc === handler);
    expect(first).toBeGreaterThan(0);
    expect(part.lines).toEqual(full.lines.slice(first));
    expect(part.machine.breakpoints.size).toBe(0); // the start breakpoint is gone again
  });

  test('--start-at the loop the first interrupt lands in: the interrupt is recorded first', () => {
    // An address reached only once the timer is running: the wait loop `1: j 1b`.
    const loop = JSON.parse(full.lines.find((l) => l.includes('"type":"interrupt"'))!) as { epc: number };
    const part = trace({ startAt: loop.epc });
    expect(JSON.parse(part.lines[0]!)).toMatchObject({ type: 'insn', pc: loop.epc });
  });

  test('--limit stops the guest after exactly N records', () => {
    const r = trace({ limit: 10 });
    expect(r.lines).toEqual(full.lines.slice(0, 10));
    expect(r.result).toMatchObject({ limitReached: true, records: 10, stop: { kind: 'requested' } });
    expect(r.machine.stopped).toBeUndefined(); // it did not halt: it was stopped
  });

  test('a limit reached on the halting step reports the halt', () => {
    const r = trace({ events: ['insn'], limit: full.lines.filter((l) => /"type":"(insn|halt)"/.test(l)).length });
    expect(r.result.stop).toMatchObject({ kind: 'halted', code: 0 });
  });

  test('--events filters by kind; the budget bounds the traced run', () => {
    const r = trace({ events: ['interrupt'] });
    expect(r.lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['interrupt', 'interrupt', 'interrupt']);
    const short = trace({ maxSteps: 50, format: 'text' });
    expect(short.result.stop.kind).toBe('budget');
    expect(short.lines.at(-1)).toBe('-- step budget used up after 50 steps');
  });

  test('a file sink writes the same lines', () => {
    const path = join(tmp, 'timer.jsonl');
    const machine = new Machine();
    loadImage(machine, timerImage);
    const sink = fileSink(path);
    traceRun({ engine: createInterpreter(machine), symbolizer: new Symbolizer(timerImage), sink, format: 'jsonl', maxSteps: 1e6 });
    sink.close();
    expect(readFileSync(path, 'utf8')).toBe(full.lines.join('\n') + '\n');
  });
});
