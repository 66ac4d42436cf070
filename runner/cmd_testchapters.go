package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/compare"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/term"
)

func init() {
	register(command{
		name:    "test",
		args:    "[CHAPTER...]",
		summary: "run chapters (default: all) and compare each cell's output with the expected one",
		setup:   setupTest,
	})
}

func setupTest(fs *flag.FlagSet) func([]string) int {
	var bf backendFlags
	bf.register(fs)
	var cf chapterFlags
	cf.register(fs)
	update := fs.Bool("update", false, "rewrite the chapters' ```output fences with what the cells printed")
	return func(args []string) int {
		root, err := moduleRoot()
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		paths, err := chapterPaths(root, args)
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		ctx, cancel := signal.NotifyContext(context.Background(), stopSignals...)
		defer cancel()
		style := term.Detect(os.Stdout)
		passed, failed := 0, 0
		for _, path := range paths {
			if ctx.Err() != nil {
				break // stopped: the chapter that was running says so
			}
			if testChapter(ctx, root, path, bf, cf, *update, style) {
				passed++
			} else {
				failed++
			}
		}
		fmt.Printf("chapters: %d passed, %d failed\n", passed, failed)
		if failed > 0 {
			return exitFailed
		}
		return exitOK
	}
}

// chapterPaths resolves the chapter arguments, or lists every chapter.
func chapterPaths(root string, args []string) ([]string, error) {
	if len(args) == 0 {
		all, err := chapter.List(root)
		if err != nil {
			return nil, err
		}
		for i, p := range all {
			all[i] = relToCwd(p)
		}
		return all, nil
	}
	var paths []string
	for _, a := range args {
		p, err := findChapter(root, a)
		if err != nil {
			return nil, err
		}
		paths = append(paths, relToCwd(p))
	}
	return paths, nil
}

// testChapter runs one chapter and reports it like go test reports a
// package: ok or FAIL, with a diff per mismatching cell.
func testChapter(ctx context.Context, root, path string, bf backendFlags, cf chapterFlags, update bool, style term.Style) bool {
	ch, err := chapter.Load(path)
	if err != nil {
		fmt.Printf("%s\t%s\n", style.Red("FAIL"), err)
		return false
	}
	res, err := notebook.Run(ctx, ch, notebook.Options{
		Root:           root,
		RedisURL:       bf.redisURL,
		AllowDirty:     bf.allowDirty,
		AllowScripts:   cf.allowScripts,
		CleanLeftovers: cf.cleanLeftovers,
		CellTimeout:    bf.timeout,
		Progress:       progressPrinter(os.Stderr),
	})
	if err != nil {
		fmt.Printf("%s\t%s\n", style.Red("FAIL"), path)
		reportRunError(os.Stdout, style, err)
		return false
	}
	mismatches := compare.Check(ch, res)
	if update && len(mismatches) > 0 {
		if err := os.WriteFile(path, compare.Update(ch, res), 0o644); err != nil {
			fmt.Printf("%s\t%s: %v\n", style.Red("FAIL"), path, err)
			return false
		}
		fmt.Printf("updated\t%s\t%s rewritten\n", path, term.Plural(len(mismatches), "output"))
		return true
	}
	if len(mismatches) > 0 {
		fmt.Printf("%s\t%s (%s)\n", style.Red("FAIL"), path, res.Backend)
		for _, m := range mismatches {
			fmt.Println(m.String())
		}
		return false
	}
	fmt.Printf("%s\t%s\t%s on %s\t%s\n", style.Green("ok"), path, term.Plural(ranCells(res), "cell"), res.Backend, res.Elapsed.Round(time.Millisecond))
	return true
}
