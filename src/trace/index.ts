// Trace records, their text and JSONL forms, sinks, and the tracer (docs/trace.md).
export * from './records.js';
export * from './symbolizer.js';
export * from './convert.js';
export * from './format.js';
export * from './format-text.js';
export * from './sink.js';
export * from './tracer.js';
export * from './host-format.js';
export * from './host-tracer.js';
export * from './host-frames.js';
export * from './sriov-tap.js';
