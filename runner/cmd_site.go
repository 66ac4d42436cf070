package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/settings"
	"github.com/redis-notebook/tutorial/runner/term"
	"github.com/redis-notebook/tutorial/site"
)

func init() {
	register(command{
		name:    "site",
		args:    "[-o DIR]",
		summary: "build the course's website, each cell with what it printed in a real run",
		setup:   setupSite,
	})
}

// siteFlags are the flags site and serve share.
type siteFlags struct {
	run       *settings.Run
	out       string
	keepGoing bool
	noCache   bool
	noBrowser bool
}

// register defines the flags; serve, which always keeps going (a page that
// shows the differing outputs helps more while writing than none), has no
// --keep-going.
func (f *siteFlags) register(fs *flag.FlagSet, outHelp string, keepGoingFlag bool) {
	f.run = defineRunFlags(fs, backendOnly)
	fs.StringVar(&f.out, "o", "", outHelp)
	if keepGoingFlag {
		fs.BoolVar(&f.keepGoing, "keep-going", false,
			"write the site even when a cell prints something else than its chapter expects (the page shows both)")
	}
	fs.BoolVar(&f.noBrowser, "no-browser", false, "build no WebAssembly: the pages show recorded outputs, with no Run buttons")
	fs.BoolVar(&f.noCache, "no-cache", false, "run every chapter again, even those whose outputs are in the execution cache")
}

// options turns the flags into site options for the module at root.
func (f *siteFlags) options(root string) site.Options {
	// Chapter paths relative to the current folder make messages short and
	// clickable (chapters/01-redis.md:12), and still open from here.
	shortRoot := root
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, root); err == nil {
			shortRoot = rel
		}
	}
	opt := site.Options{
		Root:      shortRoot,
		Out:       f.out,
		Backend:   f.run.Backend(),
		BackendID: f.run.RedisURL,
		KeepGoing: f.keepGoing,
		Run: func(ctx context.Context, ch *chapter.Chapter) (*notebook.Result, error) {
			opt := runOptions(root, *f.run)
			opt.Keys = true // each cell's page shows what it did to the database
			return notebook.Run(ctx, ch, opt)
		},
		Log: func(line string) { fmt.Fprintln(os.Stderr, line) },
	}
	if !f.noBrowser {
		opt.Browser = func(ctx context.Context, ch *chapter.Chapter) (*site.BrowserProgram, error) {
			return site.CompileWasm(ctx, root, ch, progressPrinter(os.Stderr))
		}
		opt.Toolchain = func(ctx context.Context, roots []string, extras map[string][]string) (*site.Toolchain, error) {
			return site.BuildToolchain(ctx, root, roots, extras, progressPrinter(os.Stderr))
		}
	}
	if !f.noCache {
		opt.CacheDir = filepath.Join(build.CacheDir(), "site")
	}
	return opt
}

func setupSite(fs *flag.FlagSet) func([]string) int {
	var f siteFlags
	f.register(fs, "write the site into this folder (default: public/ in the tutorial's folder)", true)
	return func(args []string) int {
		if len(args) != 0 {
			fs.Usage()
			return exitBadArgs
		}
		root, err := moduleRoot()
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
		defer cancel()
		opt := f.options(root)
		if opt.Out == "" {
			opt.Out = relToCwd(filepath.Join(root, "public"))
		}
		rep, err := site.Render(ctx, opt)
		if err != nil {
			return reportSiteError(os.Stderr, err)
		}
		printMismatches(os.Stderr, rep)
		fmt.Println("site: " + rep.Summary())
		fmt.Println("open " + filepath.Join(opt.Out, "index.html"))
		return exitOK
	}
}

// printMismatches warns about the outputs a --keep-going build let through.
func printMismatches(w io.Writer, rep *site.Report) {
	for _, m := range rep.Mismatches {
		fmt.Fprint(w, "warning: "+m.String())
	}
}

// reportSiteError prints why a build stopped and returns the exit status:
// 2 for bad input (Markdown, links, the exercises manifest), 1 for outputs
// that differ and for chapters that fail.
func reportSiteError(w io.Writer, err error) int {
	var me *site.MismatchError
	switch {
	case errors.As(err, &me):
		fmt.Fprintln(w, err)
		return exitFailed
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(w, "runner: stopped; the previous site is unchanged")
		return exitFailed
	case site.IsInputError(err):
		// Several bad links come joined, one file:line each.
		fmt.Fprintln(w, err)
		return exitBadArgs
	}
	return reportRunError(w, term.Detect(os.Stderr), err)
}
