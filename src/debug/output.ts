// One ordered stream for debugger text and guest console output: both go to
// the sink as they are produced, and each command's share is also collected
// so a caller (or a test) gets exactly what that command printed.

export class Output {
  private collected = '';
  private atLineStart = true;
  private readonly decoder = new TextDecoder();

  constructor(private readonly sink?: (text: string) => void) {}

  /** Debugger text: starts on a fresh line even if the guest left one unfinished. */
  text(s: string): void {
    if (s === '') return;
    if (!this.atLineStart) this.emit('\n');
    this.emit(s.endsWith('\n') ? s : s + '\n');
  }

  /** Guest console bytes, as they are. */
  guest(bytes: Uint8Array): void {
    this.emit(this.decoder.decode(bytes, { stream: true }));
  }

  /** What was printed since the last take(). */
  take(): string {
    const s = this.collected;
    this.collected = '';
    return s;
  }

  private emit(s: string): void {
    if (s === '') return;
    this.collected += s;
    this.atLineStart = s.endsWith('\n');
    this.sink?.(s);
  }
}
