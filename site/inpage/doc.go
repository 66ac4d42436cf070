// Package inpage tests the site's in-page toolchain: the Go compiler,
// linker and archives that `runner site` builds for the browser, run by
// compile-worker.js under node and in Chromium, an edited chapter cell and
// an exercise checked in the page, and what the first edit downloads.
// Building that toolchain from a cold cache takes minutes, so these tests
// have a test binary, and go test's time limit, of their own; the code
// they test is in package site.
package inpage
