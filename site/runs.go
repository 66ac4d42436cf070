package site

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/compare"
	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/picture"
	"github.com/redis-notebook/tutorial/site/markdown"
)

// The execution cache, as Jupyter Book has one: a chapter is run again only
// when something its outputs may depend on has changed. The key hashes
//
//   - the chapter's cells: code, options and order (not its prose, nor
//     its expected outputs: editing a paragraph or an ```output fence
//     re-renders and re-compares without re-running);
//   - the other files in the chapters folder, by content (cells open them:
//     the word list), hashed once per build;
//   - go.mod, go.sum and the runner packages a chapter program is made of
//     (kernel, program, notebook);
//   - the backend and the server, the Go version and platform.
//
// Only runs that finished are stored; a failing one runs again next time.
const cacheVersion = "site-runs-3" // 2: with each cell's commands, round trips and keys; 3: and pictures

// cachedRun is what the cache keeps of a run: enough to rebuild a Result.
type cachedRun struct {
	Version string        `json:"version"`
	Chapter string        `json:"chapter"`
	Backend string        `json:"backend"`
	Elapsed time.Duration `json:"elapsed"`
	Cells   []cachedCell  `json:"cells"`
}

type cachedCell struct {
	Index    int                  `json:"index"`
	Ran      bool                 `json:"ran"`
	Output   string               `json:"output"`
	Elapsed  time.Duration        `json:"elapsed"`
	Commands int                  `json:"commands,omitempty"`
	Trips    int                  `json:"trips,omitempty"`
	Keys     *protocol.KeyChanges `json:"keys,omitempty"`
	Images   []*notebook.Image    `json:"images,omitempty"`
}

// runChapters gets every chapter's Result, from the cache or by running
// it, then compares outputs with the expected ones and puts them into the
// chapters' cells.
func (b *builder) runChapters(ctx context.Context) error {
	var deps []byte
	if b.opt.CacheDir != "" {
		var err error
		if deps, err = dependencyHash(b.opt.Root); err != nil {
			return err
		}
	}
	for _, p := range b.chapters {
		key := ""
		if b.opt.CacheDir != "" {
			key = runKey(p.ch, deps, b.opt)
			if res := b.cached(p.ch, key); res != nil {
				p.result = res
				b.rep.Reused = append(b.rep.Reused, filepath.Base(p.ch.Path))
			}
		}
		if p.result == nil {
			if b.opt.Run == nil {
				return fmt.Errorf("%s: not in the execution cache, and no way to run it", p.ch.Path)
			}
			b.opt.Log(fmt.Sprintf("running %s", p.ch.Path))
			res, err := b.opt.Run(ctx, p.ch)
			if err != nil {
				return err
			}
			p.result = res
			b.rep.Ran = append(b.rep.Ran, filepath.Base(p.ch.Path))
			if key != "" {
				if err := b.store(key, p.ch, res); err != nil {
					b.opt.Log(fmt.Sprintf("warning: could not save %s's outputs in the execution cache: %v", p.ch.Path, err))
				}
			}
		}
		mismatches := compare.Check(p.ch, p.result)
		b.rep.Mismatches = append(b.rep.Mismatches, mismatches...)
		p.fillCells(b.opt.Backend, mismatches, b.imageFile)
	}
	return nil
}

// fillCells puts what each cell printed into its node for the page.
func (p *chapterPage) fillCells(backend chapter.Backend, mismatches []compare.Mismatch, imageFile func(*notebook.Image) string) {
	differs := map[int]compare.Mismatch{}
	for _, m := range mismatches {
		differs[m.Cell.Index] = m
	}
	chCells := p.ch.Cells()
	for i, cr := range p.result.Cells {
		idx := i + 1
		if cr.Cell != nil {
			idx = cr.Cell.Index
		}
		if idx < 1 || idx > len(p.cells) {
			continue
		}
		mc, c := p.cells[idx-1], chCells[idx-1]
		mc.Ran, mc.Output = cr.Ran, cr.Output
		mc.Images = nil
		for _, img := range cr.Images {
			if img.Err != "" {
				continue // its line says why, as text
			}
			mc.Images = append(mc.Images, markdown.Image{Offset: img.Offset, Line: img.Line(), Src: imageFile(img),
				Alt: img.Alt, Width: img.Width, Height: img.Height})
		}
		if cr.Ran {
			// What the cell did to Redis in the recorded run, as the walk
			// shows it with --keys.
			mc.Facts = append(mc.Facts, notebook.KeyLines(cr.Keys)...)
			if sent := cr.Sent(); sent != "" {
				mc.Facts = append(mc.Facts, "sent "+sent)
			}
		}
		if !cr.Ran {
			mc.Note = notRunNote(c, backend)
		}
		if m, ok := differs[idx]; ok {
			mc.Differs, mc.Expected = true, m.Expected
		}
	}
}

func notRunNote(c *chapter.Cell, backend chapter.Backend) string {
	switch {
	case c.NoRun:
		return "This cell is for reading: the runner does not run it."
	case c.Only == chapter.Redis && backend != chapter.Redis:
		return "This cell runs only on a real Redis server; this page was built with miniredis."
	case c.Only == chapter.Miniredis && backend != chapter.Miniredis:
		return "This cell runs only on miniredis; this page was built with a real Redis server."
	}
	return "This cell did not run."
}

// imageFile adds a picture a cell displayed to the site, as a file named
// by its content (kept by browsers for good, as the programs are), and
// returns its path from a page.
func (b *builder) imageFile(img *notebook.Image) string {
	sum := sha256.Sum256(img.Data)
	name := "images/" + hex.EncodeToString(sum[:10]) + picture.Ext(img.Type)
	if b.imageFiles == nil {
		b.imageFiles = map[string][]byte{}
	}
	b.imageFiles[name] = img.Data
	return name
}

// runKey is the execution cache key of a chapter; see cacheVersion.
func runKey(ch *chapter.Chapter, deps []byte, opt Options) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s %s/%s\n%s %s\n%s\n", cacheVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH,
		opt.Backend, opt.BackendID, filepath.Base(ch.Path))
	for _, c := range ch.Cells() {
		fmt.Fprintf(h, "cell %d norun=%t only=%s %d\n", c.Index, c.NoRun, c.Only, len(c.Code))
		io.WriteString(h, c.Code)
	}
	h.Write(deps)
	return hex.EncodeToString(h.Sum(nil))
}

// dependencyHash hashes what every chapter's run depends on besides its
// cells: the chapters folder's other files and the runner's own code.
func dependencyHash(root string) ([]byte, error) {
	h := sha256.New()
	add := func(rel string) error {
		f, err := os.Open(filepath.Join(root, rel))
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "\x00%s\x00", filepath.ToSlash(rel))
		_, err = io.Copy(h, f)
		return err
	}
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "chapters"), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), ".") && p != filepath.Join(root, "chapters") {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if e.Type().IsRegular() && filepath.Ext(p) != ".md" {
			rel, _ := filepath.Rel(root, p)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	files = append(files, "go.mod", "go.sum")
	// What runs a chapter (notebook and what it imports) and what the
	// chapter's program links (kernel and what it imports).
	code, err := build.Sources(root, "runner/notebook", "runner/kernel")
	if err != nil {
		return nil, err
	}
	files = append(files, code...)
	slices.Sort(files)
	for _, f := range files {
		if err := add(f); err != nil {
			return nil, err
		}
	}
	return h.Sum(nil), nil
}

func (b *builder) cachePath(key string) string {
	return filepath.Join(b.opt.CacheDir, key[:2], key+".json")
}

// cached rebuilds a chapter's Result from the cache, or returns nil.
func (b *builder) cached(ch *chapter.Chapter, key string) *notebook.Result {
	data, err := os.ReadFile(b.cachePath(key))
	if err != nil {
		return nil
	}
	var run cachedRun
	cells := ch.Cells()
	if json.Unmarshal(data, &run) != nil || run.Version != cacheVersion || len(run.Cells) != len(cells) {
		return nil
	}
	res := &notebook.Result{Chapter: ch, Backend: chapter.Backend(run.Backend), Elapsed: run.Elapsed}
	for i, c := range run.Cells {
		if c.Index != i+1 {
			return nil
		}
		res.Cells = append(res.Cells, &notebook.CellResult{Cell: cells[i], Ran: c.Ran, Output: c.Output, Elapsed: c.Elapsed,
			Commands: c.Commands, Trips: c.Trips, Keys: c.Keys, Images: c.Images})
	}
	return res
}

// store saves a finished run, atomically: a reader never sees half a file.
func (b *builder) store(key string, ch *chapter.Chapter, res *notebook.Result) error {
	run := cachedRun{Version: cacheVersion, Chapter: filepath.Base(ch.Path), Backend: string(res.Backend), Elapsed: res.Elapsed}
	for i, c := range res.Cells {
		run.Cells = append(run.Cells, cachedCell{Index: i + 1, Ran: c.Ran, Output: c.Output, Elapsed: c.Elapsed,
			Commands: c.Commands, Trips: c.Trips, Keys: c.Keys, Images: c.Images})
	}
	data, err := json.MarshalIndent(run, "", "\t")
	if err != nil {
		return err
	}
	p := b.cachePath(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p)
}
