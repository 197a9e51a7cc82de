// `virtlab bt-dump`: run a program under binary translation (--mode bt) and
// print the translation units the run left in the cache, in guest-address
// order: each guest instruction beside its translation, IDENT / non-IDENT
// marked, with the unit's frame, paging mode, TC address and chains
// (docs/bt-dump.md).
//
// The guest's console output goes to stderr, as under `trace`, so that stdout
// holds only the dump (a file or a pager gets nothing else); with --json it is
// captured into the object's `console` field instead, as `run --json` does.
// The exit status is 0 whenever the dump was printed, however the guest
// stopped (a budget cut short is a normal way to look at early translations);
// the header says how it stopped.

import type { Command } from 'commander';
import { Symbolizer } from '../trace/index.js';
import { btCache, collectUnits, totalsOf, unitContains, UnitHistory } from './bt-dump-collect.js';
import { dumpJson, formatDumpText, type DumpReport } from './bt-dump-format.js';
import { resolveCodeAddress } from './code-address.js';
import { UsageError, type CliContext } from './context.js';
import { addMachineOptions, hideOptions, machineFromOptions, type MachineOptionValues } from './machine-options.js';
import { loadProgram } from './program.js';
import { addAssemblerOptions, collectAssemblerOptions } from './assembler-options.js';

interface BtDumpOpts extends MachineOptionValues {
  pc?: string;
  json?: boolean;
  allUnits?: boolean;
  define?: string[];
}

/** `virtlab bt-dump` (a --pc is a symbol of the program, or a 4-aligned address). */
export function registerBtDump(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('bt-dump')
    .description('run a program under binary translation and print every translation unit: guest code beside its translation')
    .argument('<program>', 'ELF image, or assembler source (.s) to assemble first')
    .option('--pc <addr|symbol>', 'only the units whose guest code contains this address')
    .option('--json', 'print one JSON object (totals, units with guest insns, words, treatment, callouts, chains) on stdout')
    .option('--all-units', 'also show the units invalidated or flushed during the run');
  addMachineOptions(addAssemblerOptions(cmd), { engineHelp: 'what executes guest instructions: interp, the reference interpreter; jit, which compiles hot code to JavaScript (the dump is the same)' });
  // The mode is bt by definition and the cost model prices nothing here: accepted
  // (`--mode bt` is harmless) but kept out of the help, as are --no-ept and
  // --no-vpid, which apply to --mode hw only (refused with that reason).
  hideOptions(cmd, '--mode', '--cost-model', '--no-ept', '--no-vpid', '--no-posted-interrupts');
  cmd.action((file: string, opts: BtDumpOpts) => {
    if (cmd.getOptionValueSource('mode') !== 'default' && opts.mode !== 'bt') {
      throw new UsageError(`bt-dump always runs the guest under bt; drop --mode ${opts.mode}`);
    }
    const source = collectAssemblerOptions(ctx, opts, file);
    const image = loadProgram(ctx, file, source.defines, source);
    const symbols = new Symbolizer(image);
    const pc = opts.pc === undefined ? undefined : resolveCodeAddress('--pc', opts.pc, symbols);
    const { vm, engine, maxSteps } = machineFromOptions(ctx, image, { ...opts, mode: 'bt' }, opts.json ? 'capture' : 'stderr');
    const cache = btCache(vm.monitor);
    // A bug if it happens: main() reports it as an internal error.
    if (!vm.monitor || !cache) throw new Error('the VM has no translation cache under bt');
    const history = opts.allUnits ? new UnitHistory(vm.monitor, cache) : undefined;
    const { stop } = engine.run(maxSteps);
    history?.detach();
    const all = collectUnits(cache, history);
    const units = pc === undefined ? all : all.filter((u) => unitContains(u, pc));
    const report: DumpReport = {
      program: file, stop, steps: vm.machine.counters.steps, maxSteps,
      ...(pc === undefined ? {} : { pc }),
      scope: opts.allUnits ? 'all' : 'cache', inScope: all.length,
      units, totals: totalsOf(units), run: { ...vm.monitor.counters },
      ...(opts.json ? { console: vm.consoleText() } : {}),
    };
    ctx.io.out(opts.json ? JSON.stringify(dumpJson(report, symbols)) + '\n' : formatDumpText(report, symbols));
  });
}
