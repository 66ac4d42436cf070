//go:build unix

package main

import (
	"flag"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/internal/needs"
)

var update = flag.Bool("update", false, "rewrite the golden files of the walk's output")

// elapsed matches the time after ↳, which differs from run to run.
var elapsed = regexp.MustCompile(`↳ [0-9.]+(µs|ms|s)`)

// TestWalkShowsWhatEachCellDid walks a chapter with --keys and compares
// what it prints, times aside, with a golden file: each cell's commands
// and round trips, and the keys it created (+), changed (~) and deleted
// (-), with their type and size; a refused command writes nothing.
func TestWalkShowsWhatEachCellDid(t *testing.T) {
	r := runner(t, "", "walk", "runner/testdata/trace.md", "--keys")
	if r.code != exitOK {
		t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	got := elapsed.ReplaceAllString(r.stdout, "↳ T")
	got = regexp.MustCompile(`also on 127\.0\.0\.1:\d+ \(look in from another terminal: redis-cli -p \d+`).
		ReplaceAllString(got, "also on ADDR (look in from another terminal: redis-cli -p PORT")
	got = regexp.MustCompile(`cells? in [0-9.]+(µs|ms|s)`).ReplaceAllString(got, "cells in T")
	const golden = "testdata/trace.walk.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("walk --keys printed (go test ./runner -run WalkShows -update rewrites the golden file):\n%s\nwant:\n%s", got, want)
	}
}

// TestWalkToFromAndRedisAtThePrompt: --to runs the first cells and pauses
// before the next; --from runs the first cells unseen and steps from its
// cell; at the pause a Redis command runs in the chapter's database, on
// the embedded server and through the guard on a real one.
func TestWalkToFromAndRedisAtThePrompt(t *testing.T) {
	backends := map[string]func(t *testing.T) []string{
		"miniredis": func(*testing.T) []string { return nil },
		"redis":     func(t *testing.T) []string { return []string{"--redis", needs.Redis(t, 3)} },
	}
	for name, extra := range backends {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"walk", "runner/testdata/trace.md", "--to", "2"}, extra(t)...)
			term := startTerminal(t, nil, args...)
			term.waitFor("▶ Enter runs cell 3", 1)
			out := term.output()
			if !strings.Contains(out, "rpush list a b c: 3") || strings.Contains(out, "Enter runs cell 2") {
				t.Errorf("--to 2 did not run cells 1 and 2 straight through:\n%s", out)
			}
			io.WriteString(term.pty, "LRANGE list 0 -1\r")
			term.waitFor(`3) "c"`, 1)
			if name == "redis" { // the guard answers; the embedded server is the run's own
				io.WriteString(term.pty, "FLUSHALL\r")
				term.waitFor("(error) notebook: refusing FLUSHALL", 1)
			}
			io.WriteString(term.pty, "nosuch thing\r")
			term.waitFor(`"nosuch" is not a Redis command`, 1)
			io.WriteString(term.pty, "q\r")
			if code := term.exit(20 * time.Second); code != exitFailed {
				t.Errorf("exit %d after q, want %d", code, exitFailed)
			}
			<-term.done
			if out := term.output(); strings.Contains(out, "lpush list z") {
				t.Errorf("cell 3 ran after q:\n%s", out)
			}

			args = append([]string{"walk", "runner/testdata/trace.md", "--from", "3"}, extra(t)...)
			term = startTerminal(t, nil, args...)
			term.waitFor("▶ Enter runs cell 3", 1)
			out = term.output()
			if strings.Contains(out, "rpush list a b c") || !strings.Contains(out, "(ran cells 1–2 without showing them)") {
				t.Errorf("--from 3 showed the cells before it, or did not say it ran them:\n%s", out)
			}
			io.WriteString(term.pty, "LLEN list\r")
			term.waitFor("(integer) 3", 1)
			io.WriteString(term.pty, "\r")
			term.waitFor("▶ Enter runs cell 4", 1)
			if !strings.Contains(term.output(), "lpush list z: 4") {
				t.Errorf("cell 3 did not run after Enter:\n%s", term.output())
			}
			io.WriteString(term.pty, "q\r")
			term.exit(20 * time.Second)
		})
	}
	runner(t, "", "walk", "runner/testdata/trace.md", "--to", "9").expect(t, exitBadArgs, "", "--to 9: runner/testdata/trace.md has 4 cells")
	runner(t, "", "walk", "runner/testdata/trace.md", "--from", "3", "--to", "2").expect(t, exitBadArgs, "", "--from 3 comes after --to 2")
}
