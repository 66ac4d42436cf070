// The Web Worker that compiles Go in the reader's tab: the Go toolchain's
// own cmd/compile and cmd/link, built for js/wasm (site/toolchain.go), run
// on an in-memory file system that holds the package archives of the
// site's bundle, the sources and the outputs. compile.js starts it and is
// its only caller; node runs it too, in the tests (site/inpage/toolchain_test.go).
//
// Messages in: {type: "build", id, manifest, packages: [{importPath, files,
// embed}], extras: [name]} (extras: the manifest's extra bundles the
// packages import from, such as "check") and {type: "buildChapter", id,
// manifest, chapter, cells}. Out:
// {type: "progress", id, stage, loaded, total} and {type: "result", id,
// wasm | errors}.
"use strict";

// ---- the file system, as wasm_exec.js calls it (node's fs callbacks) ----

const errno = (code) => { const e = new Error(code); e.code = code; return e; };
const C = { O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536 };

// A file is {data: Uint8Array (capacity), size}; a folder is a Set of
// names. Paths are absolute and clean (resolve).
const files = new Map();
const dirs = new Map([["/", new Set()]]);
const fds = new Map(); // fd -> {path, pos, append}
let nextFD = 10, cwd = "/work";

function resolve(...parts) {
  let p = "";
  for (const s of parts) p = s.startsWith("/") ? s : p + "/" + s;
  if (!p.startsWith("/")) p = cwd + "/" + p;
  const out = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop(); else out.push(seg);
  }
  return "/" + out.join("/");
}
const parent = (p) => p.slice(0, p.lastIndexOf("/")) || "/";
const base = (p) => p.slice(p.lastIndexOf("/") + 1);

function mkdirAll(p) {
  if (dirs.has(p)) return;
  mkdirAll(parent(p));
  dirs.set(p, new Set());
  dirs.get(parent(p)).add(base(p));
}

// putFile adds or replaces a whole file, making its folders.
function putFile(path, data) {
  path = resolve(path);
  mkdirAll(parent(path));
  files.set(path, { data, size: data.length });
  dirs.get(parent(path)).add(base(path));
}
function getFile(path) {
  const f = files.get(resolve(path));
  return f && f.data.subarray(0, f.size);
}
function removeUnder(prefix) {
  for (const p of [...files.keys()]) if (p.startsWith(prefix + "/")) { files.delete(p); dirs.get(parent(p))?.delete(base(p)); }
}

let ino = 1;
function statOf(path) {
  const f = files.get(path), d = dirs.get(path);
  if (!f && !d) return null;
  const now = Date.now();
  return {
    dev: 1, ino: ino++, mode: d ? 0o40755 : 0o100644, nlink: 1, uid: 0, gid: 0, rdev: 0,
    size: d ? 0 : f.size, blksize: 4096, blocks: d ? 0 : Math.ceil(f.size / 512),
    atimeMs: now, mtimeMs: now, ctimeMs: now,
    isDirectory() { return !!d; },
  };
}

// grow makes room in a file for size bytes, doubling so that a linker
// writing piece by piece copies little.
function grow(f, size) {
  if (size <= f.data.length) return;
  const data = new Uint8Array(Math.max(size, f.data.length * 2, 4096));
  data.set(f.data.subarray(0, f.size));
  f.data = data;
}

const decoder = new TextDecoder();
let stderr = "";

globalThis.fs = {
  constants: C,
  writeSync(fd, buf) {
    if (fd === 1 || fd === 2) { stderr += decoder.decode(buf); return buf.length; }
    throw errno("EBADF");
  },
  write(fd, buf, offset, length, position, cb) {
    if (fd === 1 || fd === 2) { cb(null, this.writeSync(fd, buf.subarray(offset, offset + length))); return; }
    const o = fds.get(fd), f = o && files.get(o.path);
    if (!f) { cb(errno("EBADF")); return; }
    const at = position == null ? (o.append ? f.size : o.pos) : position;
    grow(f, at + length);
    f.data.set(buf.subarray(offset, offset + length), at);
    f.size = Math.max(f.size, at + length);
    if (position == null) o.pos = at + length;
    cb(null, length);
  },
  read(fd, buf, offset, length, position, cb) {
    const o = fds.get(fd), f = o && files.get(o.path);
    if (!f) { cb(errno(o ? "EISDIR" : "EBADF")); return; }
    const from = position == null ? o.pos : position;
    const n = Math.max(0, Math.min(length, f.size - from));
    buf.set(f.data.subarray(from, from + n), offset);
    if (position == null) o.pos = from + n;
    cb(null, n);
  },
  open(path, flags, mode, cb) {
    path = resolve(path);
    if (dirs.has(path)) {
      if (flags & (C.O_WRONLY | C.O_RDWR)) { cb(errno("EISDIR")); return; }
    } else if (!files.has(path)) {
      if (!(flags & C.O_CREAT)) { cb(errno("ENOENT")); return; }
      if (!dirs.has(parent(path))) { cb(errno("ENOENT")); return; }
      putFile(path, new Uint8Array(0));
    } else if (flags & C.O_EXCL && flags & C.O_CREAT) { cb(errno("EEXIST")); return; }
    if (flags & C.O_DIRECTORY && !dirs.has(path)) { cb(errno("ENOTDIR")); return; }
    if (flags & C.O_TRUNC && files.has(path)) files.get(path).size = 0;
    const fd = nextFD++;
    fds.set(fd, { path, pos: 0, append: !!(flags & C.O_APPEND) });
    cb(null, fd);
  },
  close(fd, cb) { fds.delete(fd) ? cb(null) : cb(errno("EBADF")); },
  fstat(fd, cb) {
    if (fd <= 2) { cb(null, { ...statOf("/"), mode: 0o20666, isDirectory() { return false; } }); return; }
    const o = fds.get(fd), s = o && statOf(o.path);
    s ? cb(null, s) : cb(errno("EBADF"));
  },
  stat(path, cb) { const s = statOf(resolve(path)); s ? cb(null, s) : cb(errno("ENOENT")); },
  lstat(path, cb) { this.stat(path, cb); },
  readdir(path, cb) { const d = dirs.get(resolve(path)); d ? cb(null, [...d]) : cb(errno("ENOTDIR")); },
  mkdir(path, perm, cb) {
    path = resolve(path);
    if (dirs.has(path) || files.has(path)) { cb(errno("EEXIST")); return; }
    if (!dirs.has(parent(path))) { cb(errno("ENOENT")); return; }
    mkdirAll(path);
    cb(null);
  },
  rmdir(path, cb) {
    path = resolve(path);
    const d = dirs.get(path);
    if (!d) { cb(errno("ENOENT")); return; }
    if (d.size) { cb(errno("ENOTEMPTY")); return; }
    dirs.delete(path); dirs.get(parent(path)).delete(base(path));
    cb(null);
  },
  unlink(path, cb) {
    path = resolve(path);
    if (!files.delete(path)) { cb(errno("ENOENT")); return; }
    dirs.get(parent(path)).delete(base(path));
    cb(null);
  },
  rename(from, to, cb) {
    from = resolve(from); to = resolve(to);
    const f = files.get(from);
    if (!f) { cb(errno("ENOENT")); return; }
    if (!dirs.has(parent(to))) { cb(errno("ENOENT")); return; }
    files.delete(from); dirs.get(parent(from)).delete(base(from));
    files.set(to, f); dirs.get(parent(to)).add(base(to));
    cb(null);
  },
  ftruncate(fd, length, cb) {
    const o = fds.get(fd), f = o && files.get(o.path);
    if (!f) { cb(errno("EBADF")); return; }
    grow(f, length);
    if (length > f.size) f.data.fill(0, f.size, length);
    f.size = length;
    cb(null);
  },
  truncate(path, length, cb) {
    const f = files.get(resolve(path));
    if (!f) { cb(errno("ENOENT")); return; }
    grow(f, length); f.size = length; cb(null);
  },
  fsync(fd, cb) { cb(null); },
  chmod(path, mode, cb) { cb(null); },
  fchmod(fd, mode, cb) { cb(null); },
  chown(path, uid, gid, cb) { cb(null); },
  fchown(fd, uid, gid, cb) { cb(null); },
  lchown(path, uid, gid, cb) { cb(null); },
  utimes(path, atime, mtime, cb) { cb(null); },
  readlink(path, cb) { cb(errno("EINVAL")); },
  link(path, link, cb) { cb(errno("ENOSYS")); },
  symlink(path, link, cb) { cb(errno("ENOSYS")); },
};
globalThis.path = { resolve };
globalThis.process = {
  getuid() { return -1; }, getgid() { return -1; }, geteuid() { return -1; }, getegid() { return -1; },
  getgroups() { throw errno("ENOSYS"); }, pid: 1, ppid: 0, umask() { return 0o22; },
  cwd() { return cwd; }, chdir(p) { cwd = resolve(p); },
};

// ---- the toolchain: fetched once, kept compiled ----

let manifest = null, manifestURL = "";
const modules = new Map(); // url -> Promise<WebAssembly.Module>
let bundle = null;         // Promise: the archives are in the file system

// fetchBytes fetches a file of the site, telling report as bytes arrive.
// The browser's HTTP cache keeps it: its name is its content's. A .gz or
// .zst is decompressed here, unless the server already did
// (Content-Encoding), so that any static server sends the compressed bytes.
async function fetchBytes(url, stage, report) {
  const resp = await cachedFetch(url);
  if (!resp.ok) throw new Error(`fetching ${url}: ${resp.status} ${resp.statusText}`);
  const reader = resp.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    report(stage, value.length);
  }
  let out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  if (url.endsWith(".gz") && out[0] === 0x1f && out[1] === 0x8b) {
    const stream = new Blob([out]).stream().pipeThrough(new DecompressionStream("gzip"));
    out = new Uint8Array(await new Response(stream).arrayBuffer());
  } else if (url.endsWith(".zst") && out[0] === 0x28 && out[1] === 0xb5 && out[2] === 0x2f && out[3] === 0xfd) {
    // No browser decodes zstd for a script: fzstd does (zstd.js, which
    // the site appends to this file), about 200 MB a second.
    out = NotebookZstd.decompress(out);
  }
  return out;
}

// cachedFetch keeps the toolchain's files in Cache Storage too: their
// names are their content's, so a kept one is never stale, and a second
// visit fetches nothing even from a server that says nothing of caching.
// Where there is no Cache Storage (node, a page not served securely), it
// is a fetch.
const cacheName = "notebook-compiler";
async function cachedFetch(url) {
  let cache = null;
  try { cache = globalThis.caches && await caches.open(cacheName); } catch { cache = null; }
  const hit = cache && await cache.match(url);
  if (hit) return hit;
  const resp = await fetch(url);
  // Not awaited: the body is read here meanwhile, for the progress bar.
  if (cache && resp.ok) cache.put(url, resp.clone()).catch(() => { /* full: fetched again next time */ });
  return resp;
}

// forgetOld drops from Cache Storage the files of older toolchains: those
// the manifest no longer names.
async function forgetOld() {
  try {
    if (!globalThis.caches) return;
    const cache = await caches.open(cacheName);
    const keep = new Set([manifest.compile, manifest.link, manifest.gen, manifest.bundle,
      ...Object.values(manifest.extras || {}).map((e) => e.bundle),
      ...Object.values(manifest.chapters).flatMap((c) => [c.source, ...Object.values(c.dataFiles || {})])].map(at));
    for (const req of await cache.keys()) if (!keep.has(req.url)) await cache.delete(req);
  } catch { /* only housekeeping */ }
}

function module(url, report) {
  if (!modules.has(url)) {
    const p = fetchBytes(url, "toolchain", report).then((b) => WebAssembly.compile(b));
    p.catch(() => modules.delete(url));
    modules.set(url, p);
  }
  return modules.get(url);
}

async function loadManifest(url) {
  if (manifest && manifestURL === url) return manifest;
  if (typeof importScripts === "function" && !globalThis.Go) {
    // wasm_exec.js must be the one of the toolchain that built compile.wasm.
    const m = await (await fetch(url)).json();
    importScripts(new URL(m.wasmExec, url).href);
    manifest = m;
  } else {
    manifest = await (await fetch(url)).json();
  }
  manifestURL = url;
  forgetOld();
  return manifest;
}

const at = (p) => new URL(p, manifestURL).href;

// loadBundle puts every archive of the bundle in the file system, under
// /pkg/, where the importcfg of the manifest says they are.
function loadBundle(report) {
  if (!bundle) {
    bundle = fetchBytes(at(manifest.bundle), "packages", report).then((b) => {
      for (const [path, [off, len]] of Object.entries(manifest.archives)) {
        putFile("/pkg/" + path + ".a", b.subarray(off, off + len));
      }
    });
    bundle.catch(() => { bundle = null; });
  }
  return bundle;
}

// loadExtra puts the archives of the manifest's extra bundle name in the
// file system too, once.
const extraBundles = new Map(); // name -> Promise
function loadExtra(name, report) {
  const extra = (manifest.extras || {})[name];
  if (!extra) return Promise.reject(new Error(`the site's toolchain has no bundle ${name}`));
  if (!extraBundles.has(name)) {
    const p = fetchBytes(at(extra.bundle), "packages", report).then((b) => {
      for (const [path, [off, len]] of Object.entries(extra.archives)) {
        putFile("/pkg/" + path + ".a", b.subarray(off, off + len));
      }
    });
    p.catch(() => extraBundles.delete(name));
    extraBundles.set(name, p);
  }
  return extraBundles.get(name);
}

// downloadTotal is what a job fetches at most, compressed: for the
// progress bar.
function downloadTotal(msg) {
  if (!manifest) return 0;
  if (msg.type === "buildChapter") return manifest.downloadSize;
  return (manifest.buildSize || manifest.downloadSize) +
    (msg.extras || []).reduce((n, e) => n + (((manifest.extras || {})[e] || {}).size || 0), 0);
}

// run runs one of the toolchain's programs to its end, in a fresh
// instance of its (compiled, kept) module: a Go program runs once.
async function run(mod, args) {
  const go = new Go();
  go.argv = args;
  go.env = { GOOS: "js", GOARCH: "wasm", HOME: "/home", TMPDIR: "/tmp", GOROOT: "/goroot" };
  let code = 0;
  go.exit = (c) => { code = c; };
  stderr = "";
  const inst = await WebAssembly.instantiate(mod, go.importObject);
  await go.run(inst);
  return { code, output: stderr };
}

// ---- building ----

// parseErrors reads the compiler's messages: "file:line:col: message".
function parseErrors(out) {
  const errs = [];
  for (const line of out.split("\n")) {
    const m = /^(.+?):(\d+)(?::(\d+))?: (.*)$/.exec(line);
    if (m) errs.push({ file: m[1], line: +m[2], col: m[3] ? +m[3] : 0, message: m[4] });
    else if (line.startsWith("\t") && errs.length) errs[errs.length - 1].message += "\n" + line.trim();
  }
  return errs;
}

async function build(msg, report = () => {}) {
  await loadManifest(msg.manifest);
  const extras = msg.extras || [];
  const [compile, link] = await Promise.all([module(at(manifest.compile), report), module(at(manifest.link), report), loadBundle(report),
    ...extras.map((e) => loadExtra(e, report))]);
  removeUnder("/work");
  mkdirAll("/work");
  mkdirAll("/tmp");
  // The importcfg: the bundles' packages, then those built here.
  let cfg = manifest.importcfg + extras.map((e) => manifest.extras[e].importcfg).join("");
  const built = [];
  for (const [i, p] of msg.packages.entries()) {
    const main = i === msg.packages.length - 1;
    const dir = `/work/p${i}`;
    const names = Object.keys(p.files).sort();
    for (const n of names) putFile(`${dir}/${n}`, new TextEncoder().encode(p.files[n]));
    // Positions in the program (a panic's stack) name a package's files as
    // the go command's -trimpath does: by import path, main's by name.
    const args = ["compile", "-o", `${dir}/_pkg_.a`, "-trimpath", main ? `${dir}=>` : `${dir}=>${p.importPath}`, "-p", main ? "main" : p.importPath,
      "-lang=" + manifest.lang, "-complete", "-dwarf=false", "-goversion", manifest.goVersion, "-c=1", "-nolocalimports"];
    putFile(`${dir}/importcfg`, new TextEncoder().encode(cfg));
    args.push("-importcfg", `${dir}/importcfg`);
    if (p.embed && Object.keys(p.embed).length) {
      const cfgEmbed = { Patterns: {}, Files: {} };
      for (const [pattern, fs] of Object.entries(p.embed)) {
        cfgEmbed.Patterns[pattern] = Object.keys(fs).sort();
        for (const [name, data] of Object.entries(fs)) {
          putFile(`${dir}/embed/${name}`, data);
          cfgEmbed.Files[name] = `${dir}/embed/${name}`;
        }
      }
      putFile(`${dir}/embedcfg`, new TextEncoder().encode(JSON.stringify(cfgEmbed)));
      args.push("-embedcfg", `${dir}/embedcfg`);
    }
    args.push("-pack", ...names.map((n) => `${dir}/${n}`));
    report("compile " + (main ? "main" : p.importPath), 0);
    const r = await run(compile, args);
    if (r.code !== 0) {
      // Named as the caller named the files, not by where they are here.
      const errors = parseErrors(r.output).map((e) => ({ ...e, file: e.file.startsWith(dir + "/") ? e.file.slice(dir.length + 1) : e.file }));
      return { errors: errors.length ? errors : [{ file: "", line: 0, col: 0, message: r.output.trim() || `compile exited with status ${r.code}` }] };
    }
    if (!main) cfg += `packagefile ${p.importPath}=${dir}/_pkg_.a\n`;
    built.push(`${dir}/_pkg_.a`);
  }
  const linkcfg = cfg + "modinfo \"\"\n";
  putFile("/work/importcfg.link", new TextEncoder().encode(linkcfg));
  report("link", 0);
  const out = "/work/main.wasm";
  const r = await run(link, ["link", "-o", out, "-importcfg", "/work/importcfg.link", "-buildmode=exe", "-s", "-w", built[built.length - 1]]);
  if (r.code !== 0) return { errors: [{ file: "", line: 0, col: 0, message: "link: " + r.output.trim() }] };
  return { wasm: getFile(out).slice() };
}

// ---- an edited chapter: gen.wasm, then build ----

const chapterFiles = new Map(); // chapter -> Promise<{source, data: {name: bytes}}>

function chapterInputs(name, report) {
  if (!chapterFiles.has(name)) {
    const ch = manifest.chapters[name];
    const p = (async () => {
      const source = new TextDecoder().decode(await fetchBytes(at(ch.source), "chapter", report));
      const data = {};
      for (const [n, url] of Object.entries(ch.dataFiles || {})) data[n] = await fetchBytes(at(url), "data", report);
      return { source, data };
    })();
    p.catch(() => chapterFiles.delete(name));
    chapterFiles.set(name, p);
  }
  return chapterFiles.get(name);
}

async function buildChapter(msg, report = () => {}) {
  await loadManifest(msg.manifest);
  const ch = manifest.chapters[msg.chapter];
  if (!ch) throw new Error(`the site's toolchain has no chapter ${msg.chapter}`);
  const [gen, inputs] = await Promise.all([module(at(manifest.gen), report), chapterInputs(msg.chapter, report)]);
  const names = Object.keys(inputs.data).sort();
  const embed = {};
  for (const n of names) embed[n] = { [n]: inputs.data[n] };
  const noDisplay = [];
  for (;;) {
    putFile("/gen/in.json", new TextEncoder().encode(JSON.stringify({
      path: msg.chapter, source: inputs.source, linePath: ch.linePath, cells: msg.cells, noDisplay, dataFiles: names,
    })));
    report("generate", 0);
    const g = await run(gen, ["gen", "/gen/in.json", "/gen/out.json"]);
    const out = getFile("/gen/out.json");
    if (g.code !== 0 || !out) throw new Error("generating the chapter's program: " + g.output);
    const prog = JSON.parse(new TextDecoder().decode(out));
    if (prog.error) return { errors: [{ cell: 0, line: 0, col: 0, message: prog.error }] };
    const res = await build({ manifest: msg.manifest, packages: [{ importPath: "main", files: { "main.go": prog.source }, embed }] }, report);
    if (res.wasm) return res;
    const inChapter = (e) => e.file === ch.linePath || e.file.endsWith("/" + ch.linePath);
    // As site.CompileWasm: a displayed call that has no value is known
    // only to the compiler; the cell is generated again without display.
    let retry = false;
    for (const [cell, line] of Object.entries(prog.displays || {})) {
      if (noDisplay.includes(+cell)) continue;
      if (res.errors.some((e) => inChapter(e) && e.line === line && e.message.includes("used as value"))) {
        noDisplay.push(+cell);
        retry = true;
      }
    }
    if (retry) continue;
    return { errors: res.errors.map((e) => cellError(e, inChapter(e), prog.cellLines || {}, prog.editedLines)) };
  }
}

// cellError names a compile error by its cell and the line in the cell:
// gen numbers line L of edited cell N as N*editedLines+L
// (chapter.EditedLines, which it reports).
function cellError(e, inChapter, cellLines, editedLines) {
  if (!inChapter) return { cell: 0, line: e.line, col: e.col, message: (e.file ? e.file + ": " : "") + e.message };
  if (editedLines && e.line > editedLines) return { cell: Math.floor(e.line / editedLines), line: e.line % editedLines, col: e.col, message: e.message };
  let cell = 0, start = 0;
  for (const [c, l] of Object.entries(cellLines)) if (l <= e.line && l > start) { cell = +c; start = l; }
  return { cell, line: cell ? e.line - start + 1 : e.line, col: e.col, message: e.message };
}

globalThis.NotebookCompileWorker = { build, buildChapter, putFile, getFile, run };

// One job at a time: they share the file system.
let queue = Promise.resolve();
globalThis.onmessage = (ev) => {
  const msg = ev.data;
  // Progress: bytes fetched so far (of manifest.downloadSize), and stage.
  let loaded = 0, last = 0;
  const report = (stage, n) => {
    loaded += n;
    const now = performance.now();
    if (n === 0 || now - last > 100) {
      last = now;
      postMessage({ type: "progress", id: msg.id, stage, loaded, total: downloadTotal(msg) });
    }
  };
  queue = queue.then(() => (msg.type === "buildChapter" ? buildChapter(msg, report) : build(msg, report)))
    .then((res) => postMessage({ type: "result", id: msg.id, ...res }, res.wasm ? [res.wasm.buffer] : []),
      (err) => postMessage({ type: "result", id: msg.id, errors: [{ file: "", cell: 0, line: 0, col: 0, message: String(err && err.message || err) }] }));
};
