package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/redis-notebook/tutorial/site/markdown"
)

//go:embed templates assets
var embedded embed.FS

// navItem is a page as the navigation and the table of contents list it.
type navItem struct {
	Title    string
	File     string
	Name     string // a chapter's short name
	Number   int    // a chapter's or exercise's number
	Points   int
	Sections []markdown.Heading // a chapter's level-2 headings
}

// siteData is what every page's template sees of the whole site.
type siteData struct {
	Title       string
	CSS, JS     string // asset paths, with a content hash in the name
	Icon        string
	SearchIndex string
	LiveReload  bool
	Backend     string
	Chapters    []*navItem
	Exercises   []*navItem
}

// pageData is what one page's template sees.
type pageData struct {
	Site       *siteData
	Kind       string // "index", "chapter", "exercise"
	Title      string
	File       string
	Outline    []markdown.Heading
	Prev, Next *navItem
	Body       template.HTML // a chapter's rendered Markdown
	Chapter    *navItem
	Exercise   *exercisePage
	Run        *runData   // a chapter's Run buttons; nil without a browser build
	Check      *checkData // an exercise page's Check button
	// Progress: the index shows the exercises' last verdicts, which
	// the exercise pages keep in the browser (check.js).
	Progress string
}

var (
	templatesOnce sync.Once
	pageTemplates map[string]*template.Template
	templatesErr  error
)

// templates parses the embedded templates once: the layout, then each
// kind of page's "main" on a clone of it.
func templates() (map[string]*template.Template, error) {
	templatesOnce.Do(func() {
		base, err := template.ParseFS(embedded, "templates/layout.html")
		if err != nil {
			templatesErr = err
			return
		}
		pageTemplates = map[string]*template.Template{}
		for _, kind := range []string{"index", "chapter", "exercise"} {
			t, err := template.Must(base.Clone()).ParseFS(embedded, "templates/"+kind+".html")
			if err != nil {
				templatesErr = err
				return
			}
			pageTemplates[kind] = t
		}
	})
	return pageTemplates, templatesErr
}

// hashedName puts a short hash of the content into an asset's name, so a
// browser or a CDN never keeps a stale copy after a rebuild.
func hashedName(name string, content []byte) string {
	sum := sha256.Sum256(content)
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
}

var (
	cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	// White space after { ; , : and before { }: never meaningful there in
	// this stylesheet, whose strings hold none of these characters. (A
	// space before a colon is: "a :focus".)
	cssSpaceAfter  = regexp.MustCompile(`([{;,:])[ \t]+`)
	cssSpaceBefore = regexp.MustCompile(`[ \t]+([{}])`)
)

// compactAsset drops what only a person reading the source needs: the
// comments and indentation of site.css and site.js, a third of their size
// (the site's assets must stay under 60 KB). Only whole-line // comments go
// from the script, and every line stays a line, so no statement changes.
func compactAsset(name string, data []byte) []byte {
	ext := path.Ext(name)
	if ext != ".css" && ext != ".js" {
		return data
	}
	if ext == ".css" {
		data = cssComment.ReplaceAll(data, nil)
		data = cssSpaceAfter.ReplaceAll(data, []byte("$1"))
		data = cssSpaceBefore.ReplaceAll(data, []byte("$1"))
	}
	var out []byte
	for line := range bytes.Lines(data) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || ext == ".js" && bytes.HasPrefix(line, []byte("//")) {
			continue
		}
		out = append(append(out, line...), '\n')
	}
	return out
}

// renderSite renders every page and asset into memory: path -> content.
func (b *builder) renderSite() (map[string][]byte, error) {
	tmpls, err := templates()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	site := &siteData{Title: b.opt.Title, LiveReload: b.opt.LiveReload, Backend: string(b.opt.Backend)}
	for name, path := range map[string]*string{"site.css": &site.CSS, "site.js": &site.JS, "favicon.svg": &site.Icon} {
		data, err := embedded.ReadFile("assets/" + name)
		if err != nil {
			return nil, err
		}
		data = compactAsset(name, data)
		*path = "assets/" + hashedName(name, data)
		files[*path] = data
	}

	var index []searchEntry
	for i, p := range b.chapters {
		item := &navItem{Title: p.ch.Title, File: p.file, Name: p.name(), Number: i + 1}
		for _, h := range p.doc.Headings {
			if h.Level == 2 {
				item.Sections = append(item.Sections, h)
			}
		}
		site.Chapters = append(site.Chapters, item)
		index = append(index, chapterSections(p)...)
	}
	for _, e := range b.exercises {
		site.Exercises = append(site.Exercises, &navItem{Title: e.Title, File: e.file, Name: e.Name, Number: e.ID, Points: e.Points})
		index = append(index, searchEntry{Page: fmt.Sprintf("Exercise %d: %s", e.ID, e.Title), URL: e.file, Text: squeeze(e.text)})
	}
	js, err := searchIndexJS(index)
	if err != nil {
		return nil, err
	}
	site.SearchIndex = "assets/" + hashedName("search-index.js", js)
	files[site.SearchIndex] = js

	// The reading order: contents, chapters, exercises.
	home := &navItem{Title: "Contents", File: "index.html"}
	order := []*navItem{home}
	order = append(order, site.Chapters...)
	order = append(order, site.Exercises...)
	neighbours := func(file string) (prev, next *navItem) {
		for i, it := range order {
			if it.File == file {
				if i > 0 {
					prev = order[i-1]
				}
				if i+1 < len(order) {
					next = order[i+1]
				}
			}
		}
		return prev, next
	}

	render := func(kind string, d *pageData) error {
		var buf bytes.Buffer
		if err := tmpls[kind].ExecuteTemplate(&buf, "layout", d); err != nil {
			return fmt.Errorf("rendering %s: %w", d.File, err)
		}
		files[d.File] = buf.Bytes()
		b.rep.Pages++
		return nil
	}

	_, next := neighbours("index.html")
	progress := ""
	for _, c := range b.checks {
		progress = c.Script // the same script on every page
	}
	if err := render("index", &pageData{Site: site, Kind: "index", Title: site.Title, File: "index.html", Next: next, Progress: progress}); err != nil {
		return nil, err
	}
	for i, p := range b.chapters {
		var body bytes.Buffer
		if err := b.conv.Render(&body, p.doc); err != nil {
			return nil, fmt.Errorf("%s: %w", p.ch.Path, err)
		}
		var outline []markdown.Heading
		for _, h := range p.doc.Headings {
			if h.Level == 2 || h.Level == 3 {
				outline = append(outline, h)
			}
		}
		prev, next := neighbours(p.file)
		d := &pageData{Site: site, Kind: "chapter", Title: p.ch.Title, File: p.file, Outline: outline,
			Prev: prev, Next: next, Body: template.HTML(body.String()), Chapter: site.Chapters[i], Run: b.runs[p.file]}
		if err := render("chapter", d); err != nil {
			return nil, err
		}
	}
	for _, e := range b.exercises {
		outline := []markdown.Heading{{Level: 2, ID: "task", Text: "Task"}, {Level: 2, ID: "check", Text: "Check your answer"}}
		if e.Solution != "" {
			outline = append(outline, markdown.Heading{Level: 2, ID: "solution", Text: "Reference solution"})
		}
		prev, next := neighbours(e.file)
		d := &pageData{Site: site, Kind: "exercise", Title: fmt.Sprintf("Exercise %d: %s", e.ID, e.Title), File: e.file,
			Outline: outline, Prev: prev, Next: next, Exercise: e, Check: b.checks[e.ID]}
		if err := render("exercise", d); err != nil {
			return nil, err
		}
	}
	return files, nil
}
