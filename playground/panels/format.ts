// Number formats the panels share (pure: no DOM, tested under Node).

/** `0x0000100c`: addresses, words and register values are unsigned 32-bit. */
export function hex8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** `0c`: one byte. */
export function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}

/** `12,345` (cycles and counts; fractional cycles keep one decimal, as copyByte's half cycles add up). */
export function formatCount(n: number): string {
  const rounded = Number.isInteger(n) ? n : Math.round(n * 10) / 10;
  return rounded.toLocaleString('en-US');
}

/** `1.2k`, `3.4M` cycles for an axis label: short and unambiguous. */
export function shortCycles(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}G`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e3) return `${trim(n / 1e3)}k`;
  return trim(n);
}

function trim(n: number): string {
  return String(Number(n.toFixed(Math.abs(n) < 10 ? 2 : 1)));
}

/** An address typed by the user: hex, with or without `0x` (the panels show addresses in hex); undefined beyond 32 bits or not hex. */
export function parseAddress(text: string): number | undefined {
  const t = text.trim().toLowerCase().replace(/^0x/, '').replace(/_/g, '');
  if (!/^[0-9a-f]{1,8}$/.test(t)) return undefined;
  return parseInt(t, 16) >>> 0;
}
