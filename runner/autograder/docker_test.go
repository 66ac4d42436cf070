package autograder

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// TestDocker: docker is not on this project's machines, so the test does
// what the Dockerfile says, in a temporary root standing for the image's
// /: its COPY lines, what its RUN of setup.sh builds (the runner; the
// solutions removed), and its ENTRYPOINT, run on a mounted submission.
func TestDocker(t *testing.T) {
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := Select(m, "2,3")
	if err != nil {
		t.Fatal(err)
	}
	context := filepath.Join(t.TempDir(), "image")
	if _, err := Docker(root, sel, someSums, context); err != nil {
		t.Fatal(err)
	}
	if _, err := Docker(root, sel, someSums, context); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Errorf("writing into the same folder again: %v, want refused", err)
	}
	df, err := os.ReadFile(filepath.Join(context, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	image := t.TempDir() // the image's /
	var entry []string
	ran := false
	for _, line := range strings.Split(string(df), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "FROM":
			if f[1] != DockerBase || !strings.Contains(f[1], ":") || strings.HasSuffix(f[1], ":latest") {
				t.Errorf("FROM %s, want a pinned %s", f[1], DockerBase)
			}
		case "COPY":
			dst := filepath.Join(image, f[len(f)-1])
			for _, src := range f[1 : len(f)-1] {
				copyTree(t, filepath.Join(context, src), dst, strings.HasSuffix(f[len(f)-1], "/"))
			}
		case "RUN":
			if strings.Join(f[1:], " ") != "bash /autograder/source/setup.sh" {
				t.Fatalf("RUN %s: the test knows only setup.sh", strings.Join(f[1:], " "))
			}
			source := filepath.Join(image, "autograder", "source")
			if out, err := exec.Command("bash", "-n", filepath.Join(source, "setup.sh")).CombinedOutput(); err != nil {
				t.Fatalf("bash -n setup.sh: %v\n%s", err, out)
			}
			build := exec.Command("go", "build", "-o", filepath.Join(source, "bin", "runner"), "./runner")
			build.Dir = filepath.Join(source, "course")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("building the runner as setup.sh does: %v\n%s", err, out)
			}
			os.RemoveAll(filepath.Join(source, "course", "solutions"))
			ran = true
		case "ENTRYPOINT":
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "ENTRYPOINT ")), &entry); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
		default:
			t.Fatalf("the test does not know %s", line)
		}
	}
	if !ran || len(entry) != 1 {
		t.Fatalf("no RUN of setup.sh, or ENTRYPOINT %v", entry)
	}

	// docker run -v alice:/autograder/submission: exercise 3 done, 2 not.
	ag := filepath.Join(image, "autograder")
	sub := filepath.Join(ag, "submission", "redisbasics")
	files, _ := filepath.Glob(filepath.Join(root, "exercises", "redisbasics", "*.go"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		write(t, filepath.Join(sub, filepath.Base(f)), b)
	}
	b, _ := os.ReadFile(filepath.Join(root, "solutions", "redisbasics", "03_letters.go"))
	write(t, filepath.Join(sub, "03_letters.go"), b)

	cmd := exec.Command(filepath.Join(image, entry[0]))
	r := runEntry(t, cmd, ag)
	if r.Score != 1 || len(r.Tests) != 2 || r.Tests[0].Score != 0 || r.Tests[1].Score != 1 || !strings.HasPrefix(r.Tests[1].Name, "3 ") {
		t.Errorf("got %+v, want exercise 2 at 0 and 3 at 1", r)
	}
}

// copyTree copies as COPY does: a file to dst, or into it when into (dst
// ends in /); a folder's contents into dst.
func copyTree(t *testing.T, src, dst string, into bool) {
	t.Helper()
	st, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	if !st.IsDir() {
		if into {
			dst = filepath.Join(dst, filepath.Base(src))
		}
		b, _ := os.ReadFile(src)
		write(t, dst, b)
		os.Chmod(dst, st.Mode().Perm())
		return
	}
	filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		b, _ := os.ReadFile(path)
		write(t, filepath.Join(dst, rel), b)
		return os.Chmod(filepath.Join(dst, rel), info.Mode().Perm())
	})
}
