export { JitEngine, createJit, type JitStats } from './jit.js';
export { compileBlock, type BlockSource } from './compile.js';
