package grade

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/paths"
	"github.com/redis-notebook/tutorial/runner/term"
)

// A Submission is one student's folder in a class, graded.
type Submission struct {
	Name   string  // the folder's name
	Report *Report // nil when Err is set
	Err    error   // the folder could not be graded: no Go files, say
	// Reused says the results are an earlier grading's of the same
	// files, grader and settings (see Verdicts), not graded again.
	Reused bool
}

// A Class is a folder of submissions, graded.
type Class struct {
	Dir         string
	Exercises   []Exercise
	Submissions []*Submission // sorted by name
	Jobs        int
	Elapsed     time.Duration
	Seed        uint64 // of the generated cases, the same for every submission
	Shard       Shard  // the part of the class graded; zero: all of it
	Kept        int    // submissions whose results a part had kept, not graded again
	Reused      int    // submissions whose verdicts an earlier grading had left (see Verdicts)
	Parts       int    // merged from this many parts (MergeParts); 0: graded here
}

// ClassOptions says how to grade a class.
type ClassOptions struct {
	Options
	Shard Shard // grade only this shard's submissions; zero: all
	// Part, when set, is a folder where each submission's results are
	// kept as it finishes (see Part): graded again with the same part, a
	// class goes on where it stopped, grading only the submissions not
	// kept or changed since.
	Part string
	// Regrade grades every submission, even those whose verdicts an
	// earlier grading of the same files, grader and settings left in
	// the cache (see Verdicts); it keeps the new ones there.
	Regrade bool
	// Builds, when set, prefixes the names of the class's builds in the
	// build cache instead of the classes' own prefix, under which they
	// are kept for the next grading: for a caller that grades a class
	// once and removes its builds (RemoveBuilds), as tests do.
	Builds string
}

// GradeClass grades every folder in dir as one student's submission, on
// the exercises given, all of one package. Each has its own build, or,
// when its package's initialization runs none of its code, a place in a
// build shared with a batch of others (see batch.go); each exercise has
// its own process, miniredis and time limit, so a submission that does
// not compile or hangs holds back nobody else. Up to opt.Jobs submissions
// build at once, and four times as many exercises run at once: a hanging
// exercise mostly waits, and must not stop the others for its whole time
// limit. On a real server (opt.RedisURL), the exercises of the whole
// class run one after another in its database, each with the safety of
// check --redis: a database holding keys refused (unless AllowDirty),
// and only the keys the exercise created removed.
func GradeClass(ctx context.Context, dir string, exercises []Exercise, opt ClassOptions) (*Class, error) {
	if len(exercises) == 0 {
		return nil, fmt.Errorf("grading a class needs exercises to grade")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	opt.Isolated = classBuilds
	if opt.Builds != "" {
		opt.Isolated = opt.Builds
	}
	if opt.Seed == 0 && opt.Part != "" {
		if head, err := readPartHead(opt.Part); err == nil {
			opt.Seed = head.Seed // going on with the part's cases
		}
	}
	if opt.Seed == 0 {
		opt.Seed = NewSeed() // the same cases for every submission
	}
	start := time.Now()
	// Submissions build Jobs at once, also on a real server: only their
	// exercises, in its one database, run one at a time.
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	c := &Class{Dir: dir, Exercises: exercises, Jobs: jobs, Seed: opt.Seed, Shard: opt.Shard}
	var names []string
	partDir := ""
	if opt.Part != "" {
		partDir = paths.Resolved(opt.Part)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			if !opt.Shard.Has(e.Name()) || paths.Resolved(filepath.Join(dir, e.Name())) == partDir {
				continue // another shard's, or the part kept among the submissions
			}
			c.Submissions = append(c.Submissions, &Submission{Name: e.Name()})
			names = append(names, e.Name())
		}
	}
	if len(c.Submissions) == 0 {
		if opt.Shard.N > 1 {
			return nil, fmt.Errorf("%s: no submissions in shard %s", dir, opt.Shard)
		}
		return nil, fmt.Errorf("%s: no submissions (a folder per student)", dir)
	}
	var part *Part
	if opt.Part != "" {
		if part, err = OpenPart(opt.Part, exercises, opt.Seed, opt.Shard.whole(), names); err != nil {
			return nil, err
		}
	}
	verdicts, err := openVerdicts(exercises, opt.Options)
	if err != nil {
		return nil, fmt.Errorf("reading the grader's sources: %w", err)
	}
	var saveErr error
	var saveOnce sync.Once
	// A real server refused (somebody's keys in its database, out of
	// reach) stops the class at the first submission it refuses, rather
	// than failing every one of them.
	var refused error
	var refusedOnce sync.Once
	userCtx := ctx
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var kept sync.Mutex
	builds := make(chan struct{}, c.Jobs)
	runs := make(chan struct{}, 4*c.Jobs)
	if opt.RedisURL != "" {
		runs = make(chan struct{}, 1) // one database: one exercise at a time
	}
	// First, what each submission needs: kept by the part, its verdicts
	// reused, or graded; those graded, read, and the inert ones linked
	// into shared shims (see batch.go) before their exercises run.
	type todo struct {
		hash   string
		done   *Submission // kept or reused
		reused bool
		pkg    *Package    // to grade, read; nil: s.Err says why not
		ready  chan *built // its batch's harness; nil: built alone
	}
	todos := make([]todo, len(c.Submissions))
	var set *PackageExercises
	if m, err := LoadManifest(opt.Root); err == nil {
		set = m.Package(exercises[0].Package)
	}
	var batched []*Package
	ready := map[*Package]chan *built{}
	for i, s := range c.Submissions {
		t := &todos[i]
		sub := filepath.Join(dir, s.Name)
		hash, err := HashSubmission(sub)
		if err != nil {
			hash = "" // graded, and kept by no hash: graded again each time
		}
		t.hash = hash
		if part != nil {
			if done := part.Load(s.Name, hash, exercises); done != nil {
				t.done = done
				continue
			}
		}
		if done := verdicts.Load(s.Name, hash, exercises); done != nil && !opt.Regrade {
			t.done, t.reused = done, true
			continue
		}
		if t.pkg, s.Err = s.read(dir, exercises); t.pkg != nil && set != nil && batchSize > 1 && Inert(t.pkg, set.Package) {
			t.ready = make(chan *built, 1)
			ready[t.pkg] = t.ready
			batched = append(batched, t.pkg)
		}
	}
	if slices.ContainsFunc(todos, func(t todo) bool { return t.pkg != nil }) {
		// The checker, which every exercise needs, builds meanwhile.
		go buildChecker(ctx, opt.Root, opt.Progress)
	}
	if len(batched) > 1 {
		go buildBatches(ctx, opt.Options, set, batched, builds, func(p *Package, b *built) { ready[p] <- b })
	} else {
		for _, p := range batched {
			ready[p] <- nil
		}
	}
	var wg sync.WaitGroup
	for i, s := range c.Submissions {
		t := todos[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			hash := t.hash
			if t.done != nil && !t.reused {
				*s = *t.done
				kept.Lock()
				c.Kept++
				kept.Unlock()
				return
			}
			if t.done != nil {
				*s = *t.done
				s.Reused = true
				kept.Lock()
				c.Reused++
				kept.Unlock()
			} else {
				if t.pkg != nil {
					var pre *built
					if t.ready != nil {
						pre = <-t.ready
					}
					s.Report, _, s.Err = checkBuilt(ctx, t.pkg, exercises, opt.Options, limits{builds, runs}, pre)
				}
				if ctx.Err() == nil {
					// A verdict not kept is only graded again: no error.
					verdicts.Save(s, hash)
				}
			}
			if be, ok := errors.AsType[*backendError](s.Err); ok {
				refusedOnce.Do(func() { refused = be.err })
				stop()
				return
			}
			if part != nil && ctx.Err() == nil {
				// Kept only when no Ctrl-C cut it short; one that could
				// not be hashed is kept too, for merge, under no hash:
				// graded again each time.
				if err := part.Save(s, hash); err != nil {
					saveOnce.Do(func() { saveErr = fmt.Errorf("keeping the results in %s: %w", part.Dir, err) })
				}
			}
		}()
	}
	wg.Wait()
	pruneClassBuilds(classBuildsKept)
	pruneVerdicts(classBuildsKept)
	c.Elapsed = time.Since(start)
	if refused != nil {
		return nil, refused
	}
	if saveErr != nil {
		return c, saveErr
	}
	return c, userCtx.Err()
}

// read reads the submission's package, in its folder in the class's
// folder dir.
func (s *Submission) read(dir string, exercises []Exercise) (*Package, error) {
	sub := filepath.Join(dir, s.Name)
	pkgDir, err := FindPackage(sub, exercises[0].Package)
	if err != nil {
		return nil, err
	}
	rel, _ := filepath.Rel(dir, pkgDir)
	return ReadPackage(pkgDir, rel, sub)
}

// classBuilds prefixes the names of a class's builds in the build cache.
// They are kept, by content, so that grading the class again (a late
// submission, a changed deadline) builds only what changed; those unused
// for classBuildsKept are removed.
const (
	classBuilds     = "gradeone"
	classBuildsKept = 14 * 24 * time.Hour
)

// pruneClassBuilds removes the class builds, and their sources, that no
// grading has used for age.
func pruneClassBuilds(age time.Duration) {
	dirs, _ := filepath.Glob(filepath.Join(build.CacheDir(), classBuilds+"*"))
	sources, _ := filepath.Glob(filepath.Join(build.CacheDir(), "sources", "grade", "*"))
	for _, d := range append(dirs, sources...) {
		if st, err := os.Stat(d); err == nil && time.Since(st.ModTime()) > age {
			os.RemoveAll(d)
		}
	}
}

// report is the submission's Report, or one saying why it was not graded.
func (s *Submission) report(exercises []Exercise) *Report {
	if s.Report != nil {
		return s.Report
	}
	return &Report{Package: s.Name, Backend: "miniredis", Exercises: exercises, Results: s.rows(exercises)}
}

// WriteMarkdown writes the submission's feedback (see Report.WriteMarkdown).
func (s *Submission) WriteMarkdown(w io.Writer, exercises []Exercise) {
	s.report(exercises).WriteMarkdown(w, "Feedback for "+s.Name)
}

// WriteGradescope writes the submission's results as Gradescope's
// results.json (see Report.WriteGradescopeWith).
func (s *Submission) WriteGradescope(w io.Writer, exercises []Exercise, opt GradescopeOptions) error {
	return s.report(exercises).WriteGradescopeWith(w, opt)
}

// CSVHeader names the CSV's columns.
var CSVHeader = []string{"submission", "exercise", "name", "status", "points", "max_points", "seconds", "message"}

// WriteCSV writes a row per submission and exercise.
func (c *Class) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, s := range c.Submissions {
		for _, r := range s.rows(c.Exercises) {
			// Escaped: the CSV is also read in a terminal (--csv -).
			cw.Write([]string{
				term.Visible(s.Name), strconv.Itoa(r.Exercise), r.Name, string(r.Status), strconv.Itoa(r.Points),
				strconv.Itoa(r.Max), strconv.FormatFloat(r.Duration.Seconds(), 'f', 3, 64), term.Visible(r.Message),
			})
		}
	}
	cw.Flush()
	return cw.Error()
}

func (s *Submission) rows(exercises []Exercise) []Result {
	if s.Report != nil {
		return s.Report.rows()
	}
	rows := make([]Result, len(exercises))
	for i, e := range exercises {
		rows[i] = Result{Name: e.Name, Max: e.Points, Result: verdict.Result{
			Exercise: e.ID, Status: verdict.Error, Message: s.Err.Error()}}
	}
	return rows
}

// Points is what the submission scored.
func (s *Submission) Points() int {
	if s.Report == nil {
		return 0
	}
	return s.Report.Points()
}

// WriteSummary writes a table for the teacher: a line per submission with
// its points and a mark per exercise, then how many passed each exercise.
func (c *Class) WriteSummary(w io.Writer) {
	total := 0
	for _, e := range c.Exercises {
		total += e.Points
	}
	width := len("submission")
	for _, s := range c.Submissions {
		width = min(40, max(width, len(s.Name)))
	}
	fmt.Fprintf(w, "%-*s  points  ", width, "submission")
	for _, e := range c.Exercises {
		fmt.Fprintf(w, "%d ", e.ID)
	}
	fmt.Fprintln(w)
	passed := make([]int, len(c.Exercises))
	for _, s := range c.Submissions {
		fmt.Fprintf(w, "%-*s  %6s  ", width, term.Visible(s.Name), fmt.Sprintf("%d/%d", s.Points(), total))
		switch {
		case s.Err != nil:
			fmt.Fprintf(w, "not graded: %s", term.Visible(s.Err.Error()))
		case s.Report.Compile != nil:
			fmt.Fprintf(w, "does not compile: %s", strings.SplitN(visibleCompile(s.Report.Compile).Error(), "\n", 2)[0])
		default:
			for i, r := range s.Report.Results {
				mark := "✗"
				switch r.Status {
				case verdict.Passed:
					mark = "✓"
					passed[i]++
				case verdict.NotDone:
					mark = "·"
				}
				fmt.Fprintf(w, "%s ", mark)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	var parts []string
	for i, e := range c.Exercises {
		parts = append(parts, fmt.Sprintf("%d %s %d/%d", e.ID, e.Name, passed[i], len(c.Submissions)))
	}
	fmt.Fprintf(w, "passed: %s\n", strings.Join(parts, ", "))
	switch {
	case c.Parts > 0:
		fmt.Fprintf(w, "merged %d submissions from %d parts, graded in %s in all (✓ passed, ✗ failed, · not done)\n",
			len(c.Submissions), c.Parts, c.Elapsed.Round(100*time.Millisecond))
	default:
		what := fmt.Sprintf("%d submissions", len(c.Submissions))
		if c.Shard.N > 1 {
			what = fmt.Sprintf("shard %s, %s,", c.Shard, what)
		}
		fmt.Fprintf(w, "graded %s in %s (%d building at once, ✓ passed, ✗ failed, · not done)\n",
			what, c.Elapsed.Round(100*time.Millisecond), c.Jobs)
	}
	if c.Kept > 0 {
		fmt.Fprintf(w, "%d of them kept from an earlier run, unchanged since, not graded again\n", c.Kept)
	}
	if c.Reused > 0 {
		fmt.Fprintf(w, "%d of them graded before with the same files, grader and seed: their verdicts reused (grade --regrade grades them again)\n", c.Reused)
	}
	fmt.Fprintf(w, "%s\n", seedLine(c.Seed, fmt.Sprintf("grade --seed %d", c.Seed)))
}
