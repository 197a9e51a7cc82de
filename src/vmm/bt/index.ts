// Binary translation (VMware style): the pure translator. See translate.ts.
export * from './unit.js';
export { classify, isControlFlow } from './classify.js';
export { hcallWord, loadConstWords, chainJumpWord } from './emit.js';
export { translateUnit, DEFAULT_MAX_INSNS, type TranslateOptions, type FetchWord } from './translate.js';
export { unitCounts, guestPcAtWord, type UnitCounts } from './counts.js';
export { formatUnit, describeCallout } from './format.js';
