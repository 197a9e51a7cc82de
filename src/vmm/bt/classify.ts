// How each table row is translated, derived from the row itself (klass and
// semantics), never from a list of mnemonics.

import type { InsnDef, SystemOp } from '../../isa/index.js';
import type { Treatment } from './unit.js';

/**
 * Which system operations may leave the straight line (raise a trap, return
 * from one, stop or wait). A Record over SystemOp, so a new operation in the
 * table does not compile until someone decides.
 */
const SYSTEM_ENDS_UNIT: Record<SystemOp, boolean> = {
  syscall: true, brk: true, hcall: true, rett: true, halt: true, wfi: true,
  rdflags: false, wrflags: false, rdtvec: false, rdptbr: false,
  mfcr: false, mtcr: false, in: false, out: false, tlbi: false, tlbia: false, cli: false, sti: false,
};

/** True if the instruction can transfer control anywhere but the next word. */
export function isControlFlow(def: InsnDef): boolean {
  switch (def.sem.kind) {
    case 'branch': case 'jal': case 'jalr': return true;
    case 'system': return SYSTEM_ENDS_UNIT[def.sem.op];
    default: return false;
  }
}

export function classify(def: InsnDef): Treatment {
  if (isControlFlow(def)) return 'control';
  // Only innocuous rows may run unchanged; everything else acts on the virtual CPU.
  if (def.klass !== 'innocuous') return 'emulate';
  if (def.sem.kind === 'auipc') return 'pc-relative';
  // An innocuous system operation that stays on the straight line would still
  // behave differently inside the translation cache: emulate it to be safe.
  if (def.sem.kind === 'system') return 'emulate';
  return 'ident';
}
