// Package build compiles generated Go programs inside the tutorial's
// module, caches the binaries by content, shows progress while a cold build
// compiles the dependencies, and turns compiler output into diagnostics.
package build

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Request is one program to build.
type Request struct {
	Root   string            // the module root: the build runs there
	Name   string            // a short name for the binary and messages
	Files  map[string][]byte // file name -> source, in the program's own folder
	Flags  []string          // extra go build flags (e.g. -overlay=...)
	Inputs [][]byte          // anything else the binary depends on, for the cache key
	Env    []string          // extra environment for go build (GOOS=js GOARCH=wasm), in the cache key
}

// Progress hears how a build that takes a while is going. It may be nil.
type Progress func(Status)

// A Status is how far a cold build has come: the dependencies it compiled
// so far, and the one it compiles now; or, when Done, the whole build.
type Status struct {
	Packages int           // dependencies compiled so far
	Total    int           // of how many; 0: not known (go build -v does not say)
	Elapsed  time.Duration // since the build started
	Current  string        // the package being compiled; "" when Done
	Done     bool          // the build has finished
}

// String is the status as one line for a person.
func (s Status) String() string {
	elapsed := s.Elapsed.Round(time.Second)
	packages := strconv.Itoa(s.Packages)
	if s.Total > 0 {
		packages += " of " + strconv.Itoa(s.Total)
	}
	if s.Done {
		return fmt.Sprintf("built in %s (%s packages); later runs reuse them", elapsed, packages)
	}
	return fmt.Sprintf("compiling dependencies (a first build takes about a minute): %s packages, %s, now %s",
		packages, elapsed, s.Current)
}

// Compile returns the path of a binary compiled from req, compiling it
// only if no identical build is cached.
func Compile(ctx context.Context, req Request, progress Progress) (string, error) {
	key, err := cacheKey(req)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(CacheDir(), req.Name+"-"+key[:16])
	bin := filepath.Join(dir, req.Name)
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if _, err := os.Stat(bin); err == nil {
		now := time.Now()
		os.Chtimes(dir, now, now) // recently used: pruned last
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Two builds of the same program may run at once (parallel tests, two
	// walks): each writes the sources whole, by rename, so that the other's
	// compiler never reads a file half rewritten, and links to a name of
	// its own.
	var files []string
	for name, src := range req.Files {
		p := filepath.Join(dir, name)
		if err := WriteFile(p, src); err != nil {
			return "", err
		}
		if strings.HasSuffix(name, ".go") {
			files = append(files, p)
		}
	}
	f, err := os.CreateTemp(dir, filepath.Base(bin)+".tmp*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	f.Close()
	args := append([]string{"build", "-v", "-o", tmp}, req.Flags...)
	args = append(args, files...)
	if err := goBuild(ctx, req.Root, req.Env, args, progress); err != nil {
		os.Remove(tmp)
		return "", err
	}
	linked()
	// Rename last, so a binary in the cache is always a finished one.
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	prune(req.Name, dir)
	return bin, nil
}

// linked runs between a build's link and its rename; tests hold builds
// there to line them up.
var linked = func() {}

// WriteFile writes a file under a temporary name of its own and renames
// it into place: a reader (another build, another process) sees the old
// file or the new one, never part of it, and two writers at once never
// share the temporary file. A failed write leaves the old file as it was.
func WriteFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// keepBuilds is how many binaries of one name stay cached: enough for
// switching backends or undoing an edit, without a binary per save.
const keepBuilds = 4

// prune removes all but the newest builds of name, never keep itself.
func prune(name, keep string) {
	dirs, _ := filepath.Glob(filepath.Join(CacheDir(), name+"-*"))
	type build struct {
		dir  string
		used time.Time
	}
	var builds []build
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil || !st.IsDir() || d == keep {
			continue
		}
		if building(d, name, st.ModTime()) {
			continue // another process (a parallel test, a second walk) is still building it
		}
		builds = append(builds, build{d, st.ModTime()})
	}
	slices.SortFunc(builds, func(a, b build) int { return b.used.Compare(a.used) })
	for i, b := range builds {
		if i >= keepBuilds-1 {
			os.RemoveAll(b.dir)
		}
	}
}

// building reports whether dir looks like a build still under way: it has
// no finished binary yet and was touched recently. Removing it would pull
// the sources from under that build's compiler.
func building(dir, name string, modified time.Time) bool {
	bin := filepath.Join(dir, name)
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if _, err := os.Stat(bin); err == nil {
		return false
	}
	return time.Since(modified) < 30*time.Minute
}

// CacheDir is where built programs are kept: the user's cache folder, or
// $NOTEBOOK_CACHE when set.
func CacheDir() string {
	if d := os.Getenv("NOTEBOOK_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "redis-notebook")
	}
	return filepath.Join(os.TempDir(), "redis-notebook-cache")
}

// Key returns the key under which req's binary is cached: two requests
// with one key build the same binary, or fail alike.
func Key(req Request) (string, error) { return cacheKey(req) }

// cacheKey hashes everything a binary depends on: its sources, the
// module's go.mod and go.sum, the kernel it links, the Go version, and the
// caller's extra inputs.
func cacheKey(req Request) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), runtime.GOOS, runtime.GOARCH, strings.Join(req.Flags, " "))
	if len(req.Env) > 0 {
		fmt.Fprintln(h, "env", strings.Join(req.Env, " "))
	}
	for _, name := range slices.Sorted(maps.Keys(req.Files)) {
		fmt.Fprintf(h, "file %s %d\n", name, len(req.Files[name]))
		h.Write(req.Files[name])
	}
	for _, in := range req.Inputs {
		fmt.Fprintf(h, "input %d\n", len(in))
		h.Write(in)
	}
	deps, err := moduleInputs(req)
	if err != nil {
		return "", err
	}
	h.Write(deps)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// moduleInputsCache holds moduleInputs by module root and the packages a
// program imports: read once a process.
var moduleInputsCache sync.Map

// moduleInputs returns the module files a program depends on: go.mod,
// go.sum, and the sources of every package of this module that its files
// import, directly or not (see Sources).
func moduleInputs(req Request) ([]byte, error) {
	module, err := modulePath(req.Root)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var pkgs []string
	if module != "" {
		for _, name := range slices.Sorted(maps.Keys(req.Files)) {
			if !strings.HasSuffix(name, ".go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, req.Files[name], parser.ImportsOnly)
			if err != nil {
				continue // the compiler will say what is wrong
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if strings.HasPrefix(p, module+"/") && !slices.Contains(pkgs, p) {
					pkgs = append(pkgs, p)
				}
			}
		}
	}
	slices.Sort(pkgs)
	cacheKey := req.Root + "\x00" + strings.Join(pkgs, "\x00")
	if v, ok := moduleInputsCache.Load(cacheKey); ok {
		return v.([]byte), nil
	}
	files, err := Sources(req.Root, pkgs...)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for _, name := range append([]string{"go.mod", "go.sum"}, files...) {
		b, err := os.ReadFile(filepath.Join(req.Root, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		fmt.Fprintf(&buf, "%s %d\n", name, len(b))
		buf.Write(b)
	}
	moduleInputsCache.Store(cacheKey, buf.Bytes())
	return buf.Bytes(), nil
}

// goBuild runs the go command, reporting each package it compiles (go
// build -v prints only those not already in the build cache) once the
// build has taken more than a second, which only a cold cache does.
func goBuild(ctx context.Context, root string, env, args []string, progress Progress) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running go build: %w (is Go installed and on PATH?)", err)
	}
	var out bytes.Buffer
	compiled := 0
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	lastReport := time.Time{}
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if progress == nil || !isDependency(line) {
			continue
		}
		compiled++
		if time.Since(start) > time.Second && time.Since(lastReport) > 250*time.Millisecond {
			lastReport = time.Now()
			progress(Status{Packages: compiled, Elapsed: time.Since(start), Current: line})
		}
	}
	io.Copy(io.Discard, stderr)
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return parseCompileErrors(out.String(), err)
	}
	if progress != nil && !lastReport.IsZero() {
		progress(Status{Packages: compiled, Elapsed: time.Since(start), Done: true})
	}
	return nil
}

// isDependency says whether a line of go build -v names a dependency it
// compiles. The program's own package is not one: compiling it alone, on
// a warm cache, is no first build to report, however long a busy machine
// takes (and tests that expect one line of output would see two).
func isDependency(line string) bool {
	return isPackagePath(line) && line != "command-line-arguments"
}

// isPackagePath tells go build -v's package lines from compiler messages.
func isPackagePath(line string) bool {
	return line != "" && !strings.ContainsAny(line, " :\t") && !strings.HasPrefix(line, "#")
}
