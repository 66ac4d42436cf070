// Drives compile-worker.js under node for site/inpage/toolchain_test.go:
//   node compile-node.js SITE_DIR MANIFEST_URL JOBS.json OUT_DIR
// JOBS is [{name, type: "build"|"buildChapter", ...message}]; each job's
// result goes to OUT_DIR/NAME.json ({errors} or {wasm: true, ms}) and its
// binary to OUT_DIR/NAME.wasm.
"use strict";
const nfs = require("fs");
const npath = require("path");
const [site, manifestURL, jobsFile, outDir] = process.argv.slice(2);
const assets = nfs.readdirSync(npath.join(site, "assets"));
const asset = (prefix) => npath.join(site, "assets", assets.find((a) => a.startsWith(prefix)));
globalThis.postMessage = () => {};
const exit = process.exit.bind(process); // compile-worker.js replaces process with its own
require(asset("wasm_exec."));
require(asset("compile-worker."));
(async () => {
  const W = globalThis.NotebookCompileWorker;
  for (const job of JSON.parse(nfs.readFileSync(jobsFile, "utf8"))) {
    const t = Date.now();
    if (job.type === "build") {
      for (const p of job.packages) {
        for (const [pat, files] of Object.entries(p.embed || {})) {
          for (const n of Object.keys(files)) files[n] = new TextEncoder().encode(files[n]);
        }
      }
    }
    const res = await W[job.type]({ ...job, manifest: manifestURL });
    const ms = Date.now() - t;
    if (res.wasm) nfs.writeFileSync(npath.join(outDir, job.name + ".wasm"), res.wasm);
    nfs.writeFileSync(npath.join(outDir, job.name + ".json"), JSON.stringify(res.wasm ? { wasm: true, ms } : { ...res, ms }));
    console.log(job.name, ms, "ms");
  }
})().catch((err) => { console.error(err); exit(1); });
