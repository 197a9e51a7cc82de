// The ISA: imports nothing outside this folder; everything else imports from here.
export * from './arch.js';
export * from './registers.js';
export * from './table.js';
export * from './encoding.js';
export * from './semantics.js';
export * from './disasm.js';
