// The bare machine: state, memory, MMU/TLB, bus, traps, loader, snapshots.
export * from './machine.js';
export * from './cpu.js';
export * from './memory.js';
export * from './journal.js';
export * from './tlb.js';
export * from './mmu.js';
export * from './bus.js';
export * from './device.js';
export * from './counters.js';
export * from './events.js';
export * from './stop.js';
export * from './trap.js';
export * from './loader.js';
export * from './fetch-window.js';
