// The in-page Go compiler's API, for the pages' editors and checks:
// globalThis.NotebookCompiler.build and .buildChapter. The work is done in
// a Web Worker (compile-worker.js) that runs the Go toolchain built for
// WebAssembly (site/toolchain.go); nothing is fetched until the first
// build. The toolchain's manifest is named by the data-toolchain attribute
// of a script tag of the page (the chapter's run.js tag, or the exercise
// page's check.js tag, written by site/wasm.go).
"use strict";
(() => {
  if (globalThis.NotebookCompiler) return;
  let worker = null, nextID = 1;
  const jobs = new Map(); // id -> {resolve, onProgress}

  function manifestURL() {
    const tag = document.querySelector("script[data-toolchain]");
    if (!tag) throw new Error("this page has no in-page compiler (no data-toolchain)");
    return new URL(tag.dataset.toolchain, document.baseURI).href;
  }

  async function start() {
    if (worker) return worker;
    const url = manifestURL();
    const resp = await fetch(url);
    if (!resp.ok) throw new Error(`fetching ${url}: ${resp.status} ${resp.statusText}`);
    const m = await resp.json();
    if (worker) return worker; // another call started it meanwhile
    worker = new Worker(new URL(m.worker, url).href);
    worker.onmessage = (ev) => {
      const msg = ev.data, job = jobs.get(msg.id);
      if (!job) return;
      if (msg.type === "progress") {
        if (job.onProgress) job.onProgress({ stage: msg.stage, loaded: msg.loaded, total: msg.total });
        return;
      }
      jobs.delete(msg.id);
      const { type, id, ...res } = msg;
      job.resolve(res);
    };
    worker.onerror = (ev) => {
      // The toolchain crashed: every job fails, the next build starts afresh.
      const message = "the in-page compiler failed: " + (ev.message || "error");
      for (const job of jobs.values()) job.resolve({ errors: [{ file: "", cell: 0, line: 0, col: 0, message }] });
      jobs.clear();
      worker.terminate();
      worker = null;
    };
    return worker;
  }

  async function call(msg, onProgress) {
    const w = await start();
    const id = nextID++;
    return new Promise((resolve) => {
      jobs.set(id, { resolve, onProgress });
      w.postMessage({ ...msg, id, manifest: manifestURL() });
    });
  }

  globalThis.NotebookCompiler = {
    // packages in dependency order, the last one is package main; files
    // are Go sources (names as the errors should show them); embed:
    // {pattern: {fileName: Uint8Array}}, optional; extras: the toolchain
    // manifest's extra bundles the packages need (["check"]), optional.
    // -> {wasm: Uint8Array} | {errors: [{file, line, col, message}]}
    async build({ packages, extras, onProgress }) {
      return call({ type: "build", packages, extras: extras || [] }, onProgress);
    },
    // generate + build an edited chapter: cells is {cellNumber: code}.
    // -> {wasm} | {errors: [{cell, line, col, message}]} (cell 0: not in a cell)
    async buildChapter({ chapter, cells, onProgress }) {
      const res = await call({ type: "buildChapter", chapter, cells: Object.fromEntries(Object.entries(cells).map(([k, v]) => [String(k), v])) }, onProgress);
      if (res.errors) res.errors = res.errors.map(({ file, ...e }) => e);
      return res;
    },
  };
})();
