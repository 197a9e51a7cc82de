// Disassembler: an Image (or a flat binary) back to assembler source.
export { disassembleImage, disassembleRaw, type DisasmOptions } from './image.js';
export { isAssemblerName } from './labels.js';
