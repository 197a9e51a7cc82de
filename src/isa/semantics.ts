// Helpers that the table's semantic expressions may call as `H.name(...)`.
// Executors pass this object into the code they generate from the table.

export const H = {
  /** High 32 bits of the signed 64-bit product. */
  mulh(a: number, b: number): number {
    return Number((BigInt(a | 0) * BigInt(b | 0)) >> 32n) | 0;
  },
  /** High 32 bits of the unsigned 64-bit product. */
  mulhu(a: number, b: number): number {
    return Number((BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n) | 0;
  },
};
export type Helpers = typeof H;

/** Compile a table expression over int32 `a`, `b` into a function (used by executors and tests). */
export function compileExpr(expr: string): (a: number, b: number) => number {
  return new Function('H', `return function (a, b) { return ${expr}; };`)(H) as (a: number, b: number) => number;
}
