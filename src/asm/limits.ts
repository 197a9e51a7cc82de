// The assembler's bounds on its input, so that any source (a hostile one
// included) is assembled or refused in bounded time and memory. Each is
// documented in docs/assembler.md ("Limits").

/** The most one source file (the main source or an include) may hold, in bytes. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/** The most all source text read may add up to, counting a file each time it is included. */
export const MAX_TOTAL_SOURCE_BYTES = 8 * MAX_SOURCE_BYTES;

/** The most lines all source files read may add up to, counting a file each time it is included. */
export const MAX_TOTAL_SOURCE_LINES = 200_000;

/** How deep .include may nest (the main source is depth 1). */
export const MAX_INCLUDE_DEPTH = 32;

/** How many .include directives one assembly may follow. */
export const MAX_INCLUDES = 1000;

/** How deep macro expansions may nest. */
export const MAX_MACRO_DEPTH = 100;

/** Default bound on the lines all macro expansions together produce (--max-expansion overrides it). */
export const DEFAULT_MAX_EXPANSION_LINES = 100_000;

/** The expanded text may average this many characters a line: the byte bound is this times the line bound. */
export const EXPANSION_BYTES_PER_LINE = 64;
