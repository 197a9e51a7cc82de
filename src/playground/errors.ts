// A request the session cannot honour: its one-line message goes back to the
// page as the response's error (anything else thrown is a bug, reported as
// `internal error: ...`, and the worker still lives on). A program that does
// not assemble carries its diagnostics, for the editor.

import type { Diagnostic } from './protocol.js';

export class PlaygroundError extends Error {
  constructor(message: string, readonly detail?: { diagnostics: Diagnostic[] }) {
    super(message);
  }
}
