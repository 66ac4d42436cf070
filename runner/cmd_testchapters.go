package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/compare"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/settings"
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
	run := defineRunFlags(fs, chapterRuns)
	update := fs.Bool("update", false, "rewrite the chapters' ```output fences with what the cells printed; "+
		"with a real server, only if it and the embedded miniredis agree")
	both := fs.Bool("both", false, "run every chapter on the embedded miniredis and on the real server "+
		"(--redis or $REDIS_URL), and report each cell whose outputs differ")
	return func(args []string) int {
		root, err := moduleRoot()
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		if *both && run.RedisURL == "" {
			return fail(os.Stderr, exitBadArgs, "--both compares the embedded miniredis with a real server: pass --redis URL or set REDIS_URL")
		}
		// An output recorded from one backend must hold on the other too:
		// with a server at hand, --update records only what both print.
		differential := *both || (*update && run.RedisURL != "")
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
			test := testChapter
			if differential {
				test = testChapterOnBoth
			}
			if test(ctx, root, path, *run, *update, style) {
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
func testChapter(ctx context.Context, root, path string, run settings.Run, update bool, style term.Style) bool {
	ch, err := chapter.Load(path)
	if err != nil {
		fmt.Printf("%s\t%s\n", style.Red("FAIL"), err)
		return false
	}
	res, ok := runForTest(ctx, root, ch, run, style)
	if !ok {
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
	fmt.Printf("%s\t%s\t%s on %s\t%s\n", style.Green("ok"), path, term.Plural(res.Ran(), "cell"), res.Backend, res.Elapsed.Round(time.Millisecond))
	return true
}

// runForTest runs ch as run says, reporting a failed run as a failed test.
func runForTest(ctx context.Context, root string, ch *chapter.Chapter, run settings.Run, style term.Style) (*notebook.Result, bool) {
	res, err := notebook.Run(ctx, ch, runOptions(root, run))
	if err != nil {
		fmt.Printf("%s\t%s (%s)\n", style.Red("FAIL"), ch.Path, res.Backend)
		reportRunError(os.Stdout, style, err)
		return nil, false
	}
	return res, true
}

// testChapterOnBoth runs one chapter on the embedded miniredis and on the
// real server. It fails on any cell whose two outputs differ (beyond the
// order of an unordered fence's lines) and on any output that is not the
// expected one; with update, it rewrites the expected outputs only when
// the backends agree.
func testChapterOnBoth(ctx context.Context, root, path string, run settings.Run, update bool, style term.Style) bool {
	ch, err := chapter.Load(path)
	if err != nil {
		fmt.Printf("%s\t%s\n", style.Red("FAIL"), err)
		return false
	}
	onMini := run
	onMini.RedisURL = ""
	mini, ok := runForTest(ctx, root, ch, onMini, style)
	if !ok {
		return false
	}
	real, ok := runForTest(ctx, root, ch, run, style)
	if !ok {
		return false
	}
	if divergences := compare.Between(ch, mini, real); len(divergences) > 0 {
		fmt.Printf("%s\t%s (miniredis and redis differ)\n", style.Red("FAIL"), path)
		for _, d := range divergences {
			fmt.Println(d.String())
		}
		if update {
			fmt.Printf("nothing written to %s: an output must hold on both backends\n", path)
		}
		return false
	}
	// The two agree, so checking each against the chapter covers the cells
	// that run on one backend only.
	mismatches := append(compare.Check(ch, mini), compare.Check(ch, real)...)
	if update && len(mismatches) > 0 {
		merged := *mini
		merged.Cells = slices.Clone(mini.Cells)
		for i, c := range real.Cells {
			if c.Ran && !merged.Cells[i].Ran {
				merged.Cells[i] = c
			}
		}
		if err := os.WriteFile(path, compare.Update(ch, &merged), 0o644); err != nil {
			fmt.Printf("%s\t%s: %v\n", style.Red("FAIL"), path, err)
			return false
		}
		fmt.Printf("updated\t%s\toutputs agreed on miniredis and redis; rewritten\n", path)
		return true
	}
	if len(mismatches) > 0 {
		fmt.Printf("%s\t%s (miniredis and redis)\n", style.Red("FAIL"), path)
		for _, m := range mismatches {
			fmt.Println(m.String())
		}
		return false
	}
	fmt.Printf("%s\t%s\t%d cells on miniredis, %d on redis, same outputs\t%s\n", style.Green("ok"), path,
		mini.Ran(), real.Ran(), (mini.Elapsed + real.Elapsed).Round(time.Millisecond))
	return true
}
