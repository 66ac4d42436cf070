package site

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/site/markdown"
)

// AllowHTML is the comment by which a chapter lets its raw HTML through;
// without it, HTML in a chapter is shown as text. It is itself an HTML
// comment, so GitHub and other viewers hide it.
const AllowHTML = "<!-- site: allow-html -->"

// A chapterPage is one chapter on its way to HTML.
type chapterPage struct {
	ch        *chapter.Chapter
	file      string // the page's file name: 01-redis.html
	doc       *markdown.Document
	cells     []*markdown.Cell // by cell index - 1
	ids       map[string]bool  // every id on the page, for links to it
	allowHTML bool
	result    *notebook.Result
}

func (p *chapterPage) name() string { return chapter.Name(p.ch.Path) }

// pageFile is the HTML file a chapter becomes: its file name, .html for .md.
func pageFile(chapterPath string) string {
	return strings.TrimSuffix(filepath.Base(chapterPath), ".md") + ".html"
}

// loadChapters reads and parses every chapter. Bad Markdown stops the
// build here, before anything runs.
func (b *builder) loadChapters() error {
	paths, err := chapter.List(b.opt.Root)
	if err != nil {
		return &chapter.Error{Path: filepath.Join(b.opt.Root, "chapters"), Msg: "no chapters here (files named like 01-topic.md)"}
	}
	for _, p := range paths {
		ch, err := chapter.Load(p)
		if err != nil {
			return err
		}
		page := &chapterPage{ch: ch, file: pageFile(p), ids: map[string]bool{}}
		page.allowHTML = bytes.Contains(ch.Source, []byte(AllowHTML))
		for _, c := range ch.Cells() {
			mc := &markdown.Cell{Index: c.Index, Code: c.Code, Start: c.Fence.Start, End: c.Fence.End}
			page.cells = append(page.cells, mc)
			page.ids[mc.ID()] = true
		}
		doc, err := b.conv.Parse(ch.Source, markdown.Options{Cells: page.cells, AllowHTML: page.allowHTML})
		if err != nil {
			var pe *markdown.PosError
			if errors.As(err, &pe) {
				return &chapter.Error{Path: ch.Path, Line: pe.Line, Msg: pe.Msg}
			}
			return err
		}
		page.doc = doc
		for _, h := range doc.Headings {
			page.ids[h.ID] = true
		}
		b.chapters = append(b.chapters, page)
	}
	return nil
}

var hasScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// resolveLinks checks every link and image of every chapter, and rewrites
// those that point into the course so that they work on the site: a
// chapter's .md becomes its .html page, the README the index, an exercise's
// stub or solution the exercise's page. A link the site could not serve
// stops the build at its file:line, so the site never has a broken link.
func (b *builder) resolveLinks() error {
	targets := map[string]linkTarget{"README.md": {file: "index.html"}}
	for _, p := range b.chapters {
		targets[b.rootRel(p.ch.Path)] = linkTarget{file: p.file, ids: p.ids}
	}
	for _, e := range b.exercises {
		for _, f := range []string{e.stubPath, e.solutionPath} {
			if f != "" {
				targets[b.rootRel(f)] = linkTarget{file: e.file, ids: e.ids}
			}
		}
	}
	b.media = map[string]string{}
	for _, p := range b.chapters {
		var errs []error
		ast.Walk(p.doc.Root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			fail := func(format string, args ...any) {
				errs = append(errs, &chapter.Error{Path: p.ch.Path, Line: markdown.Line(p.ch.Source, markdown.Pos(n)), Msg: fmt.Sprintf(format, args...)})
			}
			switch n := n.(type) {
			case *ast.Link:
				dest, err := b.resolve(p, targets, string(n.Destination))
				if err != nil {
					fail("%v", err)
				}
				n.Destination = []byte(dest)
			case *ast.Image:
				dest, err := b.image(p, string(n.Destination))
				if err != nil {
					fail("%v", err)
				}
				n.Destination = []byte(dest)
			}
			return ast.WalkContinue, nil
		})
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	return nil
}

type linkTarget struct {
	file string
	ids  map[string]bool
}

// rootRel is a path relative to the module root, with slashes.
func (b *builder) rootRel(p string) string {
	rel, err := filepath.Rel(b.opt.Root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

func (b *builder) resolve(from *chapterPage, targets map[string]linkTarget, dest string) (string, error) {
	if dest == "" || hasScheme.MatchString(dest) || strings.HasPrefix(dest, "//") {
		return dest, nil
	}
	p, frag, _ := strings.Cut(dest, "#")
	if p == "" {
		if frag != "" && !from.ids[frag] {
			return dest, fmt.Errorf("link to #%s: no heading or cell has that id on this page", frag)
		}
		return dest, nil
	}
	p, _, _ = strings.Cut(p, "?")
	unescaped, err := url.PathUnescape(p)
	if err != nil {
		return dest, fmt.Errorf("link to %s: %v", dest, err)
	}
	rel := b.rootRel(filepath.Join(filepath.Dir(from.ch.Path), filepath.FromSlash(unescaped)))
	t, ok := targets[rel]
	if !ok {
		return dest, fmt.Errorf("link to %s: the site has no page for %s (link to a chapter, an exercise's file or the README, or use a full URL)", dest, rel)
	}
	if frag == "" {
		return t.file, nil
	}
	if t.ids != nil && !t.ids[frag] {
		return dest, fmt.Errorf("link to %s: %s has no heading or cell with id %q", dest, rel, frag)
	}
	return t.file + "#" + frag, nil
}

// image copies an image the chapter shows from the repository into the
// site's media/ folder.
func (b *builder) image(from *chapterPage, dest string) (string, error) {
	if dest == "" || hasScheme.MatchString(dest) || strings.HasPrefix(dest, "//") {
		return dest, nil
	}
	unescaped, err := url.PathUnescape(dest)
	if err != nil {
		return dest, fmt.Errorf("image %s: %v", dest, err)
	}
	src := filepath.Join(filepath.Dir(from.ch.Path), filepath.FromSlash(unescaped))
	rel := b.rootRel(src)
	if strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
		return dest, fmt.Errorf("image %s is outside the tutorial's folder", dest)
	}
	if st, err := os.Stat(src); err != nil || !st.Mode().IsRegular() {
		return dest, fmt.Errorf("image %s: no such file", dest)
	}
	out := "media/" + rel
	b.media[out] = src
	return (&url.URL{Path: out}).EscapedPath(), nil
}
