#!/bin/sh
# Rebuilds ../zstd.js, the zstd decoder compile-worker.js uses for the
# in-page toolchain's files (runner site compresses them with the zstd
# command: a third smaller than gzip), and ../zstd.LICENSES.txt, from
# zstd.mjs and the versions pinned in package-lock.json. Both outputs are
# committed: building or testing the site needs neither npm nor the
# network. Run: sh site/assets/zstd/build.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/package.json" "$here/zstd.mjs" "$tmp/"
[ -f "$here/package-lock.json" ] && cp "$here/package-lock.json" "$tmp/"
cd "$tmp"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
  cp package-lock.json "$here/"
fi
# An IIFE whose one global, NotebookZstd, compile-worker.js calls: the
# site writes this file in front of the worker's own.
./node_modules/.bin/esbuild zstd.mjs --bundle --minify --format=iife --global-name=NotebookZstd \
  --target=es2020 --legal-comments=none --outfile=zstd.js
{
  echo "/* fzstd $(node -p 'require("./node_modules/fzstd/package.json").version'), MIT licensed: see zstd.LICENSES.txt. Built by zstd/build.sh. */"
  cat zstd.js
} > "$here/../zstd.js"
{
  echo "Licence of the package bundled into zstd.js (built by zstd/build.sh)."
  echo
  echo "==== fzstd $(node -p 'require("./node_modules/fzstd/package.json").version') (MIT)"
  cat node_modules/fzstd/LICENSE
} > "$here/../zstd.LICENSES.txt"
wc -c "$here/../zstd.js"
