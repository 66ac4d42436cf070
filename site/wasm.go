package site

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/paths"
	"github.com/redis-notebook/tutorial/runner/program"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// A BrowserProgram is a chapter's program built for the reader's browser
// (GOOS=js GOARCH=wasm): the page's Run buttons run it in a Web Worker.
type BrowserProgram struct {
	Wasm     string // the WebAssembly binary, in the build cache
	Gzip     string // the same, gzip-compressed, beside it
	Size     int64  // of Wasm
	GzipSize int64  // of Gzip
	WasmExec string // wasm_exec.js of the Go toolchain that built it

	// For the in-page compiler (toolchain.go): the packages the program
	// imports, its //line name of the chapter, and its embedded data
	// files (name -> path).
	Imports   []string
	LinePath  string
	DataFiles map[string]string
}

// A ToolchainFunc builds the in-page toolchain for programs importing
// roots, with the extra bundles of extras' roots, as BuildToolchain does.
type ToolchainFunc func(ctx context.Context, roots []string, extras map[string][]string) (*Toolchain, error)

// A BrowserFunc compiles a chapter's browser program, as CompileWasm
// does.
type BrowserFunc func(ctx context.Context, ch *chapter.Chapter) (*BrowserProgram, error)

// CompileWasm generates the chapter's program in program.Browser mode,
// with the data files of the chapter's folder embedded, and compiles it
// for js/wasm through the build cache: an unchanged chapter costs a hash,
// not a build.
func CompileWasm(ctx context.Context, root string, ch *chapter.Chapter, progress build.Progress) (*BrowserProgram, error) {
	files := map[string][]byte{}
	var names []string
	dir := filepath.Dir(ch.Path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	named := namedFiles(ch)
	for _, e := range entries {
		n := e.Name()
		// The chapters themselves are not data; a .go file would be compiled.
		if !e.Type().IsRegular() || strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".md") || strings.HasSuffix(n, ".go") {
			continue
		}
		// Another chapter's data is not this one's download.
		if !named(n) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		files[n] = data
		names = append(names, n)
	}
	// Positions in panics, which the page shows: relative to the module,
	// or the chapter's folder and name, never a path on the build machine.
	linePath := filepath.Base(dir) + "/" + filepath.Base(ch.Path)
	if abs, err := filepath.Abs(ch.Path); err == nil {
		if absRoot, err := filepath.Abs(root); err == nil {
			if rel, ok := paths.Within(paths.Resolved(absRoot), paths.Resolved(abs)); ok {
				linePath = filepath.ToSlash(rel)
			}
		}
	}
	noDisplay := map[int]bool{}
	for {
		prog, err := program.Generate(ch, program.Options{
			Mode: program.Browser, Backend: chapter.Miniredis, LinePath: linePath, NoDisplay: noDisplay, DataFiles: names,
		})
		if err != nil {
			return nil, err
		}
		files["main.go"] = prog.Source
		wasm, err := build.Compile(ctx, build.Request{
			Root:  root,
			Name:  "browser-" + strings.TrimSuffix(filepath.Base(ch.Path), ".md"),
			Files: files,
			// No symbol table or DWARF: a smaller download; panics still
			// name functions and lines.
			Flags: []string{"-trimpath", "-ldflags=-s -w"},
			Env:   []string{"GOOS=js", "GOARCH=wasm"},
		}, progress)
		var ce *build.CompileError
		if errors.As(err, &ce) {
			// As notebook.Executable: a displayed call that has no value is
			// known only to the compiler.
			retry := false
			for cell, line := range prog.Displays {
				for _, d := range ce.Diags {
					if strings.HasSuffix(filepath.ToSlash(d.File), linePath) && d.Line == line && strings.Contains(d.Msg, "used as value") && !noDisplay[cell] {
						noDisplay[cell], retry = true, true
					}
				}
			}
			if retry {
				continue
			}
		}
		if err != nil {
			return nil, fmt.Errorf("building %s for the browser: %w", ch.Path, err)
		}
		bp, err := finishBrowserProgram(wasm)
		if err != nil {
			return nil, err
		}
		if bp.Imports, err = programImports(prog.Source); err != nil {
			return nil, err
		}
		bp.LinePath, bp.DataFiles = linePath, map[string]string{}
		for _, n := range names {
			bp.DataFiles[n] = filepath.Join(dir, n)
		}
		return bp, nil
	}
}

// namedFiles reports whether a data file of the chapter's folder belongs
// in its browser program: a cell that runs in the browser names it, as a
// Go string ("godoc.zip"), or it is the licence notice of one that does
// (godoc.zip.COPYRIGHT), which travels with it.
func namedFiles(ch *chapter.Chapter) func(name string) bool {
	var code strings.Builder
	for _, c := range ch.Cells() {
		if !c.NoRun && c.Only != chapter.Redis {
			code.WriteString(c.Code)
		}
	}
	return func(name string) bool {
		name = strings.TrimSuffix(name, ".COPYRIGHT")
		return strings.Contains(code.String(), strconv.Quote(name)) || strings.Contains(code.String(), "`"+name+"`")
	}
}

// finishBrowserProgram compresses the binary once, beside it in the cache,
// and finds wasm_exec.js.
func finishBrowserProgram(wasm string) (*BrowserProgram, error) {
	gz := wasm + ".gz"
	if _, err := os.Stat(gz); err != nil {
		if err := gzipFile(gz, wasm); err != nil {
			return nil, err
		}
	}
	exec, err := wasmExecJS()
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(wasm)
	if err != nil {
		return nil, err
	}
	gst, err := os.Stat(gz)
	if err != nil {
		return nil, err
	}
	return &BrowserProgram{Wasm: wasm, Gzip: gz, Size: st.Size(), GzipSize: gst.Size(), WasmExec: exec}, nil
}

func gzipFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp" + strconv.Itoa(os.Getpid())
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	zw, _ := gzip.NewWriterLevel(out, gzip.DefaultCompression)
	if _, err := io.Copy(zw, in); err != nil {
		out.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	// Rename last: a .gz in the cache is always a whole one.
	return os.Rename(tmp, dst)
}

var wasmExecOnce = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %v", err)
	}
	goroot := strings.TrimSpace(string(out))
	// lib/wasm since Go 1.24, misc/wasm before.
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if _, err := os.Stat(filepath.Join(goroot, p)); err == nil {
			return filepath.Join(goroot, p), nil
		}
	}
	return "", fmt.Errorf("no wasm_exec.js in %s (lib/wasm or misc/wasm)", goroot)
})

// wasmExecJS is the path of wasm_exec.js in the GOROOT of the go command
// that builds the programs: it must match the toolchain that built them.
func wasmExecJS() (string, error) { return wasmExecOnce() }

// runData is what a chapter page's template needs for its Run buttons:
// the attributes of run.js's script tag.
type runData struct {
	Script, Worker, Exec, CSS, Program string
	Editor                             string // editor.js: fetched on the first Edit
	// The in-page compiler, for edited cells: its manifest (see
	// toolchainFiles) and script; empty when the site has none.
	Toolchain, Compile string
	Size, GzipSize     int64
	Chapter            string // the chapter's file name, for /_run
	Serve              bool   // under serve: cells can be edited and run natively
	Cells              string // JSON: [{cell, timeout, unordered}]
	// Timeout is a cell's time limit, in seconds, unless it has its own:
	// run.js has none of its own.
	Timeout float64
}

// checkData is what an exercise page's template needs for its Check
// button: the attributes of check.js's script tag.
type checkData struct {
	Script, Worker, Exec, CSS string
	Bundle                    string // the exercise's checkBundle
	Serve                     bool   // under serve: the server grades, as before
	// The in-page compiler, as for runData: check.js loads Compile on the
	// first Check; empty when the site has none.
	Toolchain, Compile string
}

// runCell is one runnable cell, as run.js reads it.
type runCell struct {
	Cell      int     `json:"cell"`
	Timeout   float64 `json:"timeout,omitempty"` // seconds; 0: the page's data-timeout
	Unordered bool    `json:"unordered,omitempty"`
}

// browserPrograms adds, under serve, the exercise pages' check script; and
// builds each chapter for the browser (when
// Options.Browser is set) and adds the binaries, wasm_exec.js and the
// scripts to the site: run/NAME-KEY.wasm (and .wasm.gz, for servers that
// serve precompressed files), named by the build's content key.
func (b *builder) browserPrograms(ctx context.Context) error {
	b.runs = map[string]*runData{}
	b.runFiles = map[string][]byte{}
	asset := func(name string, data []byte) string {
		out := "assets/" + hashedName(name, data)
		b.runFiles[out] = data
		return out
	}
	if len(b.exercises) > 0 {
		// Exercise pages check the learner's code in the page (and,
		// under serve, on the server): check.js, the Worker that runs
		// the check program, the wasm_exec.js of the Go that built the
		// archives it is compiled against, and each exercise's bundle.
		var scripts [3]string
		for i, name := range []string{"check.js", "check-worker.js", "run.css"} {
			data, err := embedded.ReadFile("assets/" + name)
			if err != nil {
				return err
			}
			// Compacted as the chapters' are: one run.css for both.
			scripts[i] = asset(name, compactAsset(name, data))
		}
		execPath, err := wasmExecJS()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(execPath)
		if err != nil {
			return err
		}
		bundles, err := b.checkBundles()
		if err != nil {
			return err
		}
		exec := asset("wasm_exec.js", data)
		b.checks = map[int]*checkData{}
		for _, e := range b.exercises {
			b.checks[e.ID] = &checkData{Script: scripts[0], Worker: scripts[1], CSS: scripts[2],
				Exec: exec, Bundle: bundles[e.ID], Serve: b.opt.LiveReload}
		}
	}
	if b.opt.Browser == nil {
		return nil
	}
	var scripts [6]string
	for i, name := range []string{"run.js", "worker.js", "run.css", "editor.js", "compile.js", "compile-worker.js"} {
		data, err := embedded.ReadFile("assets/" + name)
		if err != nil {
			return err
		}
		if name != "editor.js" { // minified already
			data = compactAsset(name, data)
		}
		if name == "compile-worker.js" {
			// The worker decodes the toolchain's .zst files with
			// fzstd (zstd.js, minified), appended so that the worker's
			// "use strict" stays first: one file, one fetch.
			zstd, err := embedded.ReadFile("assets/zstd.js")
			if err != nil {
				return err
			}
			data = append(append(data, '\n'), zstd...)
		}
		scripts[i] = asset(name, data)
	}
	// The editor's licence notices, under the name its first line gives.
	licences, err := embedded.ReadFile("assets/editor.LICENSES.txt")
	if err != nil {
		return err
	}
	b.runFiles["assets/editor.LICENSES.txt"] = licences
	if licences, err = embedded.ReadFile("assets/zstd.LICENSES.txt"); err != nil {
		return err
	}
	b.runFiles["assets/zstd.LICENSES.txt"] = licences
	execPaths := map[string]string{} // wasm_exec.js path -> site path
	programs := map[string]*BrowserProgram{}
	for _, p := range b.chapters {
		bp, err := b.opt.Browser(ctx, p.ch)
		if err != nil {
			return err
		}
		exec, ok := execPaths[bp.WasmExec]
		if !ok {
			data, err := os.ReadFile(bp.WasmExec)
			if err != nil {
				return err
			}
			exec = asset("wasm_exec.js", data)
			execPaths[bp.WasmExec] = exec
		}
		name := "run/" + filepath.Base(filepath.Dir(bp.Wasm)) + ".wasm"
		b.media[name] = bp.Wasm
		b.media[name+".gz"] = bp.Gzip
		programs[p.file] = bp
		var cells []runCell
		for _, c := range p.ch.Cells() {
			if !c.Runs(chapter.Miniredis) {
				continue
			}
			rc := runCell{Cell: c.Index, Timeout: c.Timeout.Seconds()}
			if c.Expected != nil {
				rc.Unordered = c.Expected.Unordered
			}
			cells = append(cells, rc)
		}
		js, err := json.Marshal(cells)
		if err != nil {
			return err
		}
		b.runs[p.file] = &runData{Script: scripts[0], Worker: scripts[1], CSS: scripts[2], Editor: scripts[3], Exec: exec, Program: name,
			Size: bp.Size, GzipSize: bp.GzipSize, Cells: string(js), Chapter: filepath.Base(p.ch.Path), Serve: b.opt.LiveReload,
			Timeout: settings.DefaultTimeout.Seconds()}
	}
	if b.opt.Toolchain == nil || len(programs) == 0 {
		return nil
	}
	var extras map[string][]string
	if len(b.checks) > 0 {
		extras = map[string][]string{CheckExtra: b.checkRoots}
	}
	manifest, err := b.toolchainFiles(ctx, programs, execPaths, scripts[5], extras)
	if err != nil {
		return err
	}
	for _, r := range b.runs {
		r.Toolchain, r.Compile = manifest, scripts[4]
	}
	// Exercise pages compile the check program with the same toolchain
	// (and its check bundle), fetched on the first Check.
	for _, c := range b.checks {
		c.Toolchain, c.Compile = manifest, scripts[4]
	}
	return nil
}
