// Run buttons, Restart and the Redis console of a chapter page: the cells
// run in the reader's browser, in a Web Worker (worker.js) that runs the
// chapter's program built for WebAssembly. Nothing is fetched until the
// first Run. The page's script tag carries the settings (data-*), written
// by site/wasm.go.
"use strict";
(() => {
  const conf = document.querySelector("script[data-program]");
  if (!conf) return;
  const cells = JSON.parse(conf.dataset.cells); // [{cell, timeout (s), unordered}]
  const mb = (n) => (n / 1e6).toFixed(1) + " MB";
  const url = (p) => new URL(p, document.baseURI).href;

  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = conf.dataset.css;
  document.head.appendChild(link);

  const serve = conf.hasAttribute("data-serve");
  const edits = new Map(); // cell -> edited code, under serve only
  let worker = null;
  let state = "idle"; // idle, loading, ready, dead
  let ranUpTo = 0;    // highest cell asked for
  let current = 0, timer = 0;
  let where = "in your browser"; // where the outputs shown were computed
  const live = new Map(); // cell -> {box, label, samp, text}

  // The panel: status, Restart, and the console.
  const panel = document.createElement("section");
  panel.className = "nb-panel";
  panel.setAttribute("aria-label", "Run this chapter in your browser");
  panel.innerHTML = `<div class="nb-bar"><span class="nb-status" role="status" aria-live="polite"></span>
<progress class="nb-progress" hidden></progress>
<button type="button" class="nb-restart">Restart</button></div>
<form class="nb-console"><label for="nb-command">Redis console</label>
<pre class="nb-log" aria-live="polite"></pre>
<div class="nb-prompt"><span aria-hidden="true">&gt;</span> <input id="nb-command" autocomplete="off" spellcheck="false" placeholder="LLEN Anagram:aerst">
<button type="submit">Send</button></div></form>`;
  (document.querySelector("aside.run-it") || document.querySelector("main") || document.body).appendChild(panel);
  const statusEl = panel.querySelector(".nb-status");
  const progress = panel.querySelector(".nb-progress");
  const log = panel.querySelector(".nb-log");
  const input = panel.querySelector("#nb-command");
  const setStatus = (s) => { statusEl.textContent = s; };
  setStatus(`Cells run in your browser: the first Run downloads the chapter's program (${mb(+conf.dataset.gzipSize)} compressed).`);

  for (const c of cells) {
    const el = document.getElementById("cell-" + c.cell);
    if (!el) continue;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "nb-run";
    b.textContent = "Run";
    b.setAttribute("aria-label", `Run cell ${c.cell}, after the cells before it`);
    b.dataset.cell = c.cell;
    b.addEventListener("click", () => run(c.cell));
    inBar(el, b);
    if (serve) addEditor(el, c.cell);
  }

  function fromDisk() {
    if (location.protocol !== "file:") return false;
    setStatus("");
    const msg = "Cells cannot run on a page opened from disk: the browser does not let it load the chapter's " +
      "WebAssembly. Serve the folder instead: in the tutorial, go run ./runner serve; or, in the site's folder, " +
      "any static server (python3 -m http.server), then open http://localhost:8000/.";
    setStatus(msg);
    return true;
  }

  function start() {
    if (worker) return;
    where = "in your browser";
    panel.classList.add("nb-active");
    state = "loading";
    progress.hidden = false;
    progress.removeAttribute("value");
    setStatus(`Downloading the chapter's program (${mb(+conf.dataset.gzipSize)} compressed, ${mb(+conf.dataset.size)})…`);
    worker = new Worker(url(conf.dataset.worker));
    worker.onmessage = (ev) => receive(ev.data);
    worker.onerror = (ev) => { setStatus("The chapter's program failed to start: " + (ev.message || "error")); stop(); };
    worker.postMessage({ type: "load", wasm: url(conf.dataset.program), wasmExec: url(conf.dataset.exec), size: +conf.dataset.size });
  }

  // Under runner serve, a cell can be edited; Run then has the server
  // compile and run the chapter natively, with the edits, which stay in the
  // page (the chapter's file is never written).
  function addEditor(el, n) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "nb-edit";
    b.textContent = "Edit";
    b.setAttribute("aria-label", `Edit cell ${n}`);
    const pre = el.querySelector(".cell-code pre");
    let area = null;
    b.addEventListener("click", () => {
      if (area) { // revert
        area.replaceWith(pre); area = null; edits.delete(n);
        b.textContent = "Edit"; b.setAttribute("aria-label", `Edit cell ${n}`);
        return;
      }
      area = document.createElement("textarea");
      area.className = "nb-editor";
      area.spellcheck = false;
      area.value = pre.textContent.replace(/\n$/, "");
      area.rows = area.value.split("\n").length + 1;
      area.setAttribute("aria-label", `Code of cell ${n}`);
      area.addEventListener("input", () => edits.set(n, area.value));
      pre.replaceWith(area);
      area.focus();
      b.textContent = "Revert"; b.setAttribute("aria-label", `Revert cell ${n} to the chapter's code`);
    });
    inBar(el, b);
  }

  // inBar puts a cell's button in the bar above its code, beside Copy,
  // never over the code.
  function inBar(el, b) {
    const code = el.querySelector(".cell-code");
    code.insertBefore(b, code.querySelector("pre"));
  }

  async function serverRun(n) {
    if (worker) worker.terminate();
    worker = null; state = "idle"; ranUpTo = 0; current = 0; clearTimeout(timer);
    where = "on this machine";
    for (const b of live.values()) b.box.remove();
    live.clear();
    panel.classList.add("nb-active");
    setStatus(`Compiling the edited chapter and running it up to cell ${n} on this machine…`);
    try {
      const resp = await fetch("/_run", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ chapter: conf.dataset.chapter, upTo: n, cells: Object.fromEntries([...edits].map(([k, v]) => [String(k), v])) }),
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
            // A compile error: shown at its cells, in their own lines.
            for (const e of m.cells) {
              const b = box(e.cell);
              if (!b.box.classList.contains("live-failed")) { b.text = ""; b.box.classList.add("live-failed"); }
              b.label.textContent = "Does not compile";
              b.text += visible(`line ${e.line}${e.col ? ":" + e.col : ""}: ${e.msg}`) + "\n";
              b.samp.textContent = b.text;
            }
            const first = m.cells[0].cell;
            setStatus(`The edited chapter does not compile: see cell ${first}.`);
            document.getElementById("cell-" + first).scrollIntoView({ block: "nearest" });
          } else if (m.kind === "error") {
            if (current) { const b = box(current); b.box.classList.add("live-failed"); b.label.textContent = "Failed"; }
            setStatus(m.message);
          } else if (m.kind === "done") {
            setStatus(`Ran the edited chapter up to cell ${n} on this machine.`);
          } else {
            receive({ ...m, type: m.kind });
          }
        }
      }
    } catch (err) {
      setStatus("The run on this machine failed: " + err);
    }
  }

  function run(n) {
    if (fromDisk()) return;
    if (serve && edits.size > 0) { serverRun(n); return; }
    if (state === "dead" || state === "panicked") { setStatus("The program has stopped: press Restart to run the chapter afresh."); return; }
    start();
    if (n <= ranUpTo) { setStatus(`Cell ${n} has run already; Restart runs the chapter afresh.`); return; }
    for (const c of cells) if (c.cell > ranUpTo && c.cell <= n) box(c.cell).label.textContent = "Queued";
    ranUpTo = n;
    worker.postMessage({ type: "run", upTo: n });
  }

  function box(n) {
    let b = live.get(n);
    if (b) return b;
    const el = document.getElementById("cell-" + n);
    const div = document.createElement("div");
    div.className = "cell-live";
    div.innerHTML = `<div class="output-label"></div><div class="live-out"><pre class="output"><samp></samp></pre></div>`;
    el.appendChild(div);
    b = { box: div, label: div.querySelector(".output-label"), samp: div.querySelector("samp"), text: "" };
    b.seg = b.samp; b.segText = ""; // where text goes now: after the last picture
    b.out = div.querySelector(".live-out");
    live.set(n, b);
    return b;
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
    const out = document.querySelector(`#cell-${n} .cell-output`);
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

  function receive(m) {
    switch (m.type) {
      case "progress":
        progress.max = m.total; progress.value = Math.min(m.loaded, m.total);
        panel.dataset.loaded = m.loaded;
        setStatus(`Downloading the chapter's program: ${mb(m.loaded)} of ${mb(m.total)}`);
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
        const c = cells.find((x) => x.cell === m.cell);
        const limit = (c && c.timeout) || +conf.dataset.timeout;
        clearTimeout(timer);
        if (worker) timer = setTimeout(() => {
          const b = box(m.cell);
          b.box.classList.add("live-failed");
          b.label.textContent = `Stopped: cell ${m.cell} ran longer than ${limit}s`;
          setStatus(`Cell ${m.cell} ran longer than ${limit}s and was stopped. Restart runs the chapter afresh.`);
          stop();
        }, limit * 1000);
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
        clearTimeout(timer);
        const b = box(m.cell);
        const ms = m.ms < 1 ? `${Math.round(m.ms * 1000)} µs` : m.ms < 1000 ? `${m.ms.toFixed(1)} ms` : `${(m.ms / 1000).toFixed(2)} s`;
        const rec = recorded(m.cell);
        const ok = same(m.cell, b.text, rec);
        b.box.classList.add(ok ? "live-same" : "live-differs");
        b.box.dataset.ms = m.ms;
        b.label.textContent = `Live output, ${ms} ${where}` + (ok ? " (same as recorded)" : " (differs from the recorded output)");
        if (!b.text) b.samp.textContent = "(no output)";
        setStatus(m.cell >= ranUpTo ? `Ran up to cell ${m.cell}.` : `Running…`);
        break;
      }
      case "panic": {
        clearTimeout(timer);
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
        log.textContent += m.text + "\n";
        log.scrollTop = log.scrollHeight;
        break;
      case "exit":
        clearTimeout(timer);
        setStatus(`The chapter's program exited (status ${m.code}). Restart runs it afresh.`);
        stop();
        break;
      case "error":
        setStatus("The chapter's program could not start: " + m.message);
        stop();
        break;
    }
  }

  // stop ends the worker; only Restart brings it back.
  function stop() {
    if (worker) worker.terminate();
    worker = null;
    state = "dead";
    progress.hidden = true;
  }

  panel.querySelector(".nb-restart").addEventListener("click", () => {
    if (worker) worker.terminate();
    worker = null; state = "idle"; ranUpTo = 0; current = 0;
    clearTimeout(timer);
    for (const b of live.values()) b.box.remove();
    live.clear();
    log.textContent = "";
    setStatus("Restarted: the next Run starts the chapter afresh, on an empty database.");
  });

  panel.querySelector(".nb-console").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const line = input.value.trim();
    if (!line || fromDisk()) return;
    if (state === "dead") { setStatus("The program has stopped: press Restart."); return; }
    start();
    log.textContent += "> " + line + "\n";
    input.value = "";
    worker.postMessage({ type: "command", line });
  });
})();
