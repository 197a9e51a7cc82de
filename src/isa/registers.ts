// General registers: r0..r15, with the ABI names of the calling convention
// (docs/isa.md, "Calling convention"). r0 always reads as zero.

export const ABI_NAMES = [
  'zero', // r0  hard-wired zero
  'ra', //   r1  return address (jal/call write it)
  'sp', //   r2  stack pointer, grows down, word aligned
  'fp', //   r3  frame pointer (callee-saved)
  'a0', //   r4  argument 0 / return value
  'a1', //   r5  argument 1 / second return value
  'a2', //   r6
  'a3', //   r7
  't0', //   r8  temporaries (caller-saved)
  't1', //   r9
  't2', //   r10
  't3', //   r11
  's0', //   r12 saved (callee-saved)
  's1', //   r13
  's2', //   r14
  'at', //   r15 assembler temporary: pseudo-instructions may clobber it
] as const;

const BY_NAME = new Map<string, number>();
ABI_NAMES.forEach((name, i) => {
  BY_NAME.set(name, i);
  BY_NAME.set(`r${i}`, i);
});

/** Register number for `r7`, `a3`, ... (case-insensitive), or undefined. */
export function regNumber(name: string): number | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function regName(n: number): string {
  return ABI_NAMES[n] ?? `r${n}`;
}

export const REG = Object.fromEntries(ABI_NAMES.map((n, i) => [n, i])) as Record<(typeof ABI_NAMES)[number], number>;
