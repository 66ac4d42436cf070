package build

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSourcesFollowsLocalImports(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":           "module example.com/m\n\ngo 1.26\n",
		"a/a.go":           "package a\n\nimport (\n\t\"fmt\"\n\t\"example.com/m/b\"\n)\n\nvar _ = fmt.Sprint(b.X)\n",
		"a/a_test.go":      "package a\n\nimport _ \"example.com/m/c\"\n",
		"b/b.go":           "package b\n\nimport _ \"example.com/m/b/inner\"\n\nconst X = 1\n",
		"b/inner/i.go":     "package inner\n",
		"c/c.go":           "package c\n",
		"unused/u.go":      "package unused\n",
		"b/inner/notes.md": "not Go\n",
	})
	got, err := Sources(root, "example.com/m/a")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a/a.go", "b/b.go", "b/inner/i.go"}
	if !slices.Equal(got, want) {
		t.Errorf("Sources = %v, want %v (imports followed, tests and unrelated packages left out)", got, want)
	}
}

// A program's cache key must change when any package it links changes,
// including one that the kernel started importing after the list of
// folders was written.
func TestCacheKeyCoversIndirectImports(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":     "module example.com/m\n\ngo 1.26\n",
		"k/k.go":     "package k\n\nimport _ \"example.com/m/deep\"\n",
		"deep/d.go":  "package deep\n\nconst V = 1\n",
		"other/o.go": "package other\n",
	})
	req := Request{Root: root, Name: "p", Files: map[string][]byte{
		"main.go": []byte("package main\n\nimport _ \"example.com/m/k\"\n\nfunc main() {}\n"),
	}}
	key := func() string {
		t.Helper()
		moduleInputsCache.Clear()
		k, err := cacheKey(req)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	before := key()
	writeFiles(t, root, map[string]string{"other/o.go": "package other\n\nconst Changed = 1\n"})
	if key() != before {
		t.Error("the key changed with a package the program does not import")
	}
	writeFiles(t, root, map[string]string{"deep/d.go": "package deep\n\nconst V = 2\n"})
	if key() == before {
		t.Error("the key did not change when a package imported through another changed")
	}
}

func TestSourcesSkipsGraftedPackages(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"h/h.go": "package h\n\nimport _ \"example.com/m/grafted/by/overlay\"\n",
	})
	if got, err := Sources(root, "h"); err != nil || !slices.Equal(got, []string{"h/h.go"}) {
		t.Errorf("Sources = %v, %v; want just h/h.go", got, err)
	}
}

func TestSourcesWithoutAModule(t *testing.T) {
	if got, err := Sources(t.TempDir(), "runner/kernel"); err != nil || len(got) != 0 {
		t.Errorf("Sources of a folder with no go.mod = %v, %v; want nothing and no error", got, err)
	}
}
