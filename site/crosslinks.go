package site

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"

	"github.com/redis-notebook/tutorial/site/markdown"
)

// exerciseMention is how a chapter sets an exercise: a paragraph that
// opens with **Exercise N**.
var exerciseMention = regexp.MustCompile(`^Exercise (\d+)$`)

// linkExercises makes each chapter's **Exercise N** a link to exercise N's
// page, and gives its paragraph the id exercise-N, which that page links
// back to: the chapter and the exercises point at each other both ways.
func (b *builder) linkExercises() {
	byID := map[int]*exercisePage{}
	for _, e := range b.exercises {
		byID[e.ID] = e
	}
	for _, p := range b.chapters {
		section := ""
		for n := p.doc.Root.FirstChild(); n != nil; n = n.NextSibling() {
			if h, ok := n.(*ast.Heading); ok && h.Level > 1 {
				section = strings.TrimSpace(markdown.PlainText(h, p.doc.Source))
				continue
			}
			par, ok := n.(*ast.Paragraph)
			if !ok {
				continue
			}
			em, ok := par.FirstChild().(*ast.Emphasis)
			if !ok || em.Level != 2 {
				continue
			}
			m := exerciseMention.FindStringSubmatch(strings.TrimSpace(markdown.PlainText(em, p.doc.Source)))
			if m == nil {
				continue
			}
			id, _ := strconv.Atoi(m[1])
			e := byID[id]
			anchor := "exercise-" + m[1]
			if e == nil || p.ids[anchor] {
				continue
			}
			p.ids[anchor] = true
			par.SetAttributeString("id", []byte(anchor))
			link := ast.NewLink()
			link.Destination = []byte(e.file)
			par.ReplaceChild(par, em, link)
			link.AppendChild(link, em)
			if e.SetIn == nil {
				e.SetIn = &exerciseSetting{Chapter: p.ch.Title, Section: section, URL: p.file + "#" + anchor}
			}
		}
	}
}
