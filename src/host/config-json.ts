// A strict JSON parser (RFC 8259) that remembers where each value starts, so
// that an error in a host configuration, of syntax or of schema, is reported
// at its line:column. JSON.parse reports neither (Node 20 gives at most a
// character offset), and its duplicate keys silently keep the last one; here
// a duplicate key is an error.

export interface JsonPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export type JsonPath = readonly (string | number)[];

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(message: string, readonly position: JsonPosition) {
    super(message);
  }
}

export interface ParsedJson {
  value: unknown;
  /** Where the value at each path starts, keyed by formatJsonPath(path). */
  positions: Map<string, JsonPosition>;
}

/** Nesting beyond this is refused (the parser recurses; a configuration needs 4 levels). */
export const MAX_JSON_DEPTH = 64;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `vms[1].hw.ept`; keys that are not identifiers in brackets: `defines["a b"]`; the root is the empty string. */
export function formatJsonPath(path: JsonPath): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else if (IDENTIFIER.test(p)) s += s === '' ? p : `.${p}`;
    else s += `[${JSON.stringify(p)}]`;
  }
  return s;
}

/** A character as an error message shows it. */
function shown(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the file';
  if (ch === '\n') return 'a line break';
  const code = ch.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `character U+${code.toString(16).padStart(4, '0')}`;
  return `'${ch}'`;
}

class Parser {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  readonly positions = new Map<string, JsonPosition>();

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = this.lineStart = 1; // a byte-order mark
  }

  parse(): unknown {
    this.skipSpace();
    const value = this.value([], 0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${shown(this.peek())} after the value`);
    return value;
  }

  private here(): JsonPosition {
    return { line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private fail(message: string, at: JsonPosition = this.here()): never {
    throw new JsonSyntaxError(message, at);
  }

  private peek(): string | undefined {
    return this.pos < this.text.length ? this.text[this.pos] : undefined;
  }

  private skipSpace(): void {
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\r') this.pos++;
      else if (ch === '\n') {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else return;
    }
  }

  private value(path: (string | number)[], depth: number): unknown {
    if (depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.positions.set(formatJsonPath(path), this.here());
    const ch = this.peek();
    if (ch === '{') return this.object(path, depth);
    if (ch === '[') return this.array(path, depth);
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    if (ch === "'") this.fail("strings are in double quotes in JSON");
    return this.fail(`expected a value, got ${shown(ch)}`);
  }

  private object(path: (string | number)[], depth: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const keyAt = new Map<string, JsonPosition>();
    this.pos++; // {
    this.skipSpace();
    if (this.peek() === '}') {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipSpace();
      const at = this.here();
      if (this.peek() !== '"') this.fail(this.peek() === '}' ? "a comma before '}' (trailing commas are not JSON)" : `expected a property name in double quotes, got ${shown(this.peek())}`);
      const key = this.string();
      const first = keyAt.get(key);
      if (first) this.fail(`duplicate key ${JSON.stringify(key)} (first at ${first.line}:${first.column})`, at);
      keyAt.set(key, at);
      this.skipSpace();
      if (this.peek() !== ':') this.fail(`expected ':' after the property name, got ${shown(this.peek())}`);
      this.pos++;
      this.skipSpace();
      // defineProperty: a key "__proto__" is a property, as JSON.parse makes it, not the prototype.
      Object.defineProperty(obj, key, { value: this.value([...path, key], depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const next = this.peek();
      this.pos++;
      if (next === '}') return obj;
      if (next !== ',') {
        this.pos--;
        this.fail(`expected ',' or '}' after a property, got ${shown(next)}`);
      }
    }
  }

  private array(path: (string | number)[], depth: number): unknown[] {
    const arr: unknown[] = [];
    this.pos++; // [
    this.skipSpace();
    if (this.peek() === ']') {
      this.pos++;
      return arr;
    }
    for (;;) {
      this.skipSpace();
      if (this.peek() === ']') this.fail("a comma before ']' (trailing commas are not JSON)");
      arr.push(this.value([...path, arr.length], depth + 1));
      this.skipSpace();
      const next = this.peek();
      this.pos++;
      if (next === ']') return arr;
      if (next !== ',') {
        this.pos--;
        this.fail(`expected ',' or ']' after an element, got ${shown(next)}`);
      }
    }
  }

  private string(): string {
    this.pos++; // "
    let s = '';
    let start = this.pos;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) this.fail('unterminated string');
      const code = ch.charCodeAt(0);
      if (ch === '"') {
        s += this.text.slice(start, this.pos);
        this.pos++;
        return s;
      }
      if (code < 0x20) this.fail(`${shown(ch)} inside a string (escape it)`);
      if (ch !== '\\') {
        this.pos++;
        continue;
      }
      s += this.text.slice(start, this.pos);
      const esc = this.text[this.pos + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (esc !== undefined && esc in simple) {
        s += simple[esc];
        this.pos += 2;
      } else if (esc === 'u' && /^[0-9A-Fa-f]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
        s += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else {
        this.fail(`bad escape '\\${esc ?? ''}' in a string`);
      }
      start = this.pos;
    }
  }

  private number(): number {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) this.fail(`bad number starting with ${shown(this.peek())}`);
    const after = this.text[this.pos + m[0].length];
    if (after !== undefined && /[0-9A-Za-z_.]/.test(after)) this.fail(`bad number '${m[0]}${after}...'`);
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

/** The value of a JSON text and where each of its values starts; a syntax error throws JsonSyntaxError. */
export function parseJsonWithPositions(text: string): ParsedJson {
  const p = new Parser(text);
  const value = p.parse();
  return { value, positions: p.positions };
}
