package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/program"
	"github.com/redis-notebook/tutorial/runner/term"
)

func init() {
	register(command{
		name:    "export",
		args:    "CHAPTER [-o FILE]",
		summary: "write a chapter as one standalone Go program (go run FILE runs it)",
		setup:   setupExport,
	})
}

func setupExport(fs *flag.FlagSet) func([]string) int {
	out := fs.String("o", "", "write the program to this file (default: standard output)")
	backend := fs.String("backend", "miniredis", "include the cells marked only=miniredis, or only=redis, for this backend")
	return func(args []string) int {
		if len(args) != 1 {
			fs.Usage()
			return exitBadArgs
		}
		if *backend != string(chapter.Miniredis) && *backend != string(chapter.Redis) {
			return fail(os.Stderr, exitBadArgs, "--backend must be miniredis or redis, not %q", *backend)
		}
		root, err := moduleRoot()
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		path, err := chapter.Find(root, args[0])
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		ch, err := chapter.Load(relToCwd(path))
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		// A cell whose last expression has no value is not displayed;
		// building the chapter (as a walk does, cached) tells which.
		noDisplay, err := notebook.NoDisplay(context.Background(), ch, root, chapter.Backend(*backend), progressPrinter(os.Stderr))
		if err != nil {
			return reportRunError(os.Stderr, term.Detect(os.Stderr), err)
		}
		prog, err := program.Generate(ch, program.Options{
			Mode: program.Standalone, Backend: chapter.Backend(*backend), LinePath: filepath.ToSlash(ch.Path), NoDisplay: noDisplay,
		})
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		if *out == "" {
			os.Stdout.Write(prog.Source)
			return exitOK
		}
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			return fail(os.Stderr, exitFailed, "%v", err)
		}
		if err := os.WriteFile(*out, prog.Source, 0o644); err != nil {
			return fail(os.Stderr, exitFailed, "%v", err)
		}
		return exitOK
	}
}
