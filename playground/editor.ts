// The guest-assembly editor: CodeMirror 6 with the virtlab highlighter, the assembler's diagnostics inline,
// a breakpoint gutter (click a line number's left margin) and the line the selected VM's pc is on.
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { EditorState, RangeSet, StateEffect, StateField, type Extension } from '@codemirror/state';
import {
  Decoration,
  EditorView,
  GutterMarker,
  drawSelection,
  gutter,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  type DecorationSet,
} from '@codemirror/view';
import type { Diagnostic } from '../src/playground/protocol.js';
import { virtlabAsm } from './asm-language.js';

const setBreakLines = StateEffect.define<readonly number[]>();
const setPc = StateEffect.define<number | null>();

class BreakMarker extends GutterMarker {
  override toDOM(): Node {
    const dot = document.createElement('span');
    dot.className = 'bp-dot';
    dot.textContent = '●';
    return dot;
  }
}
const breakMarker = new BreakMarker();

/** Breakpoint markers by line, set from outside (the app knows which lines really got a breakpoint). */
const breakField = StateField.define<RangeSet<GutterMarker>>({
  create: () => RangeSet.empty,
  update(set, tr) {
    set = set.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setBreakLines)) continue;
      const doc = tr.state.doc;
      const lines = [...new Set(effect.value)].filter((l) => l >= 1 && l <= doc.lines).sort((a, b) => a - b);
      set = RangeSet.of(lines.map((l) => breakMarker.range(doc.line(l).from)));
    }
    return set;
  },
});

const pcLine = Decoration.line({ class: 'cm-pc-line' });
const pcField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setPc)) continue;
      const line = effect.value;
      deco = line === null || line < 1 || line > tr.state.doc.lines ? Decoration.none : Decoration.set([pcLine.range(tr.state.doc.line(line).from)]);
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

export interface EditorHooks {
  /** A click in the breakpoint gutter on a 1-based line. */
  onGutterClick(line: number): void;
  /** The text changed (the app forgets the assembled image). */
  onChange(): void;
}

export class PlaygroundEditor {
  readonly view: EditorView;

  constructor(parent: HTMLElement, hooks: EditorHooks) {
    const breakGutter = gutter({
      class: 'cm-breakpoint-gutter',
      markers: (v) => v.state.field(breakField),
      initialSpacer: () => breakMarker,
      domEventHandlers: {
        mousedown(view, block) {
          hooks.onGutterClick(view.state.doc.lineAt(block.from).number);
          return true;
        },
      },
    });
    const extensions: Extension = [
      breakField,
      pcField,
      breakGutter,
      lineNumbers(),
      lintGutter(),
      highlightActiveLineGutter(),
      highlightActiveLine(),
      drawSelection(),
      history(),
      keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
      virtlabAsm(),
      // Long comment lines wrap: the column is narrow beside the panels.
      EditorView.lineWrapping,
      EditorView.updateListener.of((u) => {
        if (u.docChanged) hooks.onChange();
      }),
    ];
    this.view = new EditorView({ state: EditorState.create({ doc: '', extensions }), parent });
  }

  text(): string {
    return this.view.state.doc.toString();
  }

  setText(text: string): void {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  /** The assembler's diagnostics of `file` at their line and column (others belong to included files). */
  showDiagnostics(diagnostics: readonly Diagnostic[], file: string): void {
    const doc = this.view.state.doc;
    const marks: CmDiagnostic[] = [];
    for (const d of diagnostics) {
      if (d.file !== file) continue;
      const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
      const from = Math.min(line.from + Math.max(d.column - 1, 0), line.to);
      // Underline the word the column points at (at least one character, when the line has one).
      const rest = doc.sliceString(from, line.to);
      const word = /^[\w.$]+/.exec(rest)?.[0].length ?? 1;
      marks.push({ from, to: Math.min(from + word, line.to), severity: d.severity, message: `${d.line}:${d.column}: ${d.message}` });
    }
    this.view.dispatch(setDiagnostics(this.view.state, marks));
  }

  setBreakpoints(lines: readonly number[]): void {
    this.view.dispatch({ effects: setBreakLines.of(lines) });
  }

  /** Marks the line the pc is on (null: none), scrolling it into view. */
  setPcLine(line: number | null): void {
    const doc = this.view.state.doc;
    const effects: StateEffect<unknown>[] = [setPc.of(line)];
    if (line !== null && line >= 1 && line <= doc.lines) effects.push(EditorView.scrollIntoView(doc.line(line).from, { y: 'center' }));
    this.view.dispatch({ effects });
  }
}
