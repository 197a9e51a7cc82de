// A string table (.strtab, .shstrtab): NUL-terminated names, offset 0 is "".

const utf8 = new TextEncoder();

export class StringTable {
  private readonly offsets = new Map<string, number>([['', 0]]);
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;

  /** Offset of `name`, adding it on first use. */
  add(name: string): number {
    let off = this.offsets.get(name);
    if (off === undefined) {
      off = this.size;
      const bytes = utf8.encode(name + '\0');
      this.parts.push(bytes);
      this.size += bytes.length;
      this.offsets.set(name, off);
    }
    return off;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}
