#!/bin/sh
# Rebuilds ../editor.js, the site's cell editor (CodeMirror 6 with Go), and
# ../editor.LICENSES.txt, the licence notices of what it bundles, from
# editor.mjs and the versions pinned in package-lock.json. Both outputs are
# committed: building or testing the site needs neither npm nor the network;
# only changing the editor does. Run: sh site/assets/codemirror/build.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/editor.mjs" "$tmp/"
cd "$tmp"
npm ci --no-audit --no-fund --loglevel=error
./node_modules/.bin/esbuild editor.mjs --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none --metafile=meta.json --outfile=editor.js
{
  echo "/* CodeMirror 6 with Go, for the cell editor; MIT licensed: see editor.LICENSES.txt. Built by codemirror/build.sh. */"
  cat editor.js
} > "$here/../editor.js"
# The licence of every package the bundle holds code of, as esbuild's
# metafile lists its inputs.
node -e '
const fs = require("fs");
const meta = JSON.parse(fs.readFileSync("meta.json"));
const names = new Set();
for (const f of Object.keys(meta.inputs)) {
  const m = f.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) names.add(m[1]);
}
let out = "Licences of the packages bundled into editor.js (built by codemirror/build.sh).\n";
for (const name of [...names].sort()) {
  const dir = "node_modules/" + name;
  const pkg = JSON.parse(fs.readFileSync(dir + "/package.json"));
  const lic = fs.readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  out += `\n==== ${name} ${pkg.version} (${pkg.license})\n`;
  if (lic) out += fs.readFileSync(dir + "/" + lic, "utf8");
}
fs.writeFileSync(process.argv[1], out);
' "$here/../editor.LICENSES.txt"
wc -c "$here/../editor.js"
gzip -9 -c "$here/../editor.js" | wc -c
