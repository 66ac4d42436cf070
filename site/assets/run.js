// The chapter page's notebook: a toolbar (Run all, Restart, Console), a
// Run button per cell, an editor per cell, the live outputs in place of
// the recorded ones, and the Redis console in a drawer. The cells run in
// the reader's browser, in a Web Worker (worker.js) that runs the
// chapter's program built for WebAssembly; nothing is fetched until the
// first Run, and the editor (editor.js, CodeMirror) not until the first
// Edit. Edits stay in this browser (localStorage), never in the chapter's
// file. Under runner serve an edited chapter runs on the server (/_run);
// on a static site, when the page has the in-page compiler
// (NotebookCompiler), in this tab. The page's script tag carries the
// settings (data-*), written by site/wasm.go.
"use strict";
(() => {
  const conf = document.querySelector("script[data-program]");
  if (!conf) return;
  const cells = JSON.parse(conf.dataset.cells); // [{cell, timeout (s), unordered}]
  const chapterName = conf.dataset.chapter;
  const mb = (n) => (n / 1e6).toFixed(1) + " MB";
  const url = (p) => new URL(p, document.baseURI).href;
  const cellEl = (n) => document.getElementById("cell-" + n);

  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = conf.dataset.css;
  document.head.appendChild(link);

  const serve = conf.hasAttribute("data-serve");
  // Editing needs something to compile the edits: serve, or the in-page
  // compiler.
  const canEdit = serve || !!conf.dataset.compile || !!globalThis.NotebookCompiler;
  const edits = new Map();     // cell -> edited code (differs from the chapter's)
  const originals = new Map(); // cell -> the chapter's code
  const codeBlocks = new Map(); // cell -> the chapter's highlighted <pre>
  const editors = new Map();   // cell -> an open editor
  let worker = null;
  let workerEdits = ""; // the edits the worker's program was built with ("" : the chapter's)
  let state = "idle"; // idle, loading, ready, dead, panicked
  let ranUpTo = 0;    // highest cell asked for
  let current = 0, timer = 0, ticker = 0;
  let where = "in this tab"; // where the outputs shown were computed
  let consoleOn = "tab"; // "tab": the worker's database; "server": serve's paused edited run
  let slowness = 1; // time limits are multiplied by it: see calibrate
  const live = new Map(); // cell -> {box, label, samp, text}

  // The toolbar, at the top of the chapter.
  const article = document.querySelector("article.chapter") || document.querySelector("main") || document.body;
  const toolbar = document.createElement("div");
  toolbar.className = "nb-toolbar";
  toolbar.setAttribute("role", "group");
  toolbar.setAttribute("aria-label", "Run this chapter");
  toolbar.innerHTML = `<div class="nb-buttons">
<button type="button" class="nb-btn nb-runall">Run all</button>
<button type="button" class="nb-btn nb-restart">Restart</button>
<button type="button" class="nb-btn nb-console-toggle" aria-expanded="false" aria-controls="nb-drawer">Console</button>
<button type="button" class="nb-btn nb-resetall" hidden>Reset all edits</button></div>
<p class="nb-where"></p>`;
  const h1 = article.querySelector("h1");
  if (h1) h1.after(toolbar); else article.prepend(toolbar);
  toolbar.querySelector(".nb-where").textContent =
    `Cells run in this tab, on an embedded Redis: the first Run downloads the chapter's program (${mb(+conf.dataset.gzipSize)}).` +
    (serve ? " Edited cells run on this machine, through runner serve." : "") +
    (canEdit ? " Edits stay in this browser; the chapter's file is never changed." : "");

  // The drawer: status, and the Redis console. On a wide screen it is a
  // column beside the page, on a narrow one a bar at the bottom whose
  // height the page keeps free, so that it covers no text.
  const panel = document.createElement("aside");
  panel.className = "nb-panel";
  panel.id = "nb-drawer";
  panel.hidden = true;
  panel.setAttribute("aria-label", "Redis console");
  panel.innerHTML = `<div class="nb-bar">
<span class="nb-title" aria-hidden="true">Redis console</span>
<button type="button" class="nb-btn nb-drawer-toggle" aria-expanded="false" aria-controls="nb-console-body">Redis console</button>
<span class="nb-status" role="status" aria-live="polite"></span>
<button type="button" class="nb-btn nb-close" aria-label="Hide the console">×</button>
<progress class="nb-progress" aria-label="Download of the chapter's program" hidden></progress></div>
<form class="nb-console" id="nb-console-body" hidden>
<pre class="nb-log" role="log" aria-label="Console log" tabindex="0"></pre>
<div class="nb-prompt"><label for="nb-command">Command</label>
<input id="nb-command" autocomplete="off" spellcheck="false" placeholder="LLEN Anagram:aerst">
<button type="submit" class="nb-btn">Send</button></div></form>`;
  document.body.appendChild(panel);
  const statusEl = panel.querySelector(".nb-status");
  const progress = panel.querySelector(".nb-progress");
  const log = panel.querySelector(".nb-log");
  const input = panel.querySelector("#nb-command");
  const consoleBody = panel.querySelector(".nb-console");
  const drawerToggle = panel.querySelector(".nb-drawer-toggle");
  const consoleToggle = toolbar.querySelector(".nb-console-toggle");
  const setStatus = (s) => { statusEl.textContent = s; };

  // The page keeps free the room the drawer takes: at the bottom on a
  // narrow screen, at the right on a wide one (see run.css).
  const room = new ResizeObserver(() => {
    const r = panel.getBoundingClientRect();
    document.body.style.setProperty("--nb-drawer-h", panel.hidden ? "0px" : Math.ceil(r.height) + "px");
  });
  room.observe(panel);
  function showDrawer(open) {
    panel.hidden = false;
    document.body.classList.add("nb-drawer-shown");
    if (open !== undefined) {
      consoleBody.hidden = !open;
      drawerToggle.setAttribute("aria-expanded", String(open));
      consoleToggle.setAttribute("aria-expanded", String(open));
      panel.classList.toggle("nb-open", open);
    }
    room.disconnect(); room.observe(panel);
  }
  function hideDrawer() {
    panel.hidden = true;
    document.body.classList.remove("nb-drawer-shown");
    consoleToggle.setAttribute("aria-expanded", "false");
    document.body.style.setProperty("--nb-drawer-h", "0px");
  }
  drawerToggle.addEventListener("click", () => showDrawer(consoleBody.hidden));
  consoleToggle.addEventListener("click", () => {
    if (!panel.hidden && !consoleBody.hidden) { hideDrawer(); return; }
    showDrawer(true);
    input.focus();
  });
  panel.querySelector(".nb-close").addEventListener("click", () => { hideDrawer(); consoleToggle.focus(); });

  toolbar.querySelector(".nb-runall").addEventListener("click", () => {
    const last = cells[cells.length - 1];
    if (last) run(last.cell);
  });

  function button(cls, text, label) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    if (label) b.setAttribute("aria-label", label);
    return b;
  }

  // inBar puts a cell's button in the bar above its code, beside Copy,
  // never over the code.
  function inBar(el, b) {
    const code = el.querySelector(".cell-code");
    code.insertBefore(b, code.querySelector("pre, .nb-editor"));
  }

  function fromDisk() {
    if (location.protocol !== "file:") return false;
    showDrawer();
    setStatus("Cells cannot run on a page opened from disk: the browser does not let it load the chapter's " +
      "WebAssembly. Serve the folder instead: in the tutorial, go run ./runner serve; or, in the site's folder, " +
      "any static server (python3 -m http.server), then open http://localhost:8000/.");
    return true;
  }

  // --- Edits, kept in this browser -----------------------------------

  // An edit is kept under the chapter and cell, with a hash of the
  // chapter's code it was made on: when the chapter's cell changes, the
  // old edit no longer applies, and is dropped.
  const storeKey = (n) => `notebook-edit:${chapterName}:${n}`;
  function hash(s) {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return (h >>> 0).toString(16);
  }
  function stored(n) {
    try {
      const v = JSON.parse(localStorage.getItem(storeKey(n)) || "null");
      if (v && v.orig === hash(originals.get(n)) && typeof v.code === "string" && v.code !== originals.get(n)) return v.code;
      if (v) localStorage.removeItem(storeKey(n));
    } catch (e) { /* no storage (a private window's quota): edits last as long as the page */ }
    return null;
  }
  function keep(n, code) {
    const changed = code !== originals.get(n);
    if (changed) edits.set(n, code); else edits.delete(n);
    try {
      if (changed) localStorage.setItem(storeKey(n), JSON.stringify({ orig: hash(originals.get(n)), code }));
      else localStorage.removeItem(storeKey(n));
    } catch (e) { /* as above */ }
    const el = cellEl(n);
    el.classList.toggle("nb-edited", changed);
    el.querySelector(".nb-reset").hidden = !changed;
    updateResetAll();
  }
  function updateResetAll() {
    toolbar.querySelector(".nb-resetall").hidden = edits.size === 0;
  }
  const editsKey = () => JSON.stringify([...edits].sort((a, b) => a[0] - b[0]));

  // addEditing gives a cell Edit and Reset, and shows an edit kept from an
  // earlier visit (as plain text, until Edit opens the editor).
  function addEditing(el, n) {
    const edit = button("nb-edit", "Edit", `Edit cell ${n}`);
    const reset = button("nb-reset", "Reset", `Reset cell ${n} to the chapter's code`);
    reset.hidden = true;
    edit.addEventListener("click", () => openEditor(n, true));
    reset.addEventListener("click", () => resetCell(n));
    inBar(el, reset);
    inBar(el, edit);
    const code = stored(n);
    if (code !== null) {
      edits.set(n, code);
      el.classList.add("nb-edited");
      reset.hidden = false;
      showPlain(n, code);
    }
  }

  // showPlain shows edited code where the chapter's highlighted code was.
  function showPlain(n, code) {
    const pre = document.createElement("pre");
    pre.className = "code nb-edited-code";
    pre.tabIndex = 0;
    const c = document.createElement("code");
    c.className = "language-go";
    c.textContent = code + "\n";
    pre.appendChild(c);
    cellEl(n).querySelector(".cell-code pre").replaceWith(pre);
  }

  function resetCell(n) {
    const ed = editors.get(n);
    if (ed) ed.setCode(originals.get(n));
    else cellEl(n).querySelector(".cell-code pre").replaceWith(codeBlocks.get(n));
    keep(n, originals.get(n));
    (ed ? ed : { focus() { cellEl(n).querySelector(".nb-edit").focus(); } }).focus();
  }
  toolbar.querySelector(".nb-resetall").addEventListener("click", () => {
    for (const n of [...edits.keys()]) resetCell(n);
    setStatus("Every cell has the chapter's code again.");
    toolbar.querySelector(".nb-runall").focus();
  });

  let editorLoading = null;
  function loadEditor() {
    if (globalThis.NotebookEditor) return Promise.resolve(globalThis.NotebookEditor);
    if (!editorLoading) {
      editorLoading = new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = url(conf.dataset.editor);
        s.onload = () => resolve(globalThis.NotebookEditor);
        s.onerror = () => { editorLoading = null; reject(new Error("could not load the editor: " + conf.dataset.editor)); };
        document.head.appendChild(s);
      });
    }
    return editorLoading;
  }

  async function openEditor(n, focus) {
    let ed = editors.get(n);
    if (!ed) {
      let E;
      try { E = await loadEditor(); } catch (err) { showDrawer(); setStatus(String(err.message || err)); return; }
      if (editors.get(n)) { ed = editors.get(n); } else {
        const el = cellEl(n);
        const holder = document.createElement("div");
        holder.className = "nb-editor";
        const pre = el.querySelector(".cell-code pre");
        pre.replaceWith(holder);
        ed = E.create({
          parent: holder,
          doc: edits.has(n) ? edits.get(n) : originals.get(n),
          label: `Code of cell ${n}`,
          onChange: (code) => keep(n, code),
          onRun: (stay) => {
            run(n);
            if (!stay) moveOn(n);
          },
        });
        editors.set(n, ed);
        el.querySelector(".nb-edit").hidden = true;
      }
    }
    if (focus) ed.focus();
  }

  // moveOn goes to the cell after n, in its editor, as Shift+Enter does in
  // a notebook.
  function moveOn(n) {
    const next = cells.find((c) => c.cell > n && cellEl(c.cell));
    if (!next) return;
    openEditor(next.cell, true).then(() => cellEl(next.cell).scrollIntoView({ block: "nearest" }));
  }

  // --- Running -------------------------------------------------------

  // calibrate: the worker times its start (compiling the WebAssembly and
  // starting Go), work for the processor alone, in proportion to the
  // program's size; a slow or busy device gets longer time limits in
  // proportion (1 to 5 times the chapter's), since the chapter's limits
  // hold on this project's own busy 2-core machine.
  const referenceMsPerMB = 30; // 25 to 45 ms per MB there, at a load of 14
  let programBytes = +conf.dataset.size;
  function calibrate(ms) {
    const perMB = ms / (programBytes / 1e6);
    slowness = Math.min(5, Math.max(1, perMB / referenceMsPerMB));
    panel.dataset.startMsPerMb = perMB.toFixed(1);
    panel.dataset.slowness = slowness.toFixed(2);
  }

  function start(wasm) {
    if (worker) return;
    where = "in this tab";
    consoleOn = "tab";
    if (serve) fetch("/_console", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"stop": true}' }).catch(() => {});
    showDrawer();
    state = "loading";
    progress.hidden = false;
    progress.removeAttribute("value");
    setStatus(wasm ? "Starting the edited chapter's program…" :
      `Downloading the chapter's program (${mb(+conf.dataset.gzipSize)} compressed, ${mb(+conf.dataset.size)})…`);
    worker = new Worker(url(conf.dataset.worker));
    worker.onmessage = (ev) => receive(ev.data);
    worker.onerror = (ev) => { setStatus("The chapter's program failed to start: " + (ev.message || "error")); stop(); };
    const msg = { type: "load", wasm: url(conf.dataset.program), wasmExec: url(conf.dataset.exec), size: +conf.dataset.size };
    programBytes = wasm ? wasm.length : +conf.dataset.size;
    if (wasm) { msg.bytes = wasm; msg.size = wasm.length; }
    worker.postMessage(msg, wasm ? [wasm.buffer] : []);
  }

  // resetRun forgets the program and the live outputs.
  function resetRun() {
    if (worker) worker.terminate();
    worker = null; workerEdits = ""; state = "idle"; ranUpTo = 0; current = 0;
    clearTimeout(timer); clearInterval(ticker);
    for (const n of [...live.keys()]) removeLive(n);
  }

  function run(n) {
    if (fromDisk()) return;
    const key = edits.size ? editsKey() : "";
    if (key && (serve || key !== workerEdits)) { runEdited(n, key); return; }
    if (!key && workerEdits) resetRun(); // back to the chapter as written
    if (state === "dead" || state === "panicked") { showDrawer(); setStatus("The program has stopped: press Restart to run the chapter afresh."); return; }
    start();
    if (n <= ranUpTo) { setStatus(`Cell ${n} has run already; Restart runs the chapter afresh.`); return; }
    for (const c of cells) if (c.cell > ranUpTo && c.cell <= n) box(c.cell).label.textContent = "Queued";
    ranUpTo = n;
    worker.postMessage({ type: "run", upTo: n });
  }

  // runEdited runs the chapter with the page's edits up to cell n: on the
  // server under serve, else compiled in this tab by NotebookCompiler.
  function runEdited(n, key) {
    if (serve) { serverRun(n); return; }
    compileRun(n, key);
  }

  let compiler = null;
  function loadCompiler() {
    if (globalThis.NotebookCompiler) return Promise.resolve(globalThis.NotebookCompiler);
    if (!compiler) {
      compiler = new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = url(conf.dataset.compile);
        s.onload = () => resolve(globalThis.NotebookCompiler);
        s.onerror = () => { compiler = null; reject(new Error("could not load the compiler")); };
        document.head.appendChild(s);
      });
    }
    return compiler;
  }

  async function compileRun(n, key) {
    resetRun();
    showDrawer();
    progress.hidden = false;
    progress.removeAttribute("value");
    setStatus("Compiling the edited chapter in this tab…");
    const cellsObj = Object.fromEntries([...edits].map(([k, v]) => [String(k), v]));
    let res;
    try {
      const C = await loadCompiler();
      res = await C.buildChapter({
        chapter: chapterName, cells: cellsObj,
        onProgress(p) {
          if (p.stage === "toolchain" || p.stage === "packages") {
            progress.max = p.total; progress.value = Math.min(p.loaded, p.total);
            setStatus(`Downloading the Go compiler, once: ${mb(p.loaded)} of ${mb(p.total)}`);
          } else if (String(p.stage).startsWith("compile")) setStatus("Compiling the edited chapter in this tab…");
          else if (p.stage === "link") setStatus("Linking the edited chapter…");
        },
      });
    } catch (err) {
      progress.hidden = true;
      setStatus("The edited chapter could not be compiled in this tab: " + (err.message || err));
      return;
    }
    progress.hidden = true;
    if (res.errors) {
      compileErrors(res.errors.map((e) => ({ cell: e.cell, line: e.line, col: e.col, msg: e.message })));
      return;
    }
    start(res.wasm);
    where = "in this tab, edited";
    workerEdits = key;
    run(n);
  }

  // compileErrors shows a compile error at its cells, in their own lines:
  // [{cell, line, col, msg}]; an error outside every cell (cell 0) is told
  // in the status line.
  function compileErrors(list) {
    for (const e of list.filter((e) => e.cell)) {
      const b = box(e.cell);
      if (!b.box.classList.contains("live-failed")) { b.text = ""; b.box.classList.add("live-failed"); }
      b.label.textContent = "Does not compile";
      b.text += visible(`line ${e.line}${e.col ? ":" + e.col : ""}: ${e.msg}`) + "\n";
      b.samp.textContent = b.text;
    }
    const first = list.find((e) => e.cell);
    if (!first) { setStatus("The edited chapter does not compile: " + list.map((e) => e.msg).join("; ")); return; }
    setStatus(`The edited chapter does not compile: see cell ${first.cell}.`);
    cellEl(first.cell).scrollIntoView({ block: "nearest" });
  }

  async function serverRun(n) {
    resetRun();
    where = "on this machine";
    consoleOn = "server";
    showDrawer();
    setStatus(`Compiling the edited chapter and running it up to cell ${n} on this machine (runner serve)…`);
    try {
      const resp = await fetch("/_run", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ chapter: chapterName, upTo: n, cells: Object.fromEntries([...edits].map(([k, v]) => [String(k), v])) }),
      });
      if (!resp.ok) { setStatus(`The server refused the run: ${resp.status} ${await resp.text()}`); return; }
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += value;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const m = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (m.kind === "error" && m.cells) {
            compileErrors(m.cells);
          } else if (m.kind === "error") {
            if (current) { const b = box(current); b.box.classList.add("live-failed"); b.label.textContent = "Failed"; }
            setStatus(m.message);
          } else if (m.kind === "done") {
            setStatus(`Ran the edited chapter up to cell ${n} on this machine.` +
              (m.console ? " The console shows the database as that run left it." : ""));
          } else {
            receive({ ...m, type: m.kind });
          }
        }
      }
    } catch (err) {
      setStatus("The run on this machine failed: " + err);
    }
  }

  // box is cell n's live output, in place of its recorded one.
  function box(n) {
    let b = live.get(n);
    if (b) return b;
    const el = cellEl(n);
    const div = document.createElement("div");
    div.className = "cell-output cell-live";
    div.innerHTML = `<div class="output-label"></div><div class="live-out"><pre class="output"><samp></samp></pre></div>`;
    const recordedBox = el.querySelector(":scope > .cell-output");
    if (recordedBox) recordedBox.before(div);
    else el.querySelector(".cell-code").after(div);
    el.classList.add("nb-has-live");
    b = { box: div, label: div.querySelector(".output-label"), samp: div.querySelector("samp"), text: "" };
    b.seg = b.samp; b.segText = ""; // where text goes now: after the last picture
    b.out = div.querySelector(".live-out");
    live.set(n, b);
    return b;
  }

  function removeLive(n) {
    const b = live.get(n);
    if (!b) return;
    b.box.remove();
    const el = cellEl(n);
    el.classList.remove("nb-has-live", "nb-live-differs");
    live.delete(n);
  }

  // visible shows control characters as text, as the recorded outputs
  // and the walk do (runner/term's Visible): a cell's escape sequence is
  // invisible in a page otherwise.
  function visible(s) {
    return s.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
      const n = c.charCodeAt(0);
      if (c === "\r") return "\\r";
      return n < 0x80 ? "\\x" + n.toString(16).padStart(2, "0") : "\\u" + n.toString(16).padStart(4, "0");
    });
  }

  // recorded is the cell's recorded output as text, a picture as its line
  // ("image/svg+xml 640×400"), as the runner compares them.
  function recorded(n) {
    const out = document.querySelector(`#cell-${n} > .cell-output:not(.cell-live)`);
    let text = "";
    for (const el of out ? [...out.children].slice(1) : []) {
      if (el.classList.contains("output-label")) break; // "Expected" follows
      if (el.tagName === "IMG") text += el.dataset.line + "\n";
      else text += el.textContent;
    }
    return text;
  }

  // pictureSize reads a picture's width and height, as the runner does
  // (runner/picture): a PNG's header, an SVG's width and height, or else
  // its viewBox. It throws what is wrong.
  function pictureSize(type, data) {
    if (type === "image/png") {
      const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
      if (data.length < 24 || sig.some((x, i) => data[i] !== x)) throw new Error("not a PNG");
      const v = new DataView(data.buffer, data.byteOffset);
      return [v.getUint32(16), v.getUint32(20)];
    }
    const doc = new DOMParser().parseFromString(new TextDecoder().decode(data), "image/svg+xml");
    const root = doc.documentElement;
    if (doc.querySelector("parsererror") || root.localName !== "svg") throw new Error("not an SVG");
    const len = (s) => { const f = parseFloat(String(s).replace(/px$/, "")); return /^\s*[\d.]+(px)?\s*$/.test(s) && f > 0 ? Math.round(f) : NaN; };
    let w = len(root.getAttribute("width") || ""), h = len(root.getAttribute("height") || "");
    if (!(w && h)) {
      const vb = (root.getAttribute("viewBox") || "").split(/[\s,]+/);
      w = len(vb[2] || ""); h = len(vb[3] || "");
    }
    if (!(w && h)) throw new Error("the <svg> element has no size in pixels");
    return [w, h];
  }

  // picture shows a picture a cell displayed in its live output, where the
  // cell is at, as a file of its own (a Blob's URL: an <img> runs nothing
  // an SVG holds), and adds its line to the output's text.
  function picture(b, m) {
    // From the worker, bytes; from serve's run of edited cells, base64.
    const data = typeof m.data === "string" ? Uint8Array.from(atob(m.data), (c) => c.charCodeAt(0)) : m.data;
    const type = m.media;
    let line;
    try {
      const [w, h] = pictureSize(type, data);
      line = `${type} ${w}×${h}`;
    } catch (err) {
      line = `${type} that does not decode: ${err.message}`;
    }
    const nl = b.text && !b.text.endsWith("\n") ? "\n" : "";
    b.text += nl + line + "\n";
    if (line.includes("does not decode")) { // shown as the runner shows it: a line of text
      b.segText += nl + visible(line) + "\n";
      b.seg.textContent = b.segText;
      return;
    }
    const img = document.createElement("img");
    img.className = "output-image";
    img.alt = m.alt;
    img.dataset.line = line;
    img.src = URL.createObjectURL(new Blob([data], { type }));
    img.onload = img.onerror = () => URL.revokeObjectURL(img.src);
    const pre = document.createElement("pre");
    pre.className = "output";
    pre.innerHTML = "<samp></samp>";
    b.out.append(img, pre);
    b.seg = pre.firstChild; b.segText = "";
  }

  function same(n, a, b) {
    const norm = (s) => s.replace(/\s+$/, "");
    a = norm(a); b = norm(b);
    const c = cells.find((x) => x.cell === n);
    if (c && c.unordered) { a = a.split("\n").sort().join("\n"); b = b.split("\n").sort().join("\n"); }
    return a === b;
  }

  const duration = (ms) => ms < 1 ? `${Math.round(ms * 1000)} µs` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;

  // A cell's time limit, in seconds: its own or the page's, times the
  // device's slowness; the reader can give a long cell more.
  function limitOf(n) {
    const c = cells.find((x) => x.cell === n);
    return ((c && c.timeout) || +conf.dataset.timeout) * slowness;
  }
  const secs = (s) => (Math.round(s * 10) / 10) + "s";

  function armLimit(n, limit, began) {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const b = box(n);
      b.box.classList.add("live-failed");
      clearInterval(ticker);
      const own = limitOf(n) / slowness;
      const why = slowness > 1 ? ` (its limit, ${secs(own)}, ×${slowness.toFixed(1)} for this device${limit > limitOf(n) ? ", and the time added" : ""})` : "";
      b.label.textContent = `Stopped: cell ${n} ran longer than ${secs(limit)}`;
      setStatus(`Cell ${n} ran longer than ${secs(limit)}${why} and was stopped. Restart runs the chapter afresh.`);
      stop();
    }, Math.max(0, limit * 1000 - (performance.now() - began)));
  }

  // progressOf shows, in a cell that runs for more than a second, how long
  // it has run against its limit, and a button that gives it more time.
  function progressOf(n, began) {
    let limit = limitOf(n);
    armLimit(n, limit, began);
    clearInterval(ticker);
    ticker = setInterval(() => {
      const b = live.get(n);
      if (!b || current !== n || !worker) { clearInterval(ticker); return; }
      const s = (performance.now() - began) / 1000;
      if (s < 1) return;
      let p = b.box.querySelector(".nb-running");
      if (!p) {
        p = document.createElement("div");
        p.className = "nb-running";
        p.innerHTML = `<progress></progress> <span class="nb-elapsed"></span> <button type="button" class="nb-btn nb-more">More time</button>`;
        p.querySelector(".nb-more").addEventListener("click", () => {
          limit += limitOf(n);
          armLimit(n, limit, began);
          setStatus(`Cell ${n} may now run for ${secs(limit)}.`);
        });
        b.label.after(p);
      }
      const bar = p.querySelector("progress");
      bar.max = limit; bar.value = Math.min(s, limit);
      bar.setAttribute("aria-label", `Cell ${n}'s time against its limit`);
      p.querySelector(".nb-elapsed").textContent = `${Math.floor(s)} s of ${secs(limit)}`;
    }, 250);
  }

  // elapsedOf shows how long a cell running on the server has run.
  function elapsedOf(n, began) {
    clearInterval(ticker);
    ticker = setInterval(() => {
      const b = live.get(n);
      if (!b || current !== n || b.box.dataset.ms) { clearInterval(ticker); return; }
      const s = (performance.now() - began) / 1000;
      if (s >= 1) b.label.textContent = `Running… ${Math.floor(s)} s`;
    }, 250);
  }

  function receive(m) {
    switch (m.type) {
      case "progress":
        progress.max = m.total; progress.value = Math.min(m.loaded, m.total);
        panel.dataset.loaded = m.loaded;
        setStatus(`Downloading the chapter's program: ${mb(m.loaded)} of ${mb(m.total)}`);
        break;
      case "started":
        calibrate(m.ms);
        break;
      case "ready":
        state = "ready"; progress.hidden = true;
        panel.dataset.readyMs = Math.round(m.ms);
        setStatus(`Ready in ${Math.round(m.ms)} ms.`);
        break;
      case "begin": {
        current = m.cell;
        const b = box(m.cell);
        b.text = ""; b.samp.textContent = "";
        while (b.out.children.length > 1) b.out.lastChild.remove();
        b.seg = b.samp; b.segText = "";
        b.box.classList.remove("live-differs", "live-same", "live-failed");
        b.label.textContent = "Running…";
        setStatus(`Running cell ${m.cell}…`);
        if (worker) progressOf(m.cell, performance.now());
        else elapsedOf(m.cell, performance.now()); // on the server, which keeps the limit
        break;
      }
      case "output": {
        const b = box(m.cell || current);
        const t = visible(m.text); // each piece once: a long output is not escaped again and again
        b.text += t; b.segText += t;
        b.seg.textContent = b.segText;
        break;
      }
      case "image":
        picture(box(m.cell || current), m);
        break;
      case "end": {
        clearTimeout(timer); clearInterval(ticker);
        const b = box(m.cell);
        const run = b.box.querySelector(".nb-running");
        if (run) run.remove();
        const el = cellEl(m.cell);
        const hasRecord = !!el.querySelector(":scope > .cell-output:not(.cell-live)");
        const ok = same(m.cell, b.text, recorded(m.cell));
        b.box.classList.add(ok ? "live-same" : "live-differs");
        el.classList.toggle("nb-live-differs", !ok && hasRecord);
        b.box.dataset.ms = m.ms;
        b.label.textContent = `Output · ${duration(m.ms)} ${where}`;
        if (ok) {
          const mark = document.createElement("span");
          mark.className = "nb-match";
          mark.title = "Same as the recorded output";
          mark.innerHTML = `<span aria-hidden="true">✓</span><span class="nb-sr">same as the recorded output</span>`;
          b.label.append(" ", mark);
        } else if (hasRecord) {
          b.label.append(" · differs (recorded below)");
        }
        if (!b.text) b.samp.textContent = "(no output)";
        setStatus(m.cell >= ranUpTo ? `Ran up to cell ${m.cell}.` : `Running…`);
        break;
      }
      case "panic": {
        clearTimeout(timer); clearInterval(ticker);
        const b = box(m.cell || current);
        b.box.classList.add("live-failed");
        b.label.textContent = `Panic in cell ${m.cell}: ${visible(m.message)}`;
        const t = visible(`panic: ${m.message}\n\n${m.stack}`);
        b.text += t; b.segText += t;
        b.seg.textContent = b.segText;
        state = "panicked";
        setStatus(`Cell ${m.cell} panicked; the cells after it cannot run. The console still works; Restart runs the chapter afresh.`);
        break;
      }
      case "done":
        setStatus("Ran every cell. The console shows the database as the chapter left it.");
        break;
      case "reply":
        say(m.text);
        break;
      case "exit":
        clearTimeout(timer); clearInterval(ticker);
        setStatus(`The chapter's program exited (status ${m.code}). Restart runs it afresh.`);
        stop();
        break;
      case "error":
        setStatus("The chapter's program could not start: " + m.message);
        stop();
        break;
    }
  }

  function say(text) {
    log.textContent += text + "\n";
    log.scrollTop = log.scrollHeight;
  }

  // stop ends the worker; only Restart brings it back.
  function stop() {
    if (worker) worker.terminate();
    worker = null;
    state = "dead";
    progress.hidden = true;
    clearInterval(ticker);
  }

  toolbar.querySelector(".nb-restart").addEventListener("click", () => {
    resetRun();
    if (serve && consoleOn === "server") {
      fetch("/_console", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"stop": true}' }).catch(() => {});
    }
    consoleOn = "tab";
    log.textContent = "";
    setStatus("Restarted: the next Run starts the chapter afresh, on an empty database.");
  });

  consoleBody.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const line = input.value.trim();
    if (!line || fromDisk()) return;
    input.value = "";
    say("> " + line);
    if (consoleOn === "server") {
      // The database of the last edited run, waiting on the server.
      try {
        const resp = await fetch("/_console", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ line }) });
        if (!resp.ok) { say(`(error) ${(await resp.text()).trim()}`); return; }
        const r = await resp.json();
        say(r.error ? `(error) ${r.error}` : r.reply);
      } catch (err) {
        say(`(error) ${err}`);
      }
      return;
    }
    if (state === "dead") { setStatus("The program has stopped: press Restart."); return; }
    start();
    worker.postMessage({ type: "command", line });
  });

  // Last: the cells' buttons use every declaration above.
  for (const c of cells) {
    const el = cellEl(c.cell);
    if (!el) continue;
    const pre = el.querySelector(".cell-code pre");
    originals.set(c.cell, pre.textContent.replace(/\n$/, ""));
    codeBlocks.set(c.cell, pre);
    const b = button("nb-run", "Run", `Run cell ${c.cell}, after the cells before it`);
    b.addEventListener("click", () => run(c.cell));
    inBar(el, b);
    if (canEdit) addEditing(el, c.cell);
  }
  updateResetAll();
})();
