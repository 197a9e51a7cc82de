export { Interpreter, createInterpreter } from './interpreter.js';
export { generateSliceSource, undefinedCondition, undefinedMask, VARIANT } from './gen.js';
