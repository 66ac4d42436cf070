#!/usr/bin/env bash
# Written by `go run ./runner autograder gradescope`; setup.sh runs it. It
# installs the Go toolchain the autograder was written with, {{.Go}}, in
# $GO_PREFIX/go (/usr/local/go), from go.dev, only if the tarball's SHA-256
# is the one given when the autograder was written: anything else is
# refused, and nothing is installed.
set -euo pipefail
go_version={{.Go}}
url="${GO_DOWNLOAD_URL:-https://go.dev/dl}"
prefix="${GO_PREFIX:-/usr/local}"
arch="${GO_ARCH:-$(dpkg --print-architecture)}"
tarball="${go_version}.linux-${arch}.tar.gz"
case "$tarball" in
{{- range .Checksums}}
  {{.Name}}) want={{.Sum}} ;;
{{- end}}
  *)
    echo "install_go.sh: no SHA-256 of $tarball was given when this autograder was written (only of {{.Known}}):" \
      "write it again with --go-sha256 naming this tarball's sum too" >&2
    exit 1 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL "$url/$tarball" -o "$tmp/$tarball"
got=$(sha256sum "$tmp/$tarball" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
  echo "install_go.sh: $url/$tarball has SHA-256 $got, not $want as given when this autograder was written:" \
    "not installed (a corrupted or altered download; write the autograder again if the sum given was wrong)" >&2
  exit 1
fi
rm -rf "$prefix/go"
tar -C "$prefix" -xzf "$tmp/$tarball"
echo "install_go.sh: installed $tarball (SHA-256 $got) in $prefix/go"
