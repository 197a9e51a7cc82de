// The stack of open .if/.ifdef/.ifndef blocks of one file or macro expansion.
// Methods return an error message for a misplaced directive, else undefined.

import type { SourceLine } from './source.js';

interface Cond {
  line: SourceLine;
  pos: number;
  name: string; // .if, .ifdef or .ifndef as written
  active: boolean; // lines are assembled now
  taken: boolean; // some branch was chosen, or none may be any more
  parentActive: boolean;
  sawElse: boolean;
}

export class Conditionals {
  private readonly stack: Cond[] = [];

  /** Whether lines are assembled at this point. */
  get active(): boolean {
    return this.stack.length === 0 || this.stack[this.stack.length - 1]!.active;
  }

  /**
   * Open a block. `value` is the condition (undefined if it could not be
   * evaluated: then no branch is assembled, so errors do not cascade).
   */
  open(line: SourceLine, pos: number, name: string, value: number | undefined): void {
    const parentActive = this.active;
    const on = parentActive && value !== undefined && value !== 0;
    this.stack.push({ line, pos, name, active: on, taken: !parentActive || value === undefined || on, parentActive, sawElse: false });
  }

  /** Whether an .elif here needs its condition evaluated (it could be chosen). */
  get elifMayTake(): boolean {
    const top = this.stack[this.stack.length - 1];
    return !!top && !top.sawElse && !top.taken;
  }

  elif(value: number | undefined): string | undefined {
    const top = this.stack[this.stack.length - 1];
    if (!top) return '.elif without .if';
    if (top.sawElse) {
      top.active = false;
      return '.elif after .else';
    }
    if (top.taken) {
      top.active = false;
      return undefined;
    }
    top.active = value !== undefined && value !== 0;
    top.taken = value === undefined || top.active;
    return undefined;
  }

  else(): string | undefined {
    const top = this.stack[this.stack.length - 1];
    if (!top) return '.else without .if';
    if (top.sawElse) {
      top.active = false;
      return '.else after .else';
    }
    top.sawElse = true;
    top.active = top.parentActive && !top.taken;
    top.taken = true;
    return undefined;
  }

  endif(): string | undefined {
    if (!this.stack.pop()) return '.endif without .if';
    return undefined;
  }

  /** Blocks still open: each is an "unterminated conditional". */
  unclosed(): readonly { line: SourceLine; pos: number; name: string }[] {
    return this.stack;
  }
}
