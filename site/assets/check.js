// An exercise page's editor and Check button. The learner's code is checked
// in the page: the in-page Go compiler (globalThis.NotebookCompiler, from
// compile.js, which the first Check loads: data-compile, data-toolchain)
// compiles the exercise's package, the learner's file in place of its
// stub, with the check program's main (package runner/grade/browsercheck:
// the grader's own checks), and a Worker runs it; the report is the one
// `go run ./runner check N` prints. Under runner serve, the server grades
// instead, on a copy of the package, never writing the learner's file.
// The code and the last verdict of each exercise stay in this browser
// (localStorage); Download saves them as exercises/<package>/<file>.go.
// On the index page (data-progress), this script shows those verdicts.
"use strict";
(() => {
  const conf = document.currentScript || document.querySelector("script[data-exercise], script[data-progress]");
  if (!conf) return;
  const store = {
    get(key) { try { return localStorage.getItem(key); } catch { return null; } },
    set(key, value) { try { localStorage.setItem(key, value); } catch { /* private mode: kept for this page only */ } },
    remove(key) { try { localStorage.removeItem(key); } catch { /* nothing kept */ } },
  };
  const codeKey = (id) => `nb-check:${id}:code`;
  const verdictKey = (id) => `nb-check:${id}:verdict`;
  const verdictOf = (id) => { try { return JSON.parse(store.get(verdictKey(id)) || "null"); } catch { return null; } };
  const marks = { "passed": "✓ passed", "failed": "✗ failed", "not done": "· not done", "error": "✗ error",
    "does not compile": "✗ does not compile" };

  if ("progress" in conf.dataset) {
    for (const li of document.querySelectorAll("li[data-exercise]")) {
      const v = verdictOf(li.dataset.exercise);
      if (!v) continue;
      const span = document.createElement("span");
      span.className = "nb-progress nb-progress-" + v.status.replace(/ /g, "-");
      span.textContent = marks[v.status] || v.status;
      span.title = "Your last check in this browser";
      li.append(" ", span);
    }
    return;
  }

  const id = conf.dataset.exercise;
  if (conf.dataset.css) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = conf.dataset.css;
    document.head.appendChild(link);
  }
  const serve = "serve" in conf.dataset;
  const section = document.createElement("section");
  section.className = "nb-check";
  section.setAttribute("aria-label", "Check your code in this page");
  section.innerHTML = `<div class="nb-check-editor"></div>
<p class="nb-check-buttons"><button type="button" class="nb-check-run">Check</button>
<label>Seed <input type="text" inputmode="numeric" class="nb-check-seed" size="10" placeholder="new each time"
 aria-describedby="nb-check-seed-help-${id}"></label>
<span id="nb-check-seed-help-${id}" class="nb-check-help">the cases come from the seed, as with check --seed</span>
<button type="button" class="nb-check-download">Download my exercises</button>
<button type="button" class="nb-check-reset">Start again from the stub</button>
<span class="nb-status" role="status" aria-live="polite"></span>
<progress class="nb-check-progress" aria-label="Download of the Go compiler" hidden></progress></p>
<pre class="output nb-check-report" hidden tabindex="0" aria-label="The check's report"><samp></samp></pre>`;
  conf.before(section);
  const status = section.querySelector(".nb-status");
  const report = section.querySelector(".nb-check-report");
  const seedInput = section.querySelector(".nb-check-seed");
  const runButton = section.querySelector(".nb-check-run");
  const progress = section.querySelector(".nb-check-progress");
  const mb = (n) => (n / 1e6).toFixed(1) + " MB";

  // The editor: a textarea, behind get/set, so that another editor
  // (CodeMirror) can take its place without touching the rest.
  const editor = (() => {
    const area = document.createElement("textarea");
    area.className = "nb-editor";
    area.spellcheck = false;
    area.setAttribute("aria-label", `Your code for ${conf.dataset.file}`);
    section.querySelector(".nb-check-editor").append(area);
    area.addEventListener("input", () => store.set(codeKey(id), area.value));
    return {
      get value() { return area.value; },
      set value(v) { area.value = v; area.rows = Math.min(40, v.split("\n").length + 1); },
    };
  })();

  let bundle = null;
  const loadBundle = async (url) => {
    const resp = await fetch(url);
    if (!resp.ok) throw new Error(`fetching ${url}: ${resp.status} ${resp.statusText}`);
    return resp.json();
  };
  const ready = (async () => {
    bundle = await loadBundle(conf.dataset.bundle);
    let code = store.get(codeKey(id));
    if (code === null && serve) {
      const resp = await fetch("/_exercise?id=" + encodeURIComponent(id));
      if (resp.ok) code = await resp.text();
    }
    editor.value = code ?? bundle.files[bundle.file];
  })().catch((err) => { status.textContent = "Could not load the exercise: " + err.message; });

  const show = (text) => {
    report.hidden = false;
    report.querySelector("samp").textContent = text;
  };
  const remember = (verdict, seed) => store.set(verdictKey(id), JSON.stringify({ status: verdict, seed, at: Date.now() }));

  // runProgram runs the check program in a Worker; a program that does not
  // end in time (a loop that never yields holds the Worker's thread) is
  // terminated.
  const runProgram = (wasm, args, limitMs) => new Promise((resolve) => {
    const worker = new Worker(conf.dataset.worker);
    const timer = setTimeout(() => { worker.terminate(); resolve({ timedOut: true }); }, limitMs);
    worker.onmessage = (ev) => {
      if (ev.data.type === "started") return;
      clearTimeout(timer);
      worker.terminate();
      resolve(ev.data);
    };
    worker.onerror = (ev) => { clearTimeout(timer); worker.terminate(); resolve({ type: "error", message: ev.message }); };
    worker.postMessage({ wasmExec: new URL(conf.dataset.exec, location.href).href, wasm, args });
  });

  // loadCompiler loads compile.js, once, on the first Check: nothing of
  // the compiler comes with the page.
  let compilerScript = null;
  const loadCompiler = () => {
    if (globalThis.NotebookCompiler) return Promise.resolve(globalThis.NotebookCompiler);
    if (!conf.dataset.compile) return Promise.resolve(null);
    if (!compilerScript) {
      compilerScript = new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = new URL(conf.dataset.compile, document.baseURI).href;
        s.onload = () => resolve(globalThis.NotebookCompiler);
        s.onerror = () => { compilerScript = null; s.remove(); reject(new Error("could not load the Go compiler's script")); };
        document.head.appendChild(s);
      });
    }
    return compilerScript;
  };

  const checkHere = async (seed) => {
    const compiler = await loadCompiler();
    if (!compiler) {
      status.textContent = `This page has no Go compiler loaded: check in a clone with ${bundle.checkCommand} ${id}.`;
      return;
    }
    status.textContent = "Compiling your code in this tab…";
    const files = { ...bundle.files, [bundle.file]: editor.value };
    let result;
    try {
      result = await compiler.build({
        packages: [
          { importPath: bundle.importPath, files },
          { importPath: bundle.mainImportPath, files: { "main.go": bundle.main } },
        ],
        extras: bundle.extras || [],
        onProgress: (p) => {
          // The toolchain's files: fetched once, then kept by the browser.
          if (p.stage === "toolchain" || p.stage === "packages") {
            progress.hidden = false;
            progress.max = p.total || 1;
            progress.value = Math.min(p.loaded, progress.max);
            status.textContent = `Fetching the Go compiler, once… ${mb(p.loaded)}` + (p.total ? ` of ${mb(p.total)}` : "");
          } else if (String(p.stage).startsWith("compile")) {
            progress.hidden = true;
            status.textContent = "Compiling your code in this tab…";
          } else if (p.stage === "link") {
            status.textContent = "Linking the check program…";
          }
        },
      });
    } finally {
      progress.hidden = true;
    }
    if (result.errors && result.errors.every((e) => !e.file && !/^link: /.test(e.message))) {
      // Not the code's fault: the compiler could not be fetched or failed.
      status.textContent = "The check could not be compiled in this tab: " + result.errors.map((e) => e.message).join("; ");
      return;
    }
    if (result.errors) {
      // The generated main names every function of the exercise: one the
      // learner's file no longer declares, or made generic, fails there.
      const named = result.errors.filter((e) => (e.file || "").endsWith("main.go"))
        .map((e) => (e.message.match(/learner\.(\w+)/) || [])[1]).filter(Boolean);
      if (named.length && named.length === result.errors.length) {
        show(`✗ ${id} ${bundle.name}  failed  ${named[0]} is missing, or is not a plain function\n\n` +
          `  hint      the package must declare func ${named[0]}; its stub's signature is the one to keep\n`);
        remember("failed", seed);
        status.textContent = `${named[0]} is missing.`;
        return;
      }
      // As go build writes them, in the learner's folder.
      const lines = result.errors.map((e) => {
        const file = e.file && e.file.endsWith(".go") && !e.file.includes("main.go")
          ? `${bundle.downloadDir}/${e.file.split("/").pop()}` : e.file;
        return `${file}:${e.line}:${e.col}: ${e.message}`;
      });
      show(`✗ ${id} ${bundle.name}  does not compile\n\n${lines.join("\n")}\n`);
      remember("does not compile", seed);
      status.textContent = "Your code does not compile.";
      return;
    }
    status.textContent = "Checking…";
    const { verdict, report, line } = await judge(result.wasm, [], seed);
    show(report);
    remember(verdict, seed);
    status.textContent = line;
  };

  // judge runs the check program, with args after the seed's, and says
  // what the page shows of it: the verdict, the report and the status
  // line. The tests call it (NotebookCheck.judge) with the grader's own
  // cases.
  const judge = async (wasm, args, seed) => {
    const limitMs = (bundle.timeout + 10) * 1000;
    const out = await runProgram(wasm, ["-seed", String(seed), ...args], limitMs);
    const verdicts = Object.fromEntries(Object.entries(bundle.exit).map(([k, v]) => [v, k]));
    if (out.timedOut) {
      return {
        verdict: "failed", line: "The check was stopped.",
        report: `✗ ${id} ${bundle.name}  failed  the check did not finish within ${bundle.timeout + 10}s: the page stopped it\n\n` +
          "look for a loop that never ends, or one that never waits for anything: in this tab such a loop holds\n" +
          `the program's only thread, and the check's own time limit cannot stop it; ${bundle.checkCommand} --seed ${seed} ${id}\n` +
          "says more.\n",
      };
    }
    const verdict = out.type === "exit" ? verdicts[out.code] : undefined;
    if (!verdict) {
      // The program ended itself: a panic in a goroutine of the code,
      // os.Exit or log.Fatal end the whole program, checks included.
      const why = out.type === "exit" ? `exit status ${out.code}` : out.message;
      return {
        verdict: "failed", line: "The program stopped.",
        report: `✗ ${id} ${bundle.name}  failed  the program stopped before the exercise was graded (${why})\n\n` +
          (out.stdout || "") + (out.stderr || ""),
      };
    }
    return { verdict, report: out.stdout, line: `Checked in this page on seed ${seed}: ${verdict}.` };
  };
  globalThis.NotebookCheck = { judge: async (wasm, args, seed) => { await ready; return judge(wasm, args, seed); } };

  const checkOnServer = async () => {
    status.textContent = "Grading (the first check builds the grader, which takes a few seconds)…";
    const resp = await fetch("/_check", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: +id, code: editor.value }),
    });
    const text = await resp.text();
    show(text);
    const first = text.split("\n")[0];
    const verdict = /^✓/.test(first) ? "passed" : /^·/.test(first) ? "not done" : "failed";
    if (resp.ok) remember(verdict, 0);
    status.textContent = resp.ok ? "Graded; your file on disk is unchanged." : "The check failed.";
  };

  runButton.addEventListener("click", async () => {
    runButton.disabled = true;
    try {
      await ready;
      store.set(codeKey(id), editor.value);
      let seed = parseInt(seedInput.value, 10);
      if (!(seed > 0)) seed = 1 + Math.floor(Math.random() * 999999999); // as check picks one
      if (serve) await checkOnServer();
      else await checkHere(seed);
    } catch (err) {
      status.textContent = "The check failed: " + (err && err.message || err);
    } finally {
      runButton.disabled = false;
    }
  });

  section.querySelector(".nb-check-reset").addEventListener("click", async () => {
    await ready;
    if (editor.value !== bundle.files[bundle.file] && !confirm("Replace your code with the stub? Your code is lost.")) return;
    editor.value = bundle.files[bundle.file];
    store.remove(codeKey(id));
  });

  // Download: a zip of every exercise with code kept in this browser, as
  // exercises/<package>/<file>.go beside the package's other files (the
  // stubs), which check and grade take as they are.
  section.querySelector(".nb-check-download").addEventListener("click", async () => {
    await ready;
    store.set(codeKey(id), editor.value);
    const entries = new Map();
    const bundles = new Map([[id, bundle]]);
    for (const a of document.querySelectorAll("a[href^='exercise-']")) {
      const m = a.getAttribute("href").match(/^exercise-0*(\d+)/);
      if (m && store.get(codeKey(m[1])) !== null && !bundles.has(m[1])) bundles.set(m[1], null);
    }
    for (const [ex, b0] of bundles) {
      let b = b0;
      if (!b) {
        const page = await fetch(document.querySelector(`a[href^='exercise-${String(ex).padStart(2, "0")}']`).getAttribute("href"));
        const m = (await page.text()).match(/data-bundle="([^"]+)"/);
        if (!m) continue;
        b = await loadBundle(new URL(m[1], location.href).href);
      }
      for (const [name, src] of Object.entries(b.files)) {
        const path = `${b.downloadDir}/${name}`;
        if (!entries.has(path)) entries.set(path, src);
      }
      entries.set(`${b.downloadDir}/${b.file}`, store.get(codeKey(ex)) ?? b.files[b.file]);
    }
    const blob = zip([...entries].sort(([a], [b]) => a.localeCompare(b)));
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "exercises.zip";
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    status.textContent = `Downloaded exercises.zip: ${entries.size} files; unzip it in the tutorial's folder.`;
  });

  // zip writes files, stored (not compressed), as a zip archive.
  function zip(files) {
    const enc = new TextEncoder();
    const crcTable = Array.from({ length: 256 }, (_, n) => {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      return c >>> 0;
    });
    const crc32 = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
    const parts = [], central = [];
    let offset = 0;
    for (const [path, text] of files) {
      const name = enc.encode(path), data = enc.encode(text), crc = crc32(data);
      const head = new DataView(new ArrayBuffer(30));
      head.setUint32(0, 0x04034b50, true); head.setUint16(4, 20, true); head.setUint16(6, 0x0800, true);
      head.setUint32(14, crc, true); head.setUint32(18, data.length, true); head.setUint32(22, data.length, true);
      head.setUint16(26, name.length, true);
      parts.push(head, name, data);
      const dir = new DataView(new ArrayBuffer(46));
      dir.setUint32(0, 0x02014b50, true); dir.setUint16(4, 20, true); dir.setUint16(6, 20, true);
      dir.setUint16(8, 0x0800, true); dir.setUint32(16, crc, true); dir.setUint32(20, data.length, true);
      dir.setUint32(24, data.length, true); dir.setUint16(28, name.length, true); dir.setUint32(42, offset, true);
      central.push(dir, name);
      offset += 30 + name.length + data.length;
    }
    const size = central.reduce((n, p) => n + p.byteLength, 0);
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true); end.setUint16(8, files.length, true); end.setUint16(10, files.length, true);
    end.setUint32(12, size, true); end.setUint32(16, offset, true);
    return new Blob([...parts, ...central, end], { type: "application/zip" });
  }
})();
