// Public API of the assembler.
export { assemble, assembleFile, type AssembleOptions, type AssembleResult } from './assemble.js';
export { formatDiagnostic, type Diagnostic } from './diagnostics.js';
export { formatListing, type ListingLine } from './listing.js';
export { PSEUDOS, type PseudoDef } from './pseudo.js';
export { DIRECTIVE_NAMES } from './directives.js';
