package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/redis-notebook/tutorial/runner/grade/sandbox"
	"github.com/redis-notebook/tutorial/runner/internal/needs"
)

// TestScripts runs the command line as a learner and a teacher type it:
// each script of testdata/script runs the runner (exec runner ..., or
// ! exec for a failure) and compares its standard output and error with
// the files of the script, exactly, after normalize has replaced what
// changes from run to run. go test ./runner -run Scripts -update rewrites
// the expected files from what the runner printed.
//
// Scripts start in the module's folder ($REPO), which the runner finds from
// the current one; their own files are in $WORK. Beside testscript's
// commands they have:
//
//	normalize stdout|stderr|FILE OUT   write FILE to OUT, with what varies by run replaced
//	redis DB [KEY]                     $REDIS is $REDIS_URL at database DB, emptied (with KEY
//	                                   in it: somebody's data); without REDIS_URL the script
//	                                   skips, or fails in CI
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", root)
			env.Cd = root
			// The runner builds chapter programs with the go command,
			// in the caches the tests use.
			for _, k := range []string{"HOME", "XDG_CACHE_HOME", "GOCACHE", "GOPATH", "GOMODCACHE",
				"GOFLAGS", "GOPROXY", "GOTOOLCHAIN", "NOTEBOOK_CACHE", "NOTEBOOK_SPIN"} {
				if v, ok := os.LookupEnv(k); ok {
					env.Setenv(k, v)
				}
			}
			// The grader's sandbox runs submissions as another user, who
			// cannot enter $WORK: temporary folders go where they go for a
			// learner.
			env.Setenv("TMPDIR", os.TempDir())
			env.Setenv("NO_COLOR", "1")
			env.Values[scriptT{}] = env.T()
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"normalize": cmdNormalize,
			"redis":     cmdRedis,
		},
	})
}

// cmdNormalize writes stdout, stderr or a file with what varies from run
// to run replaced by a word in capitals or a variable's name: the folders
// ($WORK, $REPO), the real server's address ($REDIS_ADDR), the embedded
// miniredis's port, durations, the date in a reset's copy, the rule after
// a cell's header in $WORK, the build progress, shown only when a build is
// cold, and the note that grading runs without a sandbox, on a machine
// without one.
func cmdNormalize(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: normalize stdout|stderr|FILE OUT")
	}
	text := ts.ReadFile(args[0])
	var vars []string
	if u, err := url.Parse(ts.Getenv("REDIS")); err == nil && u.Host != "" {
		vars = append(vars, u.Host, "$REDIS_ADDR")
	}
	// In argument order: where two would match, the first does.
	vars = append(vars, ts.Getenv("WORK"), "$WORK", ts.Getenv("REPO"), "$REPO")
	text = strings.NewReplacer(vars...).Replace(text)
	for _, r := range scriptNormalizers {
		text = r.re.ReplaceAllString(text, r.with)
	}
	// Without a working sandbox, grading says so first; in CI there is one.
	if _, err := sandboxCheck(); err != nil {
		text = unsandboxedNote.ReplaceAllString(text, "")
	}
	// grade's -jobs is the number of CPUs by default.
	text = strings.ReplaceAll(text, fmt.Sprintf("(default %d)\n", runtime.NumCPU()), "(default NUMCPU)\n")
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(text), 0o666))
}

// durationPattern matches what time.Duration's String prints.
const durationPattern = `(?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?(?:ns|µs|ms|s)`

var scriptNormalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^(?:compiling dependencies \(|built in \d).*\n`), ""},
	{regexp.MustCompile(`↳ ` + durationPattern), "↳ TIME"},
	{regexp.MustCompile(` in ` + durationPattern + `\b`), " in TIME"},
	{regexp.MustCompile(`(?m)\t` + durationPattern + `$`), "\tTIME"},
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`redis-cli -p \d+`), "redis-cli -p PORT"},
	{regexp.MustCompile(`"(duration|execution_time)": [0-9.e-]+`), `"$1": SECONDS`},
	{regexp.MustCompile(`(?m)^([^,\n]+,\d+,[^,\n]+,[^,\n]+,[\d.]+,[\d.]+,)[\d.]+,`), "${1}SECONDS,"},
	{regexp.MustCompile(`\.bak-\d{8}-\d{6}`), ".bak-DATE"},
	// A cell's header is ruled to a width: how far depends on the length
	// of $WORK.
	{regexp.MustCompile(`(?m)^(── cell \d+ · \$WORK/\S+) ─*$`), "$1 ─…"},
}

var (
	sandboxCheck = sync.OnceValues(sandbox.Detect)
	// unsandboxedNote is the note check and grade print first when they
	// grade without a sandbox: on this machine, not in CI.
	unsandboxedNote = regexp.MustCompile(`(?ms)^note: graded code runs without a sandbox \(.*?` +
		regexp.QuoteMeta(sandbox.InstallHint[strings.LastIndex(sandbox.InstallHint, " ")+1:]) + `\n`)
)

// scriptT keys the script's testing.T in its values, for needs.Redis.
type scriptT struct{}

// cmdRedis gives the script a database of the real server, empty, as
// $REDIS; with a KEY, one holding somebody's key. Without $REDIS_URL the
// script skips (fails in CI), as every real-server test does.
func cmdRedis(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: redis DB [KEY]")
	}
	db, err := strconv.Atoi(args[0])
	ts.Check(err)
	t, ok := ts.Value(scriptT{}).(testing.TB)
	if !ok {
		ts.Fatalf("redis: not run by go test")
	}
	u := needs.Redis(t, db)
	opt, err := redis.ParseURL(u)
	ts.Check(err)
	c := redis.NewClient(opt)
	ctx := context.Background()
	ts.Check(c.FlushDB(ctx).Err())
	if len(args) == 2 {
		ts.Check(c.Set(ctx, args[1], "theirs", 0).Err())
	}
	ts.Defer(func() {
		c.FlushDB(ctx)
		c.Close()
	})
	ts.Setenv("REDIS", u)
}
