package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/program"
)

// ToolchainRoots are the packages an edited cell may import in the
// reader's tab, besides those the chapters' programs import already (which
// are always added): the in-page toolchain ships them and everything they
// import, and nothing else. Adding a package is one line here.
var ToolchainRoots = []string{
	program.KernelPackage,
	"github.com/redis/go-redis/v9",
	"embed",
}

// A Toolchain is what the reader's tab needs to compile an edited chapter
// (see assets/compile-worker.js): the Go compiler and linker built for
// js/wasm, the generator of chapter programs (site/gen) built alike, and the
// js/wasm archives of every package reached from the roots, in one bundle.
// The page fetches each compressed (see packFile).
type Toolchain struct {
	Compile, Link, Gen string // .wasm files in the build cache
	Bundle             string // the archives, one after the other
	Archives           map[string][2]int64
	GoVersion, Lang    string // -goversion and -lang of the compiles
	// Extras are bundles fetched only by the builds that ask for them, by
	// name: the archives of the packages reached from the extra roots
	// that the main bundle does not hold (the exercise pages' check
	// program's, whose checks a chapter's edit never needs).
	Extras map[string]*ExtraBundle
}

// An ExtraBundle is a bundle of archives beside the toolchain's main one:
// what the main one lacks of some extra roots.
type ExtraBundle struct {
	Bundle   string
	Archives map[string][2]int64
}

// CheckExtra names the extra bundle of the exercise pages' in-page check
// (package runner/grade/browsercheck and what it reaches).
const CheckExtra = "check"

// toolFlags build the compiler and linker small: no symbol table or DWARF,
// no paths of the build machine.
var toolFlags = []string{"-trimpath", "-ldflags=-s -w"}

// archiveFlags build the archives the tab links: no paths of the build
// machine, and no inlining. Inlining copies callees into callers: without
// it go-redis's archive is 45 MB, not 57, and the whole bundle 19 MB
// compressed, not 24 (measured with go1.26.8). The edited program runs a
// little slower; the chapter as written keeps its inlined build.
// (-dwarf=false changes nothing: the compiler writes no DWARF for wasm.)
var archiveFlags = []string{"-trimpath", "-gcflags=all=-l"}

//go:embed gen/main.go
var genSource []byte

// BuildToolchain builds the in-page toolchain, or finds it in the build
// cache: the compiler and linker once per Go version, the archives once per
// set of roots and module sources. roots are added to ToolchainRoots;
// extras are the roots of extra bundles, by name (see Toolchain.Extras).
func BuildToolchain(ctx context.Context, root string, roots []string, extras map[string][]string, progress build.Progress) (*Toolchain, error) {
	goVersion, goroot, err := goEnv(root)
	if err != nil {
		return nil, err
	}
	lang, err := moduleLang(root)
	if err != nil {
		return nil, err
	}
	tc := &Toolchain{GoVersion: goVersion, Lang: lang}
	// The compiler and linker depend on the Go installation only.
	h := sha256.New()
	fmt.Fprintln(h, "toolchain v2 wasm-only", goVersion, goroot, strings.Join(toolFlags, " "))
	dir := filepath.Join(build.CacheDir(), "toolchain-"+hex.EncodeToString(h.Sum(nil))[:16])
	tc.Compile, tc.Link = filepath.Join(dir, "compile.wasm"), filepath.Join(dir, "link.wasm")
	for _, tool := range []string{"compile", "link"} {
		out := filepath.Join(dir, tool+".wasm")
		if _, err := os.Stat(out); err == nil {
			continue // built; packFile compresses it if that was cut short
		}
		if progress != nil {
			progress(build.Status{Current: "cmd/" + tool + " for the browser (once per Go version, about a minute)"})
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		tmp := out + ".tmp" + strconv.Itoa(os.Getpid())
		overlay, err := wasmOnlyOverlay(goroot, tool, dir)
		if err != nil {
			return nil, err
		}
		args := append([]string{"build", "-o", tmp, "-overlay", overlay}, toolFlags...)
		cmd := exec.CommandContext(ctx, "go", append(args, "cmd/"+tool)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			os.Remove(tmp)
			return nil, fmt.Errorf("building cmd/%s for js/wasm: %v\n%s", tool, err, out)
		}
		if err := os.Rename(tmp, out); err != nil {
			return nil, err
		}
	}

	gen, err := build.Compile(ctx, build.Request{
		Root: root, Name: "gen", Files: map[string][]byte{"main.go": genSource},
		Flags: toolFlags, Env: []string{"GOOS=js", "GOARCH=wasm"},
	}, progress)
	if err != nil {
		return nil, fmt.Errorf("building the in-page generator (site/gen): %w", err)
	}
	tc.Gen = gen

	if err := tc.archives(ctx, root, roots, progress); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(extras)) {
		if err := tc.extraArchives(ctx, root, name, roots, extras[name], progress); err != nil {
			return nil, err
		}
	}
	packed := []string{tc.Compile, tc.Link, tc.Gen, tc.Bundle}
	for _, eb := range tc.Extras {
		packed = append(packed, eb.Bundle)
	}
	for _, f := range packed {
		if _, err := packFile(ctx, f, progress); err != nil {
			return nil, err
		}
	}
	return tc, nil
}

// archives finds or makes the bundle of the roots' archives. Its cache key
// is that of a program importing the roots (build.Key): the Go version,
// go.mod, go.sum and the module's sources it reaches.
func (tc *Toolchain) archives(ctx context.Context, root string, extra []string, progress build.Progress) error {
	roots := mainRoots(extra)
	dir, err := archivesDir(root, "archives", roots, "archives v1")
	if err != nil {
		return err
	}
	tc.Bundle, tc.Archives, err = bundleArchives(ctx, root, dir, roots, nil, progress,
		"the archives of the in-page compiler's packages (once, about a minute)")
	return err
}

// extraArchives finds or makes the extra bundle name: the archives of the
// packages reached from roots that the main bundle (of mainExtra, as
// archives was given) does not hold.
func (tc *Toolchain) extraArchives(ctx context.Context, root, name string, mainExtra, roots []string, progress build.Progress) error {
	all := mainRoots(mainExtra)
	for _, r := range roots {
		if !slices.Contains(all, r) {
			all = append(all, r)
		}
	}
	slices.Sort(all)
	dir, err := archivesDir(root, "archives-"+name, all, "archives extra v1 "+name)
	if err != nil {
		return err
	}
	eb := &ExtraBundle{}
	eb.Bundle, eb.Archives, err = bundleArchives(ctx, root, dir, all, tc.Archives, progress,
		"the archives of the in-page "+name+" program's packages (once)")
	if err != nil {
		return err
	}
	if tc.Extras == nil {
		tc.Extras = map[string]*ExtraBundle{}
	}
	tc.Extras[name] = eb
	return nil
}

// mainRoots are ToolchainRoots and extra, sorted.
func mainRoots(extra []string) []string {
	roots := slices.Clone(ToolchainRoots)
	for _, r := range extra {
		if !slices.Contains(roots, r) {
			roots = append(roots, r)
		}
	}
	slices.Sort(roots)
	return roots
}

// archivesDir is the build cache's folder of a bundle of the archives of
// roots: prefix-KEY, KEY that of a program importing the roots
// (build.Key), with salt.
func archivesDir(root, prefix string, roots []string, salt string) (string, error) {
	var src bytes.Buffer
	src.WriteString("package main\n\nimport (\n")
	for _, r := range roots {
		fmt.Fprintf(&src, "\t_ %q\n", r)
	}
	src.WriteString(")\n\nfunc main() {}\n")
	key, err := build.Key(build.Request{
		Root: root, Name: "archives", Files: map[string][]byte{"roots.go": src.Bytes()}, Flags: archiveFlags,
		Env: []string{"GOOS=js", "GOARCH=wasm"}, Inputs: [][]byte{[]byte(salt)},
	})
	if err != nil {
		return "", err
	}
	return filepath.Join(build.CacheDir(), prefix+"-"+key[:16]), nil
}

// bundleArchives finds in dir, or makes there, the bundle of the archives
// of every package reached from roots, but those in skip: archives.bin
// and their places in it.
func bundleArchives(ctx context.Context, root, dir string, roots []string, skip map[string][2]int64, progress build.Progress, doing string) (string, map[string][2]int64, error) {
	path := filepath.Join(dir, "archives.bin")
	index := filepath.Join(dir, "index.json")
	var archives map[string][2]int64
	if data, err := os.ReadFile(index); err == nil && json.Unmarshal(data, &archives) == nil {
		if _, err := os.Stat(path); err == nil {
			return path, archives, nil
		}
	}
	if progress != nil {
		progress(build.Status{Current: doing})
	}
	// go list -export builds (through the go command's cache) the archive
	// of each package, as go build would for the browser program.
	args := append([]string{"list", "-e", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}\t{{with .Error}}{{.}}{{end}}"}, archiveFlags...)
	args = append(args, roots...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", nil, fmt.Errorf("go list -export of the in-page packages: %v\n%s", err, stderr.Bytes())
	}
	var bundle bytes.Buffer
	archives = map[string][2]int64{}
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 || f[2] != "" {
			return "", nil, fmt.Errorf("go list -export: %s", line)
		}
		if f[1] == "" {
			continue // unsafe, and packages with no code, have no archive
		}
		if _, ok := skip[f[0]]; ok {
			continue
		}
		data, err := os.ReadFile(f[1])
		if err != nil {
			return "", nil, err
		}
		archives[f[0]] = [2]int64{int64(bundle.Len()), int64(len(data))}
		bundle.Write(data)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	if err := build.WriteFile(path, bundle.Bytes()); err != nil {
		return "", nil, err
	}
	js, err := json.Marshal(archives)
	if err != nil {
		return "", nil, err
	}
	// The index last: with it, the bundle is known whole.
	return path, archives, build.WriteFile(index, js)
}

// Importcfg is the compiler's and linker's importcfg for the bundle's
// archives, where compile-worker.js puts them: /pkg/PATH.a.
func (tc *Toolchain) Importcfg() string { return importcfg(tc.Archives) }

// importcfg is the importcfg lines of archives, where compile-worker.js
// puts them.
func importcfg(archives map[string][2]int64) string {
	var b strings.Builder
	for _, p := range slices.Sorted(maps.Keys(archives)) {
		fmt.Fprintf(&b, "packagefile %s=/pkg/%s.a\n", p, p)
	}
	return b.String()
}

// goEnv is the version and GOROOT of the go command that builds.
func goEnv(root string) (version, goroot string, err error) {
	cmd := exec.Command("go", "env", "GOVERSION", "GOROOT")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("go env: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return "", "", fmt.Errorf("go env GOVERSION GOROOT: %q", out)
	}
	return f[0], f[1], nil
}

var goDirective = regexp.MustCompile(`(?m)^go (\d+)\.(\d+)`)

// moduleLang is the -lang the go command compiles the module's packages
// with: its go.mod's go line, major.minor.
func moduleLang(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	m := goDirective.FindSubmatch(data)
	if m == nil {
		return "", fmt.Errorf("%s: no go line", filepath.Join(root, "go.mod"))
	}
	return "go" + string(m[1]) + "." + string(m[2]), nil
}

// programImports are the packages a generated program imports.
func programImports(src []byte) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", src, parser.ImportsOnly)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		out = append(out, p)
	}
	return out, nil
}

// A toolchainManifest is what compile-worker.js reads first: where the
// toolchain's files are (relative to the manifest) and how to compile.
type toolchainManifest struct {
	GoVersion    string                     `json:"goVersion"`
	Lang         string                     `json:"lang"`
	Worker       string                     `json:"worker"`
	WasmExec     string                     `json:"wasmExec"`
	Compile      string                     `json:"compile"`
	Link         string                     `json:"link"`
	Gen          string                     `json:"gen"`
	Bundle       string                     `json:"bundle"`
	Archives     map[string][2]int64        `json:"archives"`
	Importcfg    string                     `json:"importcfg"`
	DownloadSize int64                      `json:"downloadSize"` // of compile, link, gen and bundle, compressed
	BuildSize    int64                      `json:"buildSize"`    // of compile, link and bundle: what a build without gen fetches
	Chapters     map[string]manifestChapter `json:"chapters"`
	// Extras are the extra bundles, fetched by the builds that name them.
	Extras map[string]manifestExtra `json:"extras,omitempty"`
}

// A manifestExtra is an extra bundle (see Toolchain.Extras): its file, its
// archives' places in it, their importcfg lines, and its compressed size.
type manifestExtra struct {
	Bundle    string              `json:"bundle"`
	Archives  map[string][2]int64 `json:"archives"`
	Importcfg string              `json:"importcfg"`
	Size      int64               `json:"size"`
}

// A manifestChapter is what gen.wasm and the compile need of a chapter:
// its Markdown, its //line name and its data files (name -> file).
type manifestChapter struct {
	Source    string            `json:"source"`
	LinePath  string            `json:"linePath"`
	DataFiles map[string]string `json:"dataFiles"`
}

// toolchainFiles builds the toolchain for the chapters' programs (and the
// extra bundles of extras' roots) and adds its files to the site under
// run/, named by content (served as immutable, as the chapters' programs
// are): only the compressed form of each (packFile), which
// compile-worker.js fetches and decompresses itself, so that any static
// server sends the compressed bytes. It returns the manifest's path.
func (b *builder) toolchainFiles(ctx context.Context, programs map[string]*BrowserProgram, execPaths map[string]string, worker string, extras map[string][]string) (string, error) {
	var roots []string
	var exec string
	for _, bp := range programs {
		roots = append(roots, bp.Imports...)
		exec = execPaths[bp.WasmExec]
	}
	tc, err := b.opt.Toolchain(ctx, roots, extras)
	if err != nil {
		return "", err
	}
	m := toolchainManifest{GoVersion: tc.GoVersion, Lang: tc.Lang, Worker: "../" + worker, WasmExec: "../" + exec,
		Archives: tc.Archives, Importcfg: tc.Importcfg(), Chapters: map[string]manifestChapter{}}
	// Cached files are named by their cache folder's key, which names
	// their content; no need to hash megabytes at every build.
	add := func(name, path, ext string) (string, error) {
		packed, err := packFile(ctx, path, nil)
		if err != nil {
			return "", err
		}
		st, err := os.Stat(packed)
		if err != nil {
			return "", err
		}
		key := filepath.Base(filepath.Dir(path))
		key = key[strings.LastIndex(key, "-")+1:]
		out := name + "-" + key + ext + filepath.Ext(packed)
		b.media["run/"+out] = packed
		m.DownloadSize += st.Size()
		return out, nil
	}
	if m.Compile, err = add("compile", tc.Compile, ".wasm"); err != nil {
		return "", err
	}
	if m.Link, err = add("link", tc.Link, ".wasm"); err != nil {
		return "", err
	}
	beforeGen := m.DownloadSize
	if m.Gen, err = add("gen", tc.Gen, ".wasm"); err != nil {
		return "", err
	}
	genSize := m.DownloadSize - beforeGen
	if m.Bundle, err = add("archives", tc.Bundle, ".bin"); err != nil {
		return "", err
	}
	m.BuildSize = m.DownloadSize - genSize
	for name, eb := range tc.Extras {
		before := m.DownloadSize
		file, err := add("archives-"+name, eb.Bundle, ".bin")
		if err != nil {
			return "", err
		}
		if m.Extras == nil {
			m.Extras = map[string]manifestExtra{}
		}
		m.Extras[name] = manifestExtra{Bundle: file, Archives: eb.Archives, Importcfg: importcfg(eb.Archives), Size: m.DownloadSize - before}
		m.DownloadSize = before // a chapter's edit does not fetch it
	}
	for _, p := range b.chapters {
		bp := programs[p.file]
		if bp == nil {
			continue
		}
		mc := manifestChapter{LinePath: bp.LinePath, DataFiles: map[string]string{}}
		mc.Source = "chapter-" + contentName(filepath.Base(p.ch.Path), p.ch.Source)
		b.runFiles["run/"+mc.Source] = p.ch.Source
		for name, path := range bp.DataFiles {
			gz, err := gzipCached(path)
			if err != nil {
				return "", err
			}
			out := filepath.Base(gz)
			b.media["run/"+out] = gz
			mc.DataFiles[name] = out
		}
		m.Chapters[filepath.Base(p.ch.Path)] = mc
	}
	data, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	name := "run/" + contentName("toolchain.json", data)
	b.runFiles[name] = data
	return name, nil
}

// contentName is name-HASH.ext, HASH 16 hex digits of data's SHA-256: the
// form of the site's immutable files under run/.
func contentName(name string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := filepath.Ext(name)
	return strings.TrimSuffix(name, ext) + "-" + hex.EncodeToString(sum[:])[:16] + ext
}

// packFile compresses one of the toolchain's files for the page, once, and
// returns the compressed file's path. With the zstd command installed it
// is PATH.zst, at level 19: the editing download is a third smaller than
// with gzip (21.9 MB against 32.7 for chapter 1, measured with go1.26.8),
// and compile-worker.js decodes it with fzstd in about half a second. Not
// --long: fzstd 0.1.1 decodes a 128 MB window wrongly (the archives came
// out corrupt past byte 110,886,669). Without zstd it is PATH.gz, which
// every browser decodes natively. (Go's own zstd encoders stop near zstd's
// level 12: 25.6 MB, over the 25.)
func packFile(ctx context.Context, path string, progress build.Progress) (string, error) {
	zstd, err := exec.LookPath("zstd")
	if err != nil {
		gz := path + ".gz"
		if _, err := os.Stat(gz); err == nil {
			return gz, nil
		}
		return gz, gzipFile(gz, path)
	}
	zst := path + ".zst"
	if _, err := os.Stat(zst); err == nil {
		return zst, nil
	}
	if progress != nil {
		progress(build.Status{Current: "compressing " + filepath.Base(path) + " for the page (zstd -19, once)"})
	}
	tmp := zst + ".tmp" + strconv.Itoa(os.Getpid())
	defer os.Remove(tmp)
	cmd := exec.CommandContext(ctx, zstd, "-19", "-T0", "-q", "-f", "-o", tmp, path)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("compressing %s: %v\n%s", path, err, out)
	}
	return zst, os.Rename(tmp, zst)
}

// gzipCached compresses a data file once into the build cache, named by
// its content: data-HASH.bin.gz.
func gzipCached(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(build.CacheDir(), "data")
	gz := filepath.Join(dir, contentName("data.bin", data)+".gz")
	if _, err := os.Stat(gz); err == nil {
		return gz, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return gz, gzipFile(gz, path)
}

// wasmOnlyOverlay writes a go build -overlay for cmd/compile or cmd/link
// that leaves out every architecture but wasm: the tab only ever compiles
// for js/wasm, and the other backends (the SSA rewrite rules of ten
// architectures, most of all) are a fifth of the compiler's download. The
// stubs are made from GOROOT's own files: each rewrite<ARCH>*.go becomes
// its rewriteValue/rewriteBlock functions, returning false.
func wasmOnlyOverlay(goroot, tool, dir string) (string, error) {
	replace := map[string]string{}
	src := filepath.Join(goroot, "src", "cmd", tool)
	main := filepath.Join(dir, tool+"-main.go")
	replace[filepath.Join(src, "main.go")] = main
	var mainSrc string
	if tool == "compile" {
		mainSrc = compileMain
		files, err := filepath.Glob(filepath.Join(src, "internal", "ssa", "rewrite*.go"))
		if err != nil {
			return "", err
		}
		for _, f := range files {
			m := otherArchRewrite.FindStringSubmatch(filepath.Base(f))
			if m == nil {
				continue
			}
			code, err := os.ReadFile(f)
			if err != nil {
				return "", err
			}
			var stub strings.Builder
			stub.WriteString("// Code generated for a wasm-only compiler (site/toolchain.go). DO NOT EDIT.\n\npackage ssa\n\n")
			for _, fn := range []string{"func rewriteValue" + m[1] + "(v *Value) bool", "func rewriteBlock" + m[1] + "(b *Block) bool"} {
				if bytes.Contains(code, []byte("\n"+fn+" {")) {
					stub.WriteString(fn + " { return false }\n")
				}
			}
			out := filepath.Join(dir, "ssa-"+filepath.Base(f))
			if err := build.WriteFile(out, []byte(stub.String())); err != nil {
				return "", err
			}
			replace[f] = out
		}
	} else {
		mainSrc = linkMain
	}
	if err := build.WriteFile(main, []byte(mainSrc)); err != nil {
		return "", err
	}
	js, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", err
	}
	overlay := filepath.Join(dir, tool+"-overlay.json")
	return overlay, build.WriteFile(overlay, js)
}

// otherArchRewrite matches the SSA rewrite rules of an architecture other
// than wasm: rewriteAMD64.go, rewriteARM64latelower.go, ...
var otherArchRewrite = regexp.MustCompile(`^rewrite((?:AMD64|386|ARM|ARM64|PPC64|MIPS64|MIPS|LOONG64|S390X|RISCV64)(?:latelower|splitload)?)\.go$`)

const compileMain = `package main

import (
	"cmd/compile/internal/base"
	"cmd/compile/internal/gc"
	"cmd/compile/internal/wasm"
	"fmt"
	"internal/buildcfg"
	"log"
	"os"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("compile: ")
	buildcfg.Check()
	if buildcfg.GOARCH != "wasm" {
		fmt.Fprintf(os.Stderr, "compile: this compiler compiles for wasm only, not %q\n", buildcfg.GOARCH)
		os.Exit(2)
	}
	gc.Main(wasm.Init)
	base.Exit(0)
}
`

const linkMain = `package main

import (
	"cmd/link/internal/ld"
	"cmd/link/internal/wasm"
	"fmt"
	"internal/buildcfg"
	"os"
)

func main() {
	buildcfg.Check()
	if buildcfg.GOARCH != "wasm" {
		fmt.Fprintf(os.Stderr, "link: this linker links for wasm only, not %q\n", buildcfg.GOARCH)
		os.Exit(2)
	}
	arch, theArch := wasm.Init()
	ld.Main(arch, theArch)
}
`
