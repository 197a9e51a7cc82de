// The one error type of the ELF reader and writer: a one-line message that
// names the file and the problem, so the CLI can print it as it stands.

export class ElfError extends Error {
  override readonly name = 'ElfError';
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
  }
}
