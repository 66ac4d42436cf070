package autograder

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/redis-notebook/tutorial/runner/grade"
)

var root = func() string {
	r, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return r
}()

func TestSelect(t *testing.T) {
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(spec string) string {
		ex, err := Select(m, spec)
		if err != nil {
			return "error: " + err.Error()
		}
		var out []string
		for _, e := range ex {
			out = append(out, e.Name)
		}
		return strings.Join(out, " ")
	}
	for spec, want := range map[string]string{
		"1-3":           "json lists letters",
		"pipelines":     "leaderboard cache bulk-load rate-limit transfer",
		"7, letters,1":  "json letters leaderboard",
		"redisbasics,3": "json lists letters anagram-lists anagram-hash anagram-groups",
		"99":            `error: no exercise "99"; the exercises are: 1 json, 2 lists, 3 letters, 4 anagram-lists, 5 anagram-hash, 6 anagram-groups, 7 leaderboard, 8 cache, 9 bulk-load, 10 rate-limit, 11 transfer`,
		"90-95":         "error: no exercise in 90-95",
		"":              "json lists letters anagram-lists anagram-hash anagram-groups leaderboard cache bulk-load rate-limit transfer",
	} {
		if got := ids(spec); !strings.HasPrefix(got, want) || (strings.HasPrefix(want, "error") != strings.HasPrefix(got, "error")) {
			t.Errorf("Select(%q) = %s, want %s", spec, got, want)
		}
	}
}

// gradescopeResults is what the test reads of results.json.
type gradescopeResults struct {
	Score  float64 `json:"score"`
	Output string  `json:"output"`
	Tests  []struct {
		Name     string  `json:"name"`
		Score    float64 `json:"score"`
		MaxScore float64 `json:"max_score"`
	} `json:"tests"`
}

// TestGradescope lays out /autograder as Gradescope does, in a temporary
// root: the zip unpacked in source/, what setup.sh builds (the runner; its
// downloads cannot run here, nor its warm-up), and solutions/ removed as
// setup.sh does; then runs run_autograder, without the network's module
// proxy, on one submission uploaded three ways, and on an empty one.
func TestGradescope(t *testing.T) {
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := Select(m, "1,2,7")
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	if err := Gradescope(root, sel, someSums, &z); err != nil {
		t.Fatal(err)
	}
	ag := filepath.Join(t.TempDir(), "autograder")
	source := filepath.Join(ag, "source")
	unzip(t, z.Bytes(), source)

	for _, script := range []string{"setup.sh", "install_go.sh", "run_autograder"} {
		if out, err := exec.Command("bash", "-n", filepath.Join(source, script)).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", script, err, out)
		}
		if st, err := os.Stat(filepath.Join(source, script)); err != nil || st.Mode()&0o100 == 0 {
			t.Errorf("%s is not executable: %v", script, err)
		}
	}
	setup, _ := os.ReadFile(filepath.Join(source, "setup.sh"))
	for _, step := range []string{"go_version=" + runtime.Version() + "\n", "apt-get install -y --no-install-recommends bubblewrap",
		`bash "$root/source/install_go.sh"`, "go mod download", `go build -o "$root/source/bin/runner" ./runner`,
		"check --solutions", `rm -rf solutions "$NOTEBOOK_CACHE/sources"`} {
		if !bytes.Contains(setup, []byte(step)) {
			t.Errorf("setup.sh has no %q", step)
		}
	}
	if _, err := os.Stat(filepath.Join(source, "course", "solutions", "redisbasics", "01_json.go")); err != nil {
		t.Errorf("the zip has no solutions for setup.sh to warm the cache with: %v", err)
	}

	// What setup.sh builds, and removes.
	build := exec.Command("go", "build", "-o", filepath.Join(source, "bin", "runner"), "./runner")
	build.Dir = filepath.Join(source, "course")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the runner as setup.sh does: %v\n%s", err, out)
	}
	os.RemoveAll(filepath.Join(source, "course", "solutions"))

	// A student who did exercises 1 and 7 but not 2.
	student := map[string][]byte{}
	for _, pkg := range []string{"redisbasics", "pipelines"} {
		files, _ := filepath.Glob(filepath.Join(root, "exercises", pkg, "*.go"))
		for _, f := range files {
			student[pkg+"/"+filepath.Base(f)], _ = os.ReadFile(f)
		}
	}
	student["redisbasics/01_json.go"], _ = os.ReadFile(filepath.Join(root, "solutions", "redisbasics", "01_json.go"))
	student["pipelines/07_leaderboard.go"], _ = os.ReadFile(filepath.Join(root, "solutions", "pipelines", "07_leaderboard.go"))

	for _, c := range []struct{ name, prefix string }{
		{"the student's folder", ""},
		{"a zip of a folder", "alice/"},
		{"a GitHub repository, nested", "redis-course-alice/exercises/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sub := filepath.Join(ag, "submission")
			os.RemoveAll(sub)
			os.RemoveAll(filepath.Join(ag, "results"))
			for name, b := range student {
				write(t, filepath.Join(sub, c.prefix+name), b)
			}
			if c.prefix == "alice/" {
				write(t, filepath.Join(sub, "__MACOSX", "alice", "._01_json.go"), []byte{0, 5, 22, 7})
			}
			if strings.HasPrefix(c.prefix, "redis-course-alice/") {
				write(t, filepath.Join(sub, "redis-course-alice", "go.mod"), []byte("module github.com/redis-notebook/tutorial\n"))
				write(t, filepath.Join(sub, "redis-course-alice", "runner", "main.go"), []byte("package main\n\nfunc main() {}\n"))
			}
			r := runAutograder(t, ag)
			want := map[string]float64{"1 ": 1, "2 ": 0, "7 ": 1}
			if r.Score != 2 || len(r.Tests) != len(want) {
				t.Fatalf("score %v with %d tests, want 2 of 3 points:\n%+v", r.Score, len(r.Tests), r)
			}
			for _, test := range r.Tests {
				id := test.Name[:strings.Index(test.Name, " ")+1]
				if w, ok := want[id]; !ok || test.Score != w || test.MaxScore != 1 {
					t.Errorf("%s: %v of %v, want %v of 1", test.Name, test.Score, test.MaxScore, w)
				}
			}
		})
	}

	t.Run("nothing handed in", func(t *testing.T) {
		sub := filepath.Join(ag, "submission")
		os.RemoveAll(sub)
		os.MkdirAll(sub, 0o755)
		write(t, filepath.Join(sub, "notes.txt"), []byte("I \"tried\"\\\tsorry\n"))
		r := runAutograder(t, ag)
		if r.Score != 0 || !strings.Contains(r.Output, "could not grade") || !strings.Contains(r.Output, "no Go files") {
			t.Errorf("got %+v, want a score of 0 saying there are no Go files", r)
		}
	})
}

func runAutograder(t testing.TB, ag string) gradescopeResults {
	t.Helper()
	return runEntry(t, exec.Command("bash", filepath.Join(ag, "source", "run_autograder")), ag)
}

// runEntry runs run_autograder, with /autograder at ag, and reads the
// results it wrote. Where bubblewrap can, it runs with no network, as on
// Gradescope; and then inside another sandbox, as in a container.
func runEntry(t testing.TB, cmd *exec.Cmd, ag string) gradescopeResults {
	t.Helper()
	if noNet := noNetwork(); noNet != nil {
		cmd.Args = append(noNet, cmd.Args...)
		cmd.Path = noNet[0]
	} else {
		t.Log("run_autograder runs with the network: bwrap --unshare-net does not work here")
	}
	cmd.Dir = ag
	cmd.Env = append(os.Environ(), "AUTOGRADER_ROOT="+ag,
		"PATH="+filepath.Join(runtime.GOROOT(), "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run_autograder: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(ag, "results", "results.json"))
	if err != nil {
		t.Fatalf("%v; run_autograder said:\n%s", err, out)
	}
	var r gradescopeResults
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("results.json: %v\n%s", err, b)
	}
	return r
}

func write(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func unzip(t testing.TB, b []byte, dir string) {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var data bytes.Buffer
		data.ReadFrom(rc)
		rc.Close()
		write(t, filepath.Join(dir, filepath.FromSlash(f.Name)), data.Bytes())
		os.Chmod(filepath.Join(dir, filepath.FromSlash(f.Name)), f.Mode().Perm())
	}
}

// noNetwork returns the command that runs another with no network, or
// nil where there is none.
var noNetwork = sync.OnceValue(func() []string {
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		return nil
	}
	args := []string{bwrap, "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net", "--"}
	if exec.Command(args[0], append(args[1:], "true")...).Run() != nil {
		return nil
	}
	return args
})
