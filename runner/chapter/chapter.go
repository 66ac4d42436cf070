// Package chapter reads a Markdown chapter into the model every other step
// works on: prose, Go cells, and the output each cell is expected to print.
//
// The fence syntax is small on purpose, so a chapter stays plain Markdown
// that any viewer renders:
//
//	```go                 a cell; cells run in order and share variables
//	```go norun           shown but never run
//	```go only=miniredis  run only on that backend (or only=redis)
//	```go timeout=30s     a cell allowed to run longer than the default limit
//	```output             the preceding cell's expected output
//	```output unordered   the same, compared as a set of lines
//
// Any other fence (```sh, ```text, ...) is prose.
package chapter

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Backend names the Redis a chapter runs against.
type Backend string

// The two backends a cell may be restricted to.
const (
	Miniredis Backend = "miniredis"
	Redis     Backend = "redis"
)

// A Chapter is one Markdown file split into prose and cells.
type Chapter struct {
	Path   string  // as given to Parse; used in every message
	Source []byte  // the file's bytes, unchanged
	Title  string  // text of the first level-1 heading, or the file name
	Blocks []Block // in document order
}

// A Block is either prose (Markdown to render) or a cell.
type Block struct {
	Prose string // Markdown text, when Cell is nil
	Line  int    // 1-based line where the block starts
	Cell  *Cell
}

// A Cell is a ```go fence: code the runner executes.
type Cell struct {
	Index    int           // 1-based among the chapter's cells
	Code     string        // the fence's content, ending in a newline unless empty
	Line     int           // 1-based line of the first code line
	Fence    Span          // the whole fence, opening to closing line
	NoRun    bool          // ```go norun
	Only     Backend       // ```go only=...; empty means every backend
	Timeout  time.Duration // ```go timeout=...; 0 means the runner's limit
	Expected *Output       // the ```output fence right after, if any
}

// An Output is an ```output fence: what the cell before it should print.
type Output struct {
	Text      string // content, ending in a newline unless empty
	Line      int    // 1-based line of the opening fence
	Unordered bool   // compare as a multiset of lines
	Body      Span   // byte range of the content, for rewriting it
}

// A Span is a byte range [Start, End) of Chapter.Source.
type Span struct{ Start, End int }

// Cells returns the chapter's cells in order.
func (c *Chapter) Cells() []*Cell {
	var cells []*Cell
	for _, b := range c.Blocks {
		if b.Cell != nil {
			cells = append(cells, b.Cell)
		}
	}
	return cells
}

// Runs reports whether the cell executes on backend b.
func (c *Cell) Runs(b Backend) bool {
	return !c.NoRun && (c.Only == "" || c.Only == b)
}

// Load reads and parses the chapter at path.
func Load(path string) (*Chapter, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// Find resolves a chapter argument: a path to a .md file, or a short name
// like "redis" that matches chapters/NN-redis.md under root.
func Find(root, name string) (string, error) {
	if strings.HasSuffix(name, ".md") {
		if _, err := os.Stat(name); err != nil {
			return "", fmt.Errorf("chapter %s: no such file", name)
		}
		return name, nil
	}
	all, err := List(root)
	if err != nil {
		return "", err
	}
	var names []string
	for _, p := range all {
		n := Name(p)
		if n == name || strings.TrimSuffix(filepath.Base(p), ".md") == name {
			return p, nil
		}
		names = append(names, n)
	}
	return "", fmt.Errorf("unknown chapter %q (chapters: %s)", name, strings.Join(names, ", "))
}

// List returns the chapters under root/chapters in course order, which is
// the order of their file names (01-..., 02-...).
func List(root string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(root, "chapters", "*.md"))
	if err != nil {
		return nil, err
	}
	var chapters []string
	for _, p := range paths {
		if Name(p) != "" {
			chapters = append(chapters, p)
		}
	}
	if len(chapters) == 0 {
		return nil, fmt.Errorf("no chapters found in %s", filepath.Join(root, "chapters"))
	}
	return chapters, nil
}

// Name is the short name of a chapter file: "redis" for 01-redis.md, or ""
// when the file name has no numeric prefix (README.md and the like).
func Name(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), ".md")
	num, rest, ok := strings.Cut(base, "-")
	if !ok || num == "" || strings.Trim(num, "0123456789") != "" {
		return ""
	}
	return rest
}
