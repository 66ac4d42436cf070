//go:build unix

package notebook_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// writeKeys is a cell that writes keys every way a chapter can name them:
// strings, []byte, a pipeline, and a list whose values name other keys.
const writeKeys = "```go\n" + `rdb.Set(ctx, "end:string", "v", 0)
rdb.Do(ctx, "SET", []byte("end:bytes"), []byte("v"))
pipe := rdb.Pipeline()
for i := range 20 {
	pipe.Set(ctx, fmt.Sprint("end:pipe:", i), i, time.Hour)
}
pipe.Exec(ctx)
rdb.RPush(ctx, "end:list", "greeting")
rdb.Get(ctx, "greeting")
fmt.Println("wrote")
` + "```\n\n"

// TestServerEndings ends a run on a real server in every way issue 7
// lists, each after writing keys, and proves that each time the run's
// database is empty again, the keys of other databases unchanged (type,
// value, TTL), another client's key that the run only read still there,
// and nothing the program started still running.
func TestServerEndings(t *testing.T) {
	ctx := context.Background()
	url := serverURL(t, runDB)
	c := client(t, url)
	if n := c.DBSize(ctx).Val(); n != 0 {
		t.Fatalf("database %d must be empty for this test; it holds %d keys", runDB, n)
	}
	before := map[int]map[string]string{}
	for _, db := range seededDBs {
		sc := client(t, serverURL(t, db))
		tag := fmt.Sprintf("notebook-endings-%d", time.Now().UnixNano())
		mine := []string{tag + ":string", tag + ":list"}
		sc.Set(ctx, mine[0], "somebody's value", time.Hour)
		sc.RPush(ctx, mine[1], "a", "b")
		if sc.SetNX(ctx, "end:string", "somebody's, same name", 0).Val() {
			mine = append(mine, "end:string")
		}
		t.Cleanup(func() { sc.Del(ctx, mine...) })
		before[db] = snapshot(t, sc)
	}
	t.Setenv("NOTEBOOK_CACHE", t.TempDir()) // its own leftover records

	for _, tt := range []struct {
		name    string
		cells   string        // after writeKeys
		timeout time.Duration // the run's cell limit
		stopAt  time.Duration // cancel the run's context (Ctrl-C, SIGTERM, SIGHUP) this long into the second cell
		what    string        // in the error; "" for none
		pidFile bool          // the cells print "pid N" of a process they start
	}{
		{name: "normal", cells: "```go\nfmt.Println(\"done\")\n```\n"},
		{name: "panic", cells: "```go\npanic(\"boom\")\n```\n", what: "panicked"},
		{name: "panic in a goroutine", cells: "```go\ngo func() { panic(\"boom\") }()\ntime.Sleep(5 * time.Second)\n```\n", what: "ended the program"},
		{name: "os.Exit", cells: "```go\nos.Exit(3)\n```\n", what: "ended the program (exit status 3)"},
		{name: "log.Fatal", cells: "```go\nlog.Fatal(\"fatal\")\n```\n", what: "ended the program (exit status 1)"},
		{name: "busy loop past the limit", timeout: 2 * time.Second,
			cells: "```go\nfor i := 0; ; i++ {\n\trdb.Set(ctx, fmt.Sprint(\"end:busy:\", i), i, 0)\n}\n```\n", what: "ran past the 2s limit"},
		{name: "SIGKILL of the program", cells: "```go\nsyscall.Kill(os.Getpid(), syscall.SIGKILL)\ntime.Sleep(5 * time.Second)\n```\n", what: "ended the program (signal: killed)"},
		{name: "stopped (Ctrl-C, SIGTERM, SIGHUP)", stopAt: time.Second,
			cells: "```go timeout=60s\nrdb.Set(ctx, \"end:late\", 1, 0)\ntime.Sleep(60 * time.Second)\n```\n", what: "context canceled"},
		{name: "a started process", pidFile: true,
			cells: "```go\ncmd := exec.Command(\"sleep\", \"1000\")\ncmd.Start()\nfmt.Println(\"pid\", cmd.Process.Pid)\n```\n"},
		{name: "a started process holding the output", pidFile: true, what: "ended the program",
			cells: "```go\ncmd := exec.Command(\"sleep\", \"1000\")\ncmd.Stdout = os.Stdout\ncmd.Start()\nfmt.Println(\"pid\", cmd.Process.Pid)\nos.Exit(0)\n```\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ending.md")
			if err := os.WriteFile(path, []byte("# Ending\n\n"+writeKeys+tt.cells), 0o644); err != nil {
				t.Fatal(err)
			}
			ch, err := chapter.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			// Another client's key, made once the run has started, which
			// the run only reads (GET) and names as a value (RPUSH): never
			// the run's to delete.
			defer c.Del(ctx, "greeting")
			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			opt := notebook.Options{Root: root(t), Run: settings.Run{RedisURL: url, Timeout: tt.timeout}}
			opt.Events.Ready = func(string, string) { c.Set(ctx, "greeting", "another client's", 0) }
			if tt.stopAt > 0 {
				opt.Events.CellStart = func(c *chapter.Cell) {
					if c.Index == 2 {
						time.AfterFunc(tt.stopAt, cancel)
					}
				}
			}
			start := time.Now()
			res, err := notebook.Run(runCtx, ch, opt)
			took := time.Since(start)
			switch {
			case tt.what == "" && err != nil:
				t.Fatalf("run failed: %v", err)
			case tt.what != "" && (err == nil || !strings.Contains(err.Error(), tt.what)):
				t.Fatalf("error %v, want %q", err, tt.what)
			}
			var ce *notebook.CellError
			if tt.what != "" && !errors.Is(err, context.Canceled) && !errors.As(err, &ce) {
				t.Errorf("error %T, want a CellError", err)
			}
			if res.Cells[0].Output != "wrote\n" {
				t.Errorf("the first cell printed %q", res.Cells[0].Output)
			}
			if took > 30*time.Second {
				t.Errorf("the run took %v", took)
			}
			if !strings.HasPrefix(res.Cleaned, "removed the ") {
				t.Errorf("cleanup said %q", res.Cleaned)
			}
			keys := c.Keys(ctx, "*").Val()
			if len(keys) != 1 || keys[0] != "greeting" || c.Get(ctx, "greeting").Val() != "another client's" {
				t.Errorf("database %d holds %q after the run, want only the other client's greeting", runDB, keys)
			}
			for _, db := range seededDBs {
				after := snapshot(t, client(t, serverURL(t, db)))
				for k, v := range before[db] {
					if after[k] != v {
						t.Errorf("database %d, key %q: %s before the run, %s after", db, k, v, after[k])
					}
				}
			}
			if tt.pidFile {
				pid := startedPid(t, res)
				if alive(pid) {
					syscall.Kill(pid, syscall.SIGKILL)
					t.Errorf("process %d, started by a cell, outlived the run", pid)
				}
			}
			records, _ := filepath.Glob(filepath.Join(os.Getenv("NOTEBOOK_CACHE"), "leftovers", "*"))
			if len(records) != 0 {
				t.Errorf("leftover records after a cleaned-up run: %v", records)
			}
		})
	}
}

// startedPid reads "pid N" from the last cell's output.
func startedPid(t *testing.T, res *notebook.Result) int {
	for _, c := range res.Cells {
		if after, ok := strings.CutPrefix(strings.TrimSpace(c.Output), "pid "); ok {
			pid, err := strconv.Atoi(after)
			if err == nil {
				return pid
			}
		}
	}
	t.Fatal("no cell printed the pid of the process it started")
	return 0
}

// alive reports whether process pid still runs, a little after it was
// killed (a zombie waits for its new parent to reap it).
func alive(pid int) bool {
	for range 20 {
		if syscall.Kill(pid, 0) != nil {
			return false
		}
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if f := strings.Fields(string(b)); len(f) > 2 && f[2] == "Z" {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return true
}
