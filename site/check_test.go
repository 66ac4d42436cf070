package site

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck/checkprog"
)

// TestCheckBundles: every exercise page carries the in-page check (its
// script, the note that the code and the checks share this tab) and a
// bundle holding the package's stubs, the generated main for that
// exercise, and the learner's package's import path.
func TestCheckBundles(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Root: root, Out: filepath.Join(t.TempDir(), "public"), Run: (&fakeRunner{}).run}
	mustBuild(t, opt)
	bundleAttr := regexp.MustCompile(`data-bundle="([^"]+)"`)
	for _, e := range m.Exercises() {
		page := readFile(t, filepath.Join(opt.Out, pageName(e)))
		if !strings.Contains(page, `class="nb-check-note"`) || !strings.Contains(page, "no one to cheat") {
			t.Errorf("exercise %d: the page lacks the note on checking in the tab", e.ID)
		}
		match := bundleAttr.FindStringSubmatch(page)
		if match == nil {
			t.Errorf("exercise %d: the page names no check bundle", e.ID)
			continue
		}
		data, err := os.ReadFile(filepath.Join(opt.Out, match[1]))
		if err != nil {
			t.Fatal(err)
		}
		var b checkBundle
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatal(err)
		}
		stub := readFile(t, filepath.Join(root, "exercises", e.Package, e.File))
		if b.ID != e.ID || b.File != e.File || b.Files[e.File] != stub || b.ImportPath != checkprog.LearnerImportPath {
			t.Errorf("exercise %d: bundle of exercise %d, file %s, import path %s", e.ID, b.ID, b.File, b.ImportPath)
		}
		if !strings.Contains(b.Main, `browsercheck.Main(`) || !strings.Contains(b.Main, `\"id\":`+itoa(e.ID)+`,`) {
			t.Errorf("exercise %d: the bundle's main does not check it:\n%s", e.ID, b.Main)
		}
		for _, f := range e.Funcs {
			if !strings.Contains(b.Main, "learner."+f) {
				t.Errorf("exercise %d: the bundle's main does not pass %s", e.ID, f)
			}
		}
	}
}

func pageName(e grade.Exercise) string { return fmt.Sprintf("exercise-%02d-%s.html", e.ID, e.Name) }

func itoa(n int) string { return fmt.Sprint(n) }
