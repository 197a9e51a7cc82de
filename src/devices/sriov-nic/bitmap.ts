// One bit per VF for 64 VFs, as the PF's registers show it: two 32-bit words
// (word 0: VFs 0..31, word 1: VFs 32..63), the shape of igb's per-VF
// registers (VFRE, VFTE, MBVFICR, VFLRE, WVBR) widened past 32 VFs.

export class VfBitmap {
  private readonly words = new Uint32Array(2);

  has(vf: number): boolean {
    return vf >= 0 && vf < 64 && (this.words[vf >>> 5]! & (1 << (vf & 31))) !== 0;
  }

  set(vf: number, on = true): void {
    if (vf < 0 || vf >= 64) return;
    const bit = 1 << (vf & 31);
    const w = vf >>> 5;
    this.words[w] = on ? this.words[w]! | bit : this.words[w]! & ~bit;
  }

  word(k: number): number {
    return this.words[k] ?? 0;
  }

  setWord(k: number, v: number): void {
    if (k === 0 || k === 1) this.words[k] = v >>> 0;
  }

  /** Write 1 to clear. */
  clearWord(k: number, v: number): void {
    if (k === 0 || k === 1) this.words[k] = this.words[k]! & ~v;
  }

  /** The VFs whose bit is set, in order. */
  list(): number[] {
    const out: number[] = [];
    for (let vf = 0; vf < 64; vf++) if (this.has(vf)) out.push(vf);
    return out;
  }

  clear(): void {
    this.words.fill(0);
  }

  save(): [number, number] {
    return [this.words[0]!, this.words[1]!];
  }

  restore(s: readonly number[]): void {
    this.words[0] = s[0]! >>> 0;
    this.words[1] = s[1]! >>> 0;
  }
}
