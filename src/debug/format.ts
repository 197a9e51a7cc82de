// Number formats shared by every debugger view.

/** 0x0000abcd: always eight digits, unsigned. */
export function hex8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** "0x00000005 (5)": a value as `print` and reports show it (decimal is signed). */
export function valueText(n: number): string {
  return `${hex8(n)} (${n | 0})`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `exit code 3`, or `halt 5041 (exit code 177)` when the value halt was given is not the exit code `virtlab run` gives (its low 8 bits). */
export function haltText(code: number): string {
  const exit = code & 0xff;
  return (code | 0) === exit ? `exit code ${exit}` : `halt ${code | 0} (exit code ${exit})`;
}
