// Pass 1: receives the preprocessed lines, defines labels and constants,
// expands pseudo-instructions and fixes the size of every statement.

import { MNEMONICS, lookupMnemonic, regNumber } from '../isa/index.js';
import type { Expr, Label, Statement } from './ast.js';
import { DIRECTIVE_NAMES, handleDirective } from './directives.js';
import { checkOperands, describeOperand, isValue, registerOf } from './operands.js';
import type { LineAction, PreprocessSink } from './preprocess.js';
import { PSEUDO_NAMES, lookupPseudo, type PlannedInsn, type PseudoDef } from './pseudo.js';
import { shown } from './shown.js';
import type { AsmState, Stmt } from './state.js';
import type { SourceLine } from './source.js';
import { didYouMean } from './suggest.js';

/** One line of the listing; `stmt` is absent for lines that assemble nothing. */
export interface ListingEntry {
  line: SourceLine;
  stmt?: Stmt;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

export class Pass1 implements PreprocessSink {
  readonly listing: ListingEntry[] = [];
  /** Names of macros, for suggestions; set once the preprocessor exists. */
  macroNames: () => Iterable<string> = () => [];

  constructor(private readonly st: AsmState) {}

  line(line: SourceLine, action: LineAction): void {
    if (action.kind === 'passive') {
      this.listing.push({ line });
      return;
    }
    const labels = action.kind === 'labels' ? action.labels : action.parsed.labels;
    const stmt = this.newStmt(line, labels.length > 0);
    this.listing.push({ line, stmt });
    for (const label of labels) this.defineLabel(stmt, label);
    if (action.kind === 'statement' && action.parsed.statement) this.statement(stmt, action.parsed.statement);
  }

  condition(line: SourceLine, expr: Expr): number | undefined {
    // A transient statement at the current location, for `.` and local labels.
    const sec = this.st.sections.current;
    const here: Stmt = { line, index: this.st.stmts.length, section: sec.name, offset: sec.loc, size: 0, item: { kind: 'none' }, hasLabels: false, unit: 1 };
    return this.st.evaluate(expr, 'now', here);
  }

  isDefined(name: string): boolean {
    return this.st.symbols.get(name) !== undefined;
  }

  private newStmt(line: SourceLine, hasLabels: boolean): Stmt {
    const sec = this.st.sections.current;
    const stmt: Stmt = { line, index: this.st.stmts.length, section: sec.name, offset: sec.loc, size: 0, item: { kind: 'none' }, hasLabels, unit: 1 };
    this.st.stmts.push(stmt);
    return stmt;
  }

  private defineLabel(stmt: Stmt, label: Label): void {
    const { st } = this;
    if (label.local) {
      if (!/^[0-9]+$/.test(label.name)) return st.report(stmt, label.pos, `local label must be a decimal number, got '${shown(label.name)}'`);
      st.locals.define(parseInt(label.name, 10), stmt.index, stmt.section, stmt.offset);
      return;
    }
    if (regNumber(label.name) !== undefined) return st.report(stmt, label.pos, `${label.name} is a register name; it cannot be a label`);
    if (label.name === '.') return st.report(stmt, label.pos, "'.' is the current address; it cannot be a label");
    const err = st.symbols.defineLabel(label.name, stmt.section, stmt.offset, { file: stmt.line.file, line: stmt.line.line });
    if (err) st.report(stmt, label.pos, err);
  }

  private statement(stmt: Stmt, s: Statement): void {
    const { st } = this;
    if (s.name.startsWith('.')) {
      if (!handleDirective(st, stmt, s)) {
        st.report(stmt, s.pos, `unknown directive '${shown(s.name)}'${didYouMean(s.name, DIRECTIVE_NAMES)}`);
      }
      return;
    }
    const def = lookupMnemonic(s.name);
    if (def) {
      const ok = checkOperands(def, s.operands, s.pos, (pos, msg) => st.report(stmt, pos, msg));
      return this.instructions(stmt, s, ok ? [{ def, operands: s.operands }] : undefined, 1);
    }
    const pseudo = lookupPseudo(s.name);
    if (pseudo) return this.pseudo(stmt, s, pseudo);
    const names = () => [...MNEMONICS, ...PSEUDO_NAMES, ...DIRECTIVE_NAMES, ...this.macroNames()];
    st.report(stmt, s.pos, `unknown mnemonic '${shown(s.name)}'${st.didYouMean(s.name, names)}`);
  }

  private pseudo(stmt: Stmt, s: Statement, p: PseudoDef): void {
    const { st } = this;
    const report = (pos: number, msg: string) => st.report(stmt, pos, msg);
    if (s.operands.length !== p.operands.length) {
      const syntax = p.operands.map((o) => o.name).join(', ');
      const want = `${p.operands.length} operand${p.operands.length === 1 ? '' : 's'}${syntax ? ` (${syntax})` : ''}`;
      const at = s.operands.length > p.operands.length ? s.operands[p.operands.length]!.pos : s.pos;
      return report(at, `${p.name} expects ${want}, got ${s.operands.length}`);
    }
    let ok = true;
    p.operands.forEach((spec, i) => {
      const op = s.operands[i]!;
      if (spec.kind === 'reg' && registerOf(op) === undefined) {
        report(op.pos, `expected a register, got ${describeOperand(op)}`);
        ok = false;
      } else if (spec.kind !== 'reg' && !isValue(op)) {
        report(op.pos, `expected ${spec.kind === 'target' ? 'a branch target' : 'an expression'}, got ${describeOperand(op)}`);
        ok = false;
      }
    });
    if (!ok) return;
    const plans = p.expand(s.operands, s.pos, { knownValue: (e) => st.evaluate(e, 'guess', stmt) });
    const shapesOk = plans.every((plan) => checkOperands(plan.def, plan.operands, s.pos, report));
    this.instructions(stmt, s, shapesOk ? plans : undefined, plans.length);
  }

  /** Record instruction words; `plans` undefined means the operands were wrong (size kept, nothing emitted). */
  private instructions(stmt: Stmt, s: Statement, plans: PlannedInsn[] | undefined, words: number): void {
    const { st } = this;
    const sec = st.sections.current;
    if (sec.name === '.bss') return st.report(stmt, s.pos, 'instructions are not allowed in .bss (only .space and .align)');
    const addr = (sec.base ?? 0) + sec.loc;
    if (addr % 4 !== 0) {
      const where = sec.base === undefined ? `offset ${hex(sec.loc)} of ${sec.name}` : `address ${hex(addr)}`;
      st.report(stmt, s.pos, `instruction at misaligned ${where} (use .align 4)`);
    }
    stmt.size = 4 * words;
    stmt.unit = 4;
    if (plans) stmt.item = { kind: 'insns', insns: plans };
    st.sections.advance(stmt.size);
  }
}
