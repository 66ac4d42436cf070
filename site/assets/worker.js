// The Web Worker that runs a chapter's program (built for GOOS=js) for the
// page's Run buttons, off the page's main thread, so the page stays
// responsive while a cell runs. run.js starts it; this script talks to the
// program through globalThis.notebook (see runner/kernel/browser_js.go)
// and to the page through messages.
"use strict";

const enosys = (code) => { const e = new Error(code || "ENOSYS"); e.code = code || "ENOSYS"; return e; };

// What the program writes to stdout and stderr, sent to the page in
// batches: a message per Println would flood it.
const decoder = new TextDecoder("utf-8");
let pending = "", pendingSince = 0, currentCell = 0;
function flush() {
  if (pending !== "") {
    postMessage({ type: "output", cell: currentCell, text: pending });
    pending = "";
  }
}

// A read-only file system holding the chapter's data files, which the
// program hands over at start (notebook.addFile), so that a cell's
// os.Open("american-english") works as it does beside the chapter.
const files = new Map(); // "/name" -> Uint8Array
const open = new Map();  // fd -> {path, pos}
let nextFD = 100;
const abs = (p) => (p.startsWith("/") ? p : "/" + p).replace(/\/\.?$/, "") || "/";
function stat(path) {
  const isDir = path === "/";
  const data = files.get(path);
  if (!isDir && !data) return null;
  const now = Date.now();
  return {
    dev: 1, ino: 1, mode: isDir ? 0o40555 : 0o100444, nlink: 1, uid: 0, gid: 0, rdev: 0,
    size: isDir ? 0 : data.length, blksize: 4096, blocks: isDir ? 0 : Math.ceil(data.length / 512),
    atimeMs: now, mtimeMs: now, ctimeMs: now,
    isDirectory() { return isDir; },
  };
}
globalThis.fs = {
  constants: { O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_TRUNC: 512, O_APPEND: 1024, O_EXCL: 128, O_DIRECTORY: 65536 },
  writeSync(fd, buf) {
    pending += decoder.decode(buf, { stream: true });
    const now = performance.now();
    if (pending.length > 16384 || now - pendingSince > 50) { flush(); pendingSince = now; }
    return buf.length;
  },
  write(fd, buf, offset, length, position, callback) {
    if (fd !== 1 && fd !== 2) { callback(enosys("EBADF")); return; }
    callback(null, this.writeSync(fd, buf.subarray(offset, offset + length)));
  },
  open(path, flags, mode, callback) {
    path = abs(path);
    if (flags & 3) { callback(enosys("EROFS")); return; }
    if (!stat(path)) { callback(enosys("ENOENT")); return; }
    const fd = nextFD++;
    open.set(fd, { path, pos: 0 });
    callback(null, fd);
  },
  read(fd, buffer, offset, length, position, callback) {
    const f = open.get(fd);
    const data = f && files.get(f.path);
    if (!data) { callback(enosys(f ? "EISDIR" : "EBADF")); return; }
    const from = position == null ? f.pos : position;
    const chunk = data.subarray(from, Math.min(data.length, from + length));
    buffer.set(chunk, offset);
    if (position == null) f.pos += chunk.length;
    callback(null, chunk.length);
  },
  fstat(fd, callback) {
    const f = open.get(fd);
    if (fd <= 2) { callback(null, { ...stat("/"), mode: 0o20666, isDirectory() { return false; } }); return; }
    f ? callback(null, stat(f.path)) : callback(enosys("EBADF"));
  },
  stat(path, callback) { const s = stat(abs(path)); s ? callback(null, s) : callback(enosys("ENOENT")); },
  lstat(path, callback) { this.stat(path, callback); },
  close(fd, callback) { open.delete(fd); callback(null); },
  readdir(path, callback) {
    abs(path) === "/" ? callback(null, [...files.keys()].map((p) => p.slice(1))) : callback(enosys("ENOTDIR"));
  },
  fsync(fd, callback) { callback(null); },
};
for (const name of ["chmod", "chown", "fchmod", "fchown", "ftruncate", "lchown", "link", "mkdir", "readlink",
  "rename", "rmdir", "symlink", "truncate", "unlink", "utimes"]) {
  globalThis.fs[name] = (...args) => args[args.length - 1](enosys("EROFS"));
}
globalThis.process = {
  getuid() { return -1; }, getgid() { return -1; }, geteuid() { return -1; }, getegid() { return -1; },
  getgroups() { throw enosys(); }, pid: -1, ppid: -1, umask() { return 0o22; },
  cwd() { return "/"; }, chdir() { throw enosys(); },
};

// The program's side: it adds its files, takes requests, and sends events.
const queued = []; // requests sent before the program is ready
globalThis.notebook = {
  addFile(path, data) { files.set(path, data); },
  event(e) {
    flush();
    if (e.kind === "begin") currentCell = e.cell;
    if (e.kind === "ready") {
      // The start's own work (compiling the WebAssembly, starting Go): how
      // fast this device is now, by which the page scales time limits.
      postMessage({ type: "started", ms: performance.now() - instantiating });
      postMessage({ type: "ready", ms: performance.now() - started });
      for (const r of queued.splice(0)) globalThis.notebook.request(r);
      return;
    }
    postMessage({ type: e.kind, ...e });
  },
};

let started = 0, instantiating = 0;
async function load(msg) {
  started = performance.now();
  importScripts(msg.wasmExec);
  // An edited chapter's program, compiled in the page, comes as bytes.
  const bytes = msg.bytes || await download(msg);
  const go = new Go();
  instantiating = performance.now();
  const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
  go.exit = (code) => { flush(); postMessage({ type: "exit", code }); };
  go.run(instance);
}

async function download(msg) {
  const resp = await fetch(msg.wasm);
  if (!resp.ok) throw new Error(`fetching ${msg.wasm}: ${resp.status} ${resp.statusText}`);
  // Count the bytes as they arrive, for the page's progress bar: the
  // total is the uncompressed size, since a server may gzip on the way.
  const reader = resp.body.getReader();
  const chunks = [];
  let loaded = 0, last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    const now = performance.now();
    if (now - last > 100) { postMessage({ type: "progress", loaded, total: msg.size }); last = now; }
  }
  postMessage({ type: "progress", loaded, total: msg.size });
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { bytes.set(c, at); at += c.length; }
  return bytes;
}

onmessage = (ev) => {
  const msg = ev.data;
  switch (msg.type) {
    case "load":
      load(msg).catch((err) => postMessage({ type: "error", message: String(err && err.message || err) }));
      break;
    case "run":
    case "command": {
      const req = msg.type === "run" ? { run: msg.upTo } : { command: msg.line };
      if (globalThis.notebook.request) globalThis.notebook.request(req);
      else queued.push(req);
      break;
    }
  }
};
