export { createJit, JitEngine, type JitStats } from './jit.js';
export { compileRegion, type RegionSource } from './compile.js';
export { formRegion, type RegionBlock } from './region.js';
