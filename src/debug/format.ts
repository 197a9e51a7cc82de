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
