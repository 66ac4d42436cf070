// The Web Worker that runs an exercise's check program (package
// runner/grade/browsercheck, compiled in the page for GOOS=js): the
// grader's checks and the learner's code in one program, off the page's
// main thread. check.js starts one Worker per check and terminates it if
// the program does not end in time (a loop that never yields holds its
// thread). The program prints its report on standard output and says the
// verdict with its exit status.
"use strict";

const enosys = (code) => { const e = new Error(code || "ENOSYS"); e.code = code || "ENOSYS"; return e; };
const out = { 1: "", 2: "" };
const decoders = { 1: new TextDecoder("utf-8"), 2: new TextDecoder("utf-8") };
const cap = 1 << 20; // a program that prints without end must not fill the tab's memory

globalThis.fs = {
  constants: { O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_TRUNC: 512, O_APPEND: 1024, O_EXCL: 128, O_DIRECTORY: 65536 },
  writeSync(fd, buf) {
    if (out[fd].length < cap) out[fd] += decoders[fd].decode(buf, { stream: true });
    return buf.length;
  },
  write(fd, buf, offset, length, position, callback) {
    if (fd !== 1 && fd !== 2) { callback(enosys("EBADF")); return; }
    callback(null, this.writeSync(fd, buf.subarray(offset, offset + length)));
  },
  fstat(fd, callback) {
    if (fd > 2) { callback(enosys("EBADF")); return; }
    const now = Date.now();
    callback(null, {
      dev: 1, ino: 1, mode: 0o20666, nlink: 1, uid: 0, gid: 0, rdev: 0, size: 0, blksize: 4096, blocks: 0,
      atimeMs: now, mtimeMs: now, ctimeMs: now, isDirectory() { return false; },
    });
  },
  close(fd, callback) { callback(null); },
  fsync(fd, callback) { callback(null); },
};
for (const name of ["open", "read", "stat", "lstat", "readdir", "chmod", "chown", "fchmod", "fchown", "ftruncate",
  "lchown", "link", "mkdir", "readlink", "rename", "rmdir", "symlink", "truncate", "unlink", "utimes"]) {
  globalThis.fs[name] = (...args) => args[args.length - 1](enosys(name === "open" || name === "stat" ? "ENOENT" : "EROFS"));
}
globalThis.process = {
  getuid() { return -1; }, getgid() { return -1; }, geteuid() { return -1; }, getegid() { return -1; },
  getgroups() { throw enosys(); }, pid: -1, ppid: -1, umask() { return 0o22; },
  cwd() { return "/"; }, chdir() { throw enosys(); },
};

onmessage = async (ev) => {
  // wasm: the program's bytes, or a WebAssembly.Module compiled once for
  // several runs, as the tests run the grader's cases.
  const msg = ev.data; // {wasmExec, wasm, args: ["-seed", "N"]}
  try {
    importScripts(msg.wasmExec);
    const go = new Go();
    go.argv = ["check", ...msg.args];
    go.env = {};
    go.exit = (code) => postMessage({ type: "exit", code, stdout: out[1], stderr: out[2] });
    const made = await WebAssembly.instantiate(msg.wasm, go.importObject);
    const instance = made instanceof WebAssembly.Instance ? made : made.instance;
    postMessage({ type: "started" });
    await go.run(instance);
  } catch (err) {
    postMessage({ type: "error", message: String((err && err.message) || err), stdout: out[1], stderr: out[2] });
  }
};
