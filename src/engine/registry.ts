// The engines by name, for `--engine` and the benchmark suites. Every engine
// runs every mode (a monitor meets it only at the machine's trap hook), so a
// comparison between engines is a comparison of engines alone.

import type { Machine } from '../machine/machine.js';
import type { Engine } from './engine.js';
import { createInterpreter } from './interp/index.js';
import { createJit } from './jit/index.js';

export const ENGINE_NAMES = ['interp', 'jit'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export const ENGINE_FACTORIES: Record<EngineName, (machine: Machine) => Engine> = {
  interp: createInterpreter,
  jit: createJit,
};

export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}
