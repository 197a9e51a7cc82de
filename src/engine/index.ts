// Engines execute a Machine; see engine.ts for the interface.
export type { Engine, RunResult, Stop } from './engine.js';
export { Interpreter, createInterpreter } from './interp/index.js';
export { ENGINE_NAMES, ENGINE_FACTORIES, isEngineName, type EngineName } from './registry.js';
