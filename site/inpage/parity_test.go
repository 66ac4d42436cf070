package inpage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck/checkbuild"
	"github.com/redis-notebook/tutorial/site"
	"github.com/redis-notebook/tutorial/site/internal/browsertest"
)

// A parityProgram is a check program holding some of the grader's
// cases: several (BuildCases, picked with -case) or one.
type parityProgram struct {
	pkg   string
	cases []int // indexes in the cases
	many  bool
}

// judged is what the page's check makes of a program's run
// (NotebookCheck.judge in check.js).
type judged struct {
	Verdict string `json:"verdict"`
	Report  string `json:"report"`
}

// TestParityInChromium: every case of the grader's own (the solutions
// and stubs of every package, every wrong and right answer in
// runner/grade/testdata; checkbuild.GraderCases) gives, checked in an
// exercise's page in Chromium, the verdict and the report the grader
// gives it natively, as it grades a class, on the same seed. The check
// programs are built with the go command for js/wasm, the cases a
// package's builds share linked into one program as the grader's
// batches are (checkbuild.BuildCases); the page runs them in its own
// Worker and judges their ends with its own code (check.js's judge).
// That the page's compiler builds the same program from the same
// sources is TestBrowserCheckCompiled's and TestBrowserCheckEveryPackage's.
func TestParityInChromium(t *testing.T) {
	ctx := browsertest.Browser(t, 20*time.Minute)
	root, m := course(t)
	cases, err := checkbuild.GraderCases(root, m)
	if err != nil {
		t.Fatal(err)
	}
	seed := grade.NewSeed()
	if s, err := strconv.ParseUint(os.Getenv("PARITY_SEED"), 10, 64); err == nil && s > 0 {
		seed = s
	}
	t.Logf("seed %d (PARITY_SEED=%d repeats it); %d cases", seed, seed, len(cases))

	// The programs: per package, one for the cases that can be linked
	// together, one for each that cannot; built while the grader grades.
	dir := t.TempDir()
	var programs []parityProgram
	for _, set := range m.Packages {
		many := parityProgram{pkg: set.Package, many: true}
		for i, c := range cases {
			if c.Package != set.Package {
				continue
			}
			pkgDir, err := c.Write(filepath.Join(dir, "cases", c.Name))
			if err != nil {
				t.Fatal(err)
			}
			pkg, err := grade.ReadPackage(pkgDir, pkgDir, "")
			if err != nil {
				t.Fatal(err)
			}
			if grade.Inert(pkg, set.Package) {
				many.cases = append(many.cases, i)
			} else {
				programs = append(programs, parityProgram{pkg: set.Package, cases: []int{i}})
			}
		}
		if len(many.cases) > 0 {
			programs = append(programs, many)
		}
	}
	var native [][]checkbuild.Report
	var nativeErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		start := time.Now()
		native, nativeErr = checkbuild.GradeCases(context.Background(), root, cases, seed)
		t.Logf("the grader graded the %d cases in %.1f s", len(cases), time.Since(start).Seconds())
	})
	start := time.Now()
	for p, prog := range programs {
		set := m.Package(prog.pkg)
		out := filepath.Join(dir, fmt.Sprintf("program%d.wasm", p))
		var dirs []string
		for _, i := range prog.cases {
			dirs = append(dirs, filepath.Join(dir, "cases", cases[i].Name, "exercises", prog.pkg))
		}
		if prog.many {
			err = checkbuild.BuildCases(context.Background(), root, set, set.Exercises, dirs, "js", "wasm", out)
		} else {
			_, err = checkbuild.Build(context.Background(), root, dirs[0], set, set.Exercises, "js", "wasm", out)
		}
		if err != nil {
			t.Fatalf("%s: %v", cases[prog.cases[0]].Name, err)
		}
	}
	t.Logf("%d check programs built for js/wasm in %.1f s", len(programs), time.Since(start).Seconds())
	wg.Wait()
	if nativeErr != nil {
		t.Fatal(nativeErr)
	}

	opt := site.Options{Root: root, Out: filepath.Join(dir, "public"), Run: browsertest.RecordedRun}
	if _, err := site.Render(context.Background(), opt); err != nil {
		t.Fatalf("build: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(opt.Out)))
	mux.HandleFunc("/_test/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		http.ServeFile(w, r, filepath.Join(dir, filepath.Base(r.URL.Path)))
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	// The runs, by exercise: its page judges them.
	type job struct {
		URL  string   `json:"url"`
		Args []string `json:"args"`
		c, x int      // the case, and the exercise's index in its Exercises
	}
	start = time.Now()
	runs := 0
	for _, e := range m.Exercises() {
		var jobs []job
		for p, prog := range programs {
			for k, i := range prog.cases {
				x := slices.IndexFunc(cases[i].Exercises, func(ce grade.Exercise) bool { return ce.ID == e.ID })
				if x < 0 {
					continue
				}
				j := job{URL: fmt.Sprintf("/_test/program%d.wasm", p), Args: []string{"-exercise", strconv.Itoa(e.ID)}, c: i, x: x}
				if prog.many {
					j.Args = append(j.Args, "-case", strconv.Itoa(k))
				}
				jobs = append(jobs, j)
			}
		}
		browsertest.Do(t, ctx, fmt.Sprintf("open exercise %d", e.ID),
			chromedp.Navigate(fmt.Sprintf("%s/exercise-%02d-%s.html", ts.URL, e.ID, e.Name)))
		browsertest.Poll(t, ctx, "the page's check", `!!globalThis.NotebookCheck`, time.Minute)
		js, _ := json.Marshal(jobs)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]judged](fmt.Sprintf(`(async (jobs, seed) => {
  const programs = new Map();
  const results = new Array(jobs.length);
  let next = 0;
  const one = async () => {
    while (next < jobs.length) {
      const i = next++;
      const url = jobs[i].url;
      // Compiled once for all its runs on this page.
      if (!programs.has(url)) programs.set(url, fetch(url).then((r) => r.arrayBuffer()).then((b) => WebAssembly.compile(b)));
      results[i] = await NotebookCheck.judge(await programs.get(url), jobs[i].args, seed);
    }
  };
  await Promise.all([one(), one()]);
  return results;
})(%s, %d)`, js, seed), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("exercise %d: %v", e.ID, err)
		}
		runs += len(jobs)
		for n, j := range jobs {
			c := cases[j.c]
			want := native[j.c][j.x]
			if got[n].Verdict == string(want.Status) && got[n].Report == want.Text {
				continue
			}
			if got[n].Verdict == string(want.Status) && graderVaries(t, root, c, j.x, seed, want.Text) {
				t.Logf("%s, exercise %d: the same verdict; the report differs, as it does between two of the grader's own runs:\n"+
					"--- grader:\n%s\n--- in the page:\n%s", c.Name, e.ID, want.Text, got[n].Report)
				continue
			}
			t.Errorf("%s, exercise %d: the grader says %s, the page %s\n--- grader:\n%s\n--- in the page:\n%s",
				c.Name, e.ID, want.Status, got[n].Verdict, want.Text, got[n].Report)
		}
	}
	t.Logf("%d runs judged in Chromium in %.1f s", runs, time.Since(start).Seconds())
}

// graderVaries says whether the grader's own report of c's exercise x
// changes when c is checked again, up to three times: the learner's code
// may send its commands in a Go map's order, or race a goroutine against
// its return, and a check may name the first of several keys it finds
// wrong. Where the grader is consistent, the page's words must be its.
func graderVaries(t *testing.T, root string, c checkbuild.Case, x int, seed uint64, text string) bool {
	for try := 0; try < 3; try++ {
		again, err := checkbuild.CheckCase(context.Background(), root, c, seed)
		if err != nil {
			t.Fatal(err)
		}
		if again[x].Text != text {
			return true
		}
	}
	return false
}
