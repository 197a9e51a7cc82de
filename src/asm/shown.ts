// Source text quoted in a message (a token, a name, a number), cut when long:
// the column already locates it, and a 300,000-character string or name
// should not make a one-line diagnostic 300 KB wide.

const MAX_SHOWN = 60;

export function shown(text: string): string {
  return text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN - 3)}...`;
}
