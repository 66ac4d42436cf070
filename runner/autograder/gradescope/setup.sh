#!/usr/bin/env bash
# Written by `go run ./runner autograder gradescope`. Gradescope runs it
# once, as root, when it builds the autograder's image (Ubuntu), with this
# zip unpacked in /autograder/source. Pinned: Go {{.Go}}; the modules, by
# the course's go.sum.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
go_version={{.Go}}

# bubblewrap, the grader's sandbox, from the base image's packages.
apt-get update
apt-get install -y --no-install-recommends bubblewrap ca-certificates curl

# The Go toolchain the autograder was written with, from
# https://go.dev/dl/${go_version}.linux-ARCH.tar.gz, checked against the
# SHA-256 given when the autograder was written (see install_go.sh).
bash "$root/source/install_go.sh"
export PATH="/usr/local/go/bin:$PATH" GOTOOLCHAIN=local GOFLAGS=-mod=readonly
export NOTEBOOK_CACHE="$root/source/cache"
unset REDIS_URL # grading uses the embedded server
go version

# The modules, the runner, and a warm build cache: grading the reference
# solutions once compiles go-redis, miniredis, the checker and what the
# solutions use, so that a submission is graded in seconds.
cd "$root/source/course"
go mod download
go build -o "$root/source/bin/runner" ./runner
"$root/source/bin/runner" check --solutions > /dev/null

# The solutions are no longer needed, and graded code must not find them:
# neither the folder nor the grader's copies of their sources.
rm -rf solutions "$NOTEBOOK_CACHE/sources"
