// Node's global Buffer for the page's bundle (the assembler measures and decodes UTF-8 with it): esbuild
// injects this module wherever code names the global, so the browser gets the `buffer` package's.
export { Buffer } from 'buffer';
