// Package site builds the tutorial's website: every chapter rendered with
// the outputs its cells printed in a real run, a page per exercise, a table
// of contents, and a search index, as a folder of static files that opens
// from disk (file://) as well as from any web server.
//
// The flow, one step per file:
//
//	chapters.go   load each chapter, parse its Markdown, check and rewrite links
//	runs.go       run each chapter, or reuse its outputs from the execution cache
//	exercises.go  read the exercises manifest, the stubs' docs and the solutions
//	godoc.go      the stubs' doc comments as HTML, the Go they mention as code
//	crosslinks.go link each chapter's **Exercise N** and exercise N's page both ways
//	search.go     the search index
//	pages.go      templates -> HTML pages, assets
//	output.go     write into a temporary folder, then swap it into place
//	wasm.go       each chapter built for the browser, for the pages' Run buttons
//
// Templates, CSS and JavaScript are embedded (templates/, assets/), so the
// site needs nothing from the network, neither to build nor to view. The
// site renders and runs nothing over HTTP: 'runner serve' serves it with
// package site/serve, which also runs a page's edited cells and checks.
package site

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/compare"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/term"
	"github.com/redis-notebook/tutorial/site/markdown"
)

// A RunFunc runs a chapter's cells, as notebook.Run does.
type RunFunc func(ctx context.Context, ch *chapter.Chapter) (*notebook.Result, error)

// Options say what to build and how. The zero value of each field but Root
// and Run has a default; see withDefaults.
type Options struct {
	Root string // the module root: chapters/, exercises/, solutions/
	Out  string // the output folder; default Root/public

	// Run runs a chapter. It is called only for chapters whose outputs are
	// not in the execution cache.
	Run RunFunc
	// Backend is what Run runs on; BackendID tells apart servers of the
	// same backend for the execution cache (a Redis URL).
	Backend   chapter.Backend
	BackendID string
	// CacheDir holds the execution cache; "" turns it off.
	CacheDir string

	// KeepGoing writes the site even when a cell's output is not the one
	// its chapter expects; the page then shows both.
	KeepGoing bool
	// LiveReload adds the script that reloads the page when the site is
	// rebuilt (for serve); the script talks to LiveReloadPath.
	LiveReload bool
	// Title is the course's title; default: the first heading of README.md.
	Title string
	// Log receives one line per notable step; nil discards them.
	Log func(string)
	// Browser builds a chapter for the reader's browser: its page then
	// gets Run buttons and a Redis console (see wasm.go). nil: none.
	Browser BrowserFunc
	// Toolchain builds the in-page compiler, with which a reader edits and
	// runs cells on any static server (see toolchain.go). nil: cells
	// cannot be edited (but under serve, which compiles them natively).
	Toolchain ToolchainFunc
}

func (o Options) withDefaults() Options {
	if o.Out == "" {
		o.Out = filepath.Join(o.Root, "public")
	}
	if o.Backend == "" {
		o.Backend = chapter.Miniredis
	}
	if o.Log == nil {
		o.Log = func(string) {}
	}
	if o.Title == "" {
		o.Title = readmeTitle(o.Root)
	}
	return o
}

// A Report says what a build did.
type Report struct {
	Out        string
	Chapters   int
	Exercises  int
	Pages      int      // HTML pages written
	Ran        []string // chapters executed, by file name
	Reused     []string // chapters whose outputs came from the cache
	Mismatches []compare.Mismatch
	Elapsed    time.Duration
}

// Summary is the report in one line: what was run, what was reused.
func (r *Report) Summary() string {
	var parts []string
	if n := len(r.Ran); n > 0 {
		parts = append(parts, fmt.Sprintf("ran %s (%s)", term.Plural(n, "chapter"), strings.Join(r.Ran, ", ")))
	}
	if n := len(r.Reused); n > 0 {
		parts = append(parts, fmt.Sprintf("reused %s", term.Plural(n, "chapter run")))
	}
	if n := len(r.Mismatches); n > 0 {
		parts = append(parts, fmt.Sprintf("%s differing from the expected output", term.Plural(n, "cell")))
	}
	parts = append(parts, fmt.Sprintf("wrote %s to %s in %s", term.Plural(r.Pages, "page"), r.Out, r.Elapsed.Round(time.Millisecond)))
	return strings.Join(parts, "; ")
}

// A MismatchError stops a build whose cells printed something else than
// their chapters expect. Its message is the diffs, at file:line.
type MismatchError struct {
	Mismatches []compare.Mismatch
}

func (e *MismatchError) Error() string {
	var b strings.Builder
	for _, m := range e.Mismatches {
		b.WriteString(m.String())
	}
	fmt.Fprintf(&b, "%s printed something else than expected; the site was not written (--keep-going writes it anyway)",
		term.Plural(len(e.Mismatches), "cell"))
	return b.String()
}

// An InputError is bad input found by the site: a link to nowhere, an
// exercise that names a function its file lacks. It reads file:line: msg.
type InputError = chapter.Error

// Render makes the site in opt.Out: it runs each chapter (or reuses its
// cached run), compiles it for the browser, renders every page and
// writes them. When it fails, the previous site in
// opt.Out is left as it was.
//
// Errors: *chapter.Error (InputError) for bad input, *MismatchError for
// outputs that differ, or whatever Run returned for a chapter that does
// not compile or a cell that fails.
func Render(ctx context.Context, opt Options) (*Report, error) {
	start := time.Now()
	opt = opt.withDefaults()
	rep := &Report{Out: opt.Out}
	b := &builder{opt: opt, conv: markdown.New(), rep: rep}

	if err := b.loadChapters(); err != nil {
		return nil, err
	}
	if err := b.loadExercises(); err != nil {
		return nil, err
	}
	if err := b.resolveLinks(); err != nil {
		return nil, err
	}
	b.linkExercises() // after the check: its links are to pages, not files

	if err := b.runChapters(ctx); err != nil {
		return nil, err
	}
	if len(rep.Mismatches) > 0 && !opt.KeepGoing {
		return nil, &MismatchError{Mismatches: rep.Mismatches}
	}
	if err := b.browserPrograms(ctx); err != nil {
		return nil, err
	}
	files, err := b.renderSite()
	if err != nil {
		return nil, err
	}
	maps.Copy(files, b.runFiles)
	maps.Copy(files, b.imageFiles)
	if err := writeSite(opt.Out, files, b.media); err != nil {
		return nil, err
	}
	rep.Chapters, rep.Exercises = len(b.chapters), len(b.exercises)
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// builder holds one build's state as it goes through the steps.
type builder struct {
	opt       Options
	conv      *markdown.Converter
	rep       *Report
	chapters  []*chapterPage
	exercises []*exercisePage
	media     map[string]string   // output path -> source file, for images
	runs      map[string]*runData // chapter page -> its Run buttons' settings
	runFiles  map[string][]byte   // the scripts for those
	checks    map[int]*checkData  // exercise -> its page's Check button
	// checkRoots are the packages the in-page check program reaches: its
	// main's imports and those of the exercises' stubs and solutions (the
	// toolchain's check bundle holds them).
	checkRoots []string
	// imageFiles are the pictures cells displayed, by output path.
	imageFiles map[string][]byte
}

// IsInputError reports whether err is bad input (exit status 2) rather
// than a failing chapter (1).
func IsInputError(err error) bool {
	var ce *chapter.Error
	var be *notebook.BackendError
	return errors.As(err, &ce) || errors.As(err, &be)
}

// readmeTitle is the first level-1 heading of the README, the course's
// name, or a plain default.
func readmeTitle(root string) string {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if t, ok := strings.CutPrefix(l, "# "); ok && strings.TrimSpace(t) != "" {
				return strings.TrimSpace(t)
			}
		}
	}
	return "Redis tutorial"
}
