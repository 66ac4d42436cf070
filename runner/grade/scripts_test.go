package grade

import (
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/internal/needs"
)

// TestScriptsOnARealServer: a right answer in a Lua script passes on the
// embedded server (testdata/right), and on a real server, where the
// grader cannot see what a script touches, it is refused (not left to
// time out) and reported as not gradable there, saying how to grade it: an error, not a
// failure, and never a time-out.
func TestScriptsOnARealServer(t *testing.T) {
	url := needs.Redis(t, 4) // TestRealRedis's database; the two run one after the other
	a, err := txtar.ParseFile("testdata/right/rate-limit-script.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, a.Files)
	set := course.Package("pipelines")
	var ex []Exercise
	for _, e := range set.Exercises {
		if e.Name == "rate-limit" {
			ex = append(ex, e)
		}
	}
	opt := options()
	opt.RedisURL = url
	rep := check(t, dir+"/pipelines", ex, opt)
	if len(rep.Results) != 1 {
		t.Fatalf("no result:\n%s", text(rep))
	}
	r := rep.Results[0]
	if r.Status != verdict.Error || !strings.Contains(r.Message, "EVALSHA is not run when grading on a real server") ||
		!strings.Contains(r.Hint, "without --redis") {
		t.Errorf("a script on %s: %s %q (hint %q); want an error saying to grade without --redis",
			url, r.Status, r.Message, r.Hint)
	}
}
