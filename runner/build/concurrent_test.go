package build

import (
	"context"
	"os/exec"
	"sync"
	"testing"
)

// TestSameProgramBuiltAtOnce: several builds of one program in one
// process (parallel tests, a walk and a serve) all succeed, and leave one
// finished binary that runs. They once shared a temporary file named by
// the process: the first rename took it from under the others.
func TestSameProgramBuiltAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"go.mod": "module example.com/m\n\ngo 1.26\n"})
	t.Setenv("NOTEBOOK_CACHE", t.TempDir())
	req := Request{Root: root, Name: "twice", Files: map[string][]byte{
		"main.go": []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\"built once\") }\n"),
	}}
	const builds = 4
	var (
		wg   sync.WaitGroup
		bins [builds]string
		errs [builds]error
	)
	// Every build links before any renames: the order that lost a
	// shared temporary file.
	var arrived sync.WaitGroup
	arrived.Add(builds)
	linked = func() { arrived.Done(); arrived.Wait() }
	t.Cleanup(func() { linked = func() {} })
	for i := range builds {
		wg.Go(func() { bins[i], errs[i] = Compile(context.Background(), req, nil) })
	}
	wg.Wait()
	for i := range builds {
		if errs[i] != nil {
			t.Fatalf("build %d of %d: %v", i+1, builds, errs[i])
		}
		if bins[i] != bins[0] {
			t.Errorf("build %d made %s, build 1 %s", i+1, bins[i], bins[0])
		}
	}
	out, err := exec.Command(bins[0]).Output()
	if err != nil || string(out) != "built once" {
		t.Errorf("the binary printed %q, %v", out, err)
	}
}
