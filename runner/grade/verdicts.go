package grade

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// Verdicts keeps each graded submission's results in the build cache,
// under a key of everything they depend on: the submission's files and
// folder name, the grader's version (GraderVersion), and how it was
// graded (seed, exercises, backend, time limit, sandbox). A class graded
// again unchanged reads its verdicts there instead of building and
// running anything; a changed file, grader or seed misses, and is graded.
//
//	verdicts/KK/KEY.json   one submission's results, as a part keeps them
type Verdicts struct {
	dir    string
	config string // hash of the grader's version and the grading's settings
}

// verdictsDir is the store's folder in the build cache.
func verdictsDir() string { return filepath.Join(build.CacheDir(), "verdicts") }

// openVerdicts returns the store for grading exercises with opt.
func openVerdicts(exercises []Exercise, opt Options) (*Verdicts, error) {
	version, err := graderVersion(opt.Root, exercises[0].Package)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "grader %s\npackage %s\nseed %d\n", version, exercises[0].Package, opt.Seed)
	for _, e := range exercises {
		fmt.Fprintf(h, "exercise %d %s %d\n", e.ID, e.Name, e.Points)
	}
	// A real server's verdicts are the server's: keyed by its URL.
	fmt.Fprintf(h, "backend %s %q dirty=%v\n", opt.Backend(), opt.RedisURL, opt.AllowDirty)
	fmt.Fprintf(h, "time limit %s\n", opt.TimeLimit())
	// With or without namespaces, as root or not, the graded code meets
	// other limits: what it may do differs.
	fmt.Fprintf(h, "sandbox %v root %v\n", opt.bwrap() != "", os.Geteuid() == 0)
	return &Verdicts{dir: verdictsDir(), config: hex.EncodeToString(h.Sum(nil))}, nil
}

// key is the submission's entry: its name (reports name its folder) and
// the hash of its files (HashSubmission), under the store's config.
func (v *Verdicts) key(name, hash string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%q\n%s\n", v.config, name, hash)
	return hex.EncodeToString(h.Sum(nil))
}

func (v *Verdicts) path(key string) string { return filepath.Join(v.dir, key[:2], key+".json") }

// Load returns the submission as graded before with the same files,
// grader and settings, or nil. An entry that cannot be read, or is not
// this submission's, is ignored: the submission is graded again.
func (v *Verdicts) Load(name, hash string, exercises []Exercise) *Submission {
	if hash == "" {
		return nil
	}
	key := v.key(name, hash)
	path := v.path(key)
	s, saved, err := loadSubmission(path, exercises)
	if err != nil || saved != key || s.Name != name || s.Report == nil || len(s.Report.Results) != len(exercises) && s.Report.Compile == nil {
		return nil
	}
	for i, r := range s.Report.Results {
		if r.Exercise != exercises[i].ID {
			return nil
		}
	}
	now := time.Now()
	os.Chtimes(path, now, now) // used: pruned last
	return s
}

// Save keeps a graded submission's results, unless they say nothing of
// the submission: grading that did not happen (an error of the grader's
// own, a busy machine, Redis unreachable) is tried again next time.
func (v *Verdicts) Save(s *Submission, hash string) error {
	if hash == "" || s.Err != nil || s.Report == nil {
		return nil
	}
	if slices.ContainsFunc(s.Report.Results, func(r Result) bool { return r.Status == verdict.Error || r.Busy }) {
		return nil
	}
	key := v.key(s.Name, hash)
	if err := os.MkdirAll(filepath.Dir(v.path(key)), 0o755); err != nil {
		return err
	}
	return saveSubmission(v.path(key), s, key)
}

// pruneVerdicts removes the verdicts no grading has used for age.
func pruneVerdicts(age time.Duration) {
	filepath.WalkDir(verdictsDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil && time.Since(info.ModTime()) > age {
			os.Remove(path)
		}
		return nil
	})
}

// graderVersions caches GraderVersion by module root and package.
var graderVersions sync.Map

func graderVersion(root, pkg string) (string, error) {
	id := root + "\x00" + pkg
	if v, ok := graderVersions.Load(id); ok {
		return v.(string), nil
	}
	v, err := GraderVersion(root, pkg)
	if err != nil {
		return "", err
	}
	graderVersions.Store(id, v)
	return v, nil
}

// GraderVersion hashes what a verdict on package pkg's exercises depends
// on besides the submission: the Go version; go.mod and go.sum (the
// versions of go-redis and miniredis the shim links and the checker runs
// against); the sources of the grader, the checker and the shim, with
// every package of the module they import; the manifest; and the
// course's stubs and reference solutions of pkg, from which a broken
// file's stub is written.
func GraderVersion(root, pkg string) (string, error) {
	files, err := build.Sources(root, ModulePath+"/runner/grade", checksPkg, shimPkg)
	if err != nil {
		return "", err
	}
	files = append([]string{"go.mod", "go.sum", ManifestPath}, files...)
	for _, dir := range []string{"exercises", "solutions"} {
		entries, err := os.ReadDir(filepath.Join(root, dir, pkg))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		for _, e := range entries {
			if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
				files = append(files, filepath.ToSlash(filepath.Join(dir, pkg, e.Name())))
			}
		}
	}
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil && !(errors.Is(err, fs.ErrNotExist) && f == "go.sum") {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", f, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
