package grade

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

func TestParseShard(t *testing.T) {
	for _, bad := range []string{"", "3", "0/5", "6/5", "1/0", "a/b", "-1/2"} {
		if _, err := ParseShard(bad); err == nil || !strings.Contains(err.Error(), "a shard is K/N") {
			t.Errorf("ParseShard(%q) = %v, want an error", bad, err)
		}
	}
	if s, err := ParseShard("2/5"); err != nil || s != (Shard{2, 5}) || s.String() != "2/5" {
		t.Errorf("ParseShard(2/5) = %v, %v", s, err)
	}
}

// TestShardHas: every submission is in exactly one shard, the same one
// whatever the other submissions, and a class is spread over them all.
func TestShardHas(t *testing.T) {
	const n = 5
	sizes := make([]int, n)
	for i := range 100 {
		name := fmt.Sprintf("student%03d", i)
		in := 0
		for k := 1; k <= n; k++ {
			if (Shard{k, n}).Has(name) {
				in++
				sizes[k-1]++
			}
		}
		if in != 1 {
			t.Errorf("%s is in %d shards of %d", name, in, n)
		}
	}
	for k, size := range sizes {
		if size < 10 {
			t.Errorf("shard %d/%d has %d of 100 submissions: %v", k+1, n, size, sizes)
		}
	}
	if !(Shard{}).Has("anyone") || !(Shard{1, 1}).Has("anyone") {
		t.Error("the whole class does not have everyone")
	}
}

// outputs are every file a class's grading writes for a teacher, with
// the times (which vary by run) taken out: the long CSV's seconds,
// Gradescope's execution_time, and the summary's line of times.
func outputs(t *testing.T, c *Class) map[string]string {
	t.Helper()
	out := map[string]string{}
	var csvOut, book, summary bytes.Buffer
	if err := c.WriteCSV(&csvOut); err != nil {
		t.Fatal(err)
	}
	seconds := regexp.MustCompile(`(?m)^([^,\n]+,\d+,[^,\n]+,[^,\n]+,\d+,\d+,)[\d.]+,`)
	out["grades.csv"] = seconds.ReplaceAllString(csvOut.String(), "${1}SECONDS,")
	if err := c.WriteGradebook(&book); err != nil {
		t.Fatal(err)
	}
	out["gradebook.csv"] = book.String()
	c.WriteSummary(&summary)
	var lines []string
	for _, line := range strings.Split(summary.String(), "\n") {
		if !strings.HasPrefix(line, "graded ") && !strings.HasPrefix(line, "merged ") {
			lines = append(lines, line)
		}
	}
	out["summary"] = strings.Join(lines, "\n")
	execTime := regexp.MustCompile(`"execution_time": [0-9.e-]+`)
	for _, s := range c.Submissions {
		var md, gs bytes.Buffer
		s.WriteMarkdown(&md, c.Exercises)
		out[s.Name+".feedback.md"] = md.String()
		if err := s.WriteGradescope(&gs, c.Exercises, GradescopeOptions{}); err != nil {
			t.Fatal(err)
		}
		out[s.Name+".results.json"] = execTime.ReplaceAllString(gs.String(), `"execution_time": SECONDS`)
	}
	return out
}

// TestShardsMergeToWholeRun grades a generated class whole, then in N
// shards, each into its part folder, and merges the parts: the grades
// (the CSV, the gradebook, the summary's marks) are the whole run's,
// submission by submission; and every output, each submission's feedback
// and Gradescope results too, is byte for byte what its shard graded.
// (Feedback may differ from the whole run's where a submission does
// differ from one run to the next: one that ranges over a map sends its
// commands in another order.)
// GRADE_SHARD_CLASS=100 grades a class of 100 (the default is smaller, to
// keep CI quick: see README's "Several machines").
func TestShardsMergeToWholeRun(t *testing.T) {
	t.Parallel()
	size, shards := 20, 5
	if s := os.Getenv("GRADE_SHARD_CLASS"); s != "" {
		var err error
		if size, err = strconv.Atoi(s); err != nil {
			t.Fatalf("GRADE_SHARD_CLASS=%s: %v", s, err)
		}
	}
	dir := t.TempDir()
	generateClass(t, dir, size)
	opt := ClassOptions{Options: options()}
	opt.Timeout = 5 * time.Second
	start := time.Now()
	whole, err := GradeClass(context.Background(), dir, manifest.Exercises, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the whole class of %d: %s", size, time.Since(start).Round(time.Millisecond))
	parts := t.TempDir()
	var dirs []string
	graded := &Class{Exercises: manifest.Exercises}
	for k := 1; k <= shards; k++ {
		opt.Shard = Shard{k, shards}
		opt.Part = filepath.Join(parts, fmt.Sprintf("part-%d", k))
		start := time.Now()
		c, err := GradeClass(context.Background(), dir, manifest.Exercises, opt)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("shard %d/%d: %d submissions, %s", k, shards, len(c.Submissions), time.Since(start).Round(time.Millisecond))
		graded.Seed = c.Seed
		graded.Submissions = append(graded.Submissions, c.Submissions...)
		dirs = append(dirs, opt.Part)
	}
	merged, err := MergeParts(dirs, &Manifest{Packages: []*PackageExercises{manifest}})
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Submissions) != size {
		t.Fatalf("merged %d submissions, want %d", len(merged.Submissions), size)
	}
	slices.SortFunc(graded.Submissions, func(a, b *Submission) int { return strings.Compare(a.Name, b.Name) })
	want, got, shardsWrote := outputs(t, whole), outputs(t, merged), outputs(t, graded)
	if len(got) != len(want) || len(got) != len(shardsWrote) {
		t.Errorf("%d outputs merged, %d whole, %d of the shards", len(got), len(want), len(shardsWrote))
	}
	for name, w := range shardsWrote {
		if got[name] != w {
			t.Errorf("%s merged differs from its shard's:\n%s\nshard's:\n%s", name, got[name], w)
		}
	}
	for _, name := range []string{"grades.csv", "gradebook.csv", "summary"} {
		if got[name] != want[name] {
			t.Errorf("%s merged differs from the whole run's:\n%s\nwhole:\n%s", name, got[name], want[name])
		}
	}
	for _, status := range []string{",passed,", ",failed,", ",not done,", "," + CompileStatus + ","} {
		if !strings.Contains(want["grades.csv"], status) {
			t.Errorf("the generated class has no %s exercise:\n%s", status, want["grades.csv"])
		}
	}

	// Merging refuses parts that are not one whole class.
	for _, tc := range []struct {
		dirs []string
		want string
	}{
		{dirs[1:], "no part for shard 1/5"},
		{append([]string{dirs[0]}, dirs...), "are both shard 1/5"},
		{[]string{dir}, "not a part folder (no part.json)"},
	} {
		if _, err := MergeParts(tc.dirs, &Manifest{Packages: []*PackageExercises{manifest}}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("MergeParts(%v) = %v, want %q", tc.dirs, err, tc.want)
		}
	}
	var head partHead
	b, _ := os.ReadFile(filepath.Join(dirs[0], "part.json"))
	json.Unmarshal(b, &head)
	os.Remove(filepath.Join(dirs[0], "submissions", head.Submissions[0]+".json"))
	if _, err := MergeParts(dirs, &Manifest{Packages: []*PackageExercises{manifest}}); err == nil ||
		!strings.Contains(err.Error(), "1 of its") || !strings.Contains(err.Error(), head.Submissions[0]) {
		t.Errorf("merging a part not complete: %v", err)
	}
}

// TestPartGoesOn interrupts a class's grading (Ctrl-C) while one
// submission hangs: those finished are kept in the part; graded again
// with the same part, the class grades only the one not finished, then
// only a submission changed since.
func TestPartGoesOn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hang, err := txtar.ParseFile("testdata/limits.txtar")
	if err != nil {
		t.Fatal(err)
	}
	submission(t, dir, "alice", "solutions", nil)
	submission(t, dir, "bob", "exercises", nil)
	submission(t, dir, "hal", "solutions", hang.Files)
	part := filepath.Join(dir, "part") // among the submissions, and not one of them
	opt := ClassOptions{Options: options(), Part: part}
	opt.Timeout = time.Minute // hal's hang outlasts the Ctrl-C

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ctx.Err() == nil {
			a, _ := os.Stat(filepath.Join(part, "submissions", "alice.json"))
			b, _ := os.Stat(filepath.Join(part, "submissions", "bob.json"))
			if a != nil && b != nil {
				cancel()
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	if _, err := GradeClass(ctx, dir, manifest.Exercises, opt); err != context.Canceled {
		t.Fatalf("interrupted: %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(part, "submissions", "hal.json")); err == nil {
		t.Error("hal, cut short, was kept")
	}

	opt.Timeout = time.Second
	opt.Seed = 0 // the part's seed, as the command run again without --seed
	c, err := GradeClass(context.Background(), dir, manifest.Exercises, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Submissions) != 3 {
		t.Fatalf("%d submissions graded, want alice, bob and hal", len(c.Submissions))
	}
	if c.Kept != 2 || c.Seed != seed || c.Submissions[2].Report == nil || c.Submissions[2].Report.Results[0].Status != "failed" {
		t.Fatalf("kept %d (want 2), seed %d (want %d), hal %+v", c.Kept, c.Seed, seed, c.Submissions[2])
	}
	if c.Submissions[0].Points() != 6 || c.Submissions[1].Points() != 0 {
		t.Errorf("alice %d, bob %d points kept, want 6 and 0", c.Submissions[0].Points(), c.Submissions[1].Points())
	}

	// bob hands in the solutions: he alone is graded again.
	submission(t, dir, "bob", "solutions", nil)
	if c, err = GradeClass(context.Background(), dir, manifest.Exercises, opt); err != nil {
		t.Fatal(err)
	}
	if c.Kept != 2 || c.Submissions[1].Points() != 6 {
		t.Errorf("kept %d (want 2: alice and hal), bob has %d points (want 6)", c.Kept, c.Submissions[1].Points())
	}

	// A part of another grading is refused.
	opt.Seed = seed + 1
	if _, err := GradeClass(context.Background(), dir, manifest.Exercises, opt); err == nil || !strings.Contains(err.Error(), "give another folder") {
		t.Errorf("another seed in the same part: %v", err)
	}
}

// TestHashSubmission: a submission's hash is its files' (paths, contents,
// links), wherever the folder is: a change of any of them is another
// hash, which a part grades again.
func TestHashSubmission(t *testing.T) {
	write := func(dir string, files map[string]string) string {
		for name, body := range files {
			os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
			os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
		}
		h, err := HashSubmission(dir)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	files := map[string]string{"redisbasics/01_json.go": "package redisbasics\n", "redisbasics/doc.go": "package redisbasics\n"}
	a := write(t.TempDir(), files)
	if b := write(t.TempDir(), files); a != b {
		t.Errorf("the same files in two folders: %s and %s", a, b)
	}
	seen := map[string]string{a: "the files"}
	dir := t.TempDir()
	write(dir, files)
	for _, step := range []struct {
		what   string
		change func()
	}{
		{"a file edited", func() {
			os.WriteFile(filepath.Join(dir, "redisbasics/doc.go"), []byte("package redisbasics // x\n"), 0o644)
		}},
		{"a file added", func() { os.WriteFile(filepath.Join(dir, "redisbasics/02_lists.go"), nil, 0o644) }},
		{"a file renamed", func() {
			os.Rename(filepath.Join(dir, "redisbasics/02_lists.go"), filepath.Join(dir, "redisbasics/03.go"))
		}},
		{"a link", func() { os.Symlink("/etc/passwd", filepath.Join(dir, "redisbasics/04.go")) }},
	} {
		what := step.what
		step.change()
		h, err := HashSubmission(dir)
		if err != nil {
			t.Fatal(err)
		}
		if before, ok := seen[h]; ok {
			t.Errorf("%s: the same hash as %s", what, before)
		}
		seen[h] = what
	}
}
