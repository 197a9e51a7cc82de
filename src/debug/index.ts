// The stepping debugger as a library: a session driven by command strings.
export { DebugSession, DEFAULT_SESSION_MAX_STEPS, type CommandResult, type DebugSessionOptions, type HostSessionOptions } from './session.js';
export { COMMANDS, isRepeatable } from './commands.js';
export { DebugError } from './errors.js';
export { DEFAULT_HISTORY, History } from './history.js';
export { evaluate, parseExpr, type Expr, type ExprEnv, type NameScope } from './expr.js';
export { SymbolTable, type SourceReader } from './symbols.js';
