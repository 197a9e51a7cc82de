// A command that cannot be carried out: the session prints the message on one
// line and stays usable. Anything else thrown inside a command is a bug.

export class DebugError extends Error {
  override readonly name = 'DebugError';
}
