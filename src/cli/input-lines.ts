// The lines of a stream (the debugger's commands on piped standard input),
// with a bound on a line's length so that input with no newline, such as
// /dev/zero, ends in one error line instead of filling memory; a read error
// (standard input is a directory) is one CliError line too.

import { CliError } from './errors.js';
import { fsReason } from './files.js';

/** The longest line taken; the debugger itself refuses commands much shorter (src/debug/commands.ts). */
export const MAX_INPUT_LINE = 1024 * 1024;

export async function* inputLines(stream: NodeJS.ReadableStream, what = 'standard input', maxLine = MAX_INPUT_LINE): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  const lines: string[] = [];
  const iterator = stream[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<string | Buffer>;
    try {
      next = await iterator.next();
    } catch (e) {
      throw new CliError(`cannot read ${what}: ${fsReason(e)}`);
    }
    if (next.done) break;
    const chunk = next.value;
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
    if (pending.length > maxLine) {
      await iterator.return?.();
      throw new CliError(`cannot read ${what}: a line longer than ${maxLine} characters`);
    }
    while (lines.length > 0) yield lines.shift()!.replace(/\r$/, '');
  }
  pending += decoder.decode();
  if (pending !== '') yield pending.replace(/\r$/, '');
}
