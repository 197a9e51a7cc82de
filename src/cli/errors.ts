// The failures main() turns into `virtlab: <message>` lines and exit codes.

/** A failure to report on one line; exit code 1 unless given. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** Bad command-line usage: exit code 2, like commander's own usage errors. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Ends a command with an exit code and nothing more to say (e.g. `run` passing on the guest's halt code). */
export class ExitStatus extends Error {
  constructor(readonly exitCode: number) {
    super(`exit status ${exitCode}`);
  }
}
