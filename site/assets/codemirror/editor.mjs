// The cell editor of the site's chapter pages: CodeMirror 6 with Go, as
// small as it can be. build.sh bundles this file into ../editor.js, which
// run.js loads on the first Edit and calls through globalThis.NotebookEditor.
import { EditorView, keymap, lineNumbers, drawSelection, highlightActiveLine } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, indentOnInput, bracketMatching, indentUnit } from "@codemirror/language";
import { classHighlighter } from "@lezer/highlight";
import { go } from "@codemirror/lang-go";

// create makes an editor of a cell's code in parent. onRun(stay) runs the
// cell: Shift+Enter moves on to the next cell (stay false), Ctrl+Enter
// (or Cmd+Enter) stays. Tab indents; Escape then Tab leaves the editor, as
// CodeMirror's accessible default has it.
function create({ parent, doc, label, onChange, onRun }) {
  const run = (stay) => () => { onRun(stay); return true; };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        indentUnit.of("\t"),
        EditorState.tabSize.of(4),
        go(),
        // Classes (tok-keyword ...), coloured by run.css with the site's
        // own highlighting colours, in both themes.
        syntaxHighlighting(classHighlighter),
        keymap.of([
          { key: "Shift-Enter", run: run(false) },
          { key: "Mod-Enter", run: run(true) },
          indentWithTab,
          ...defaultKeymap,
          ...historyKeymap,
        ]),
        // Long lines wrap, as the page's outputs do: a phone has no width
        // to scroll in, and a scrolling box would need a tab stop of its own.
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
      ],
    }),
  });
  return {
    view,
    code: () => view.state.doc.toString(),
    setCode(text) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }); },
    focus() { view.focus(); },
    destroy() { view.destroy(); },
  };
}

globalThis.NotebookEditor = { create };
