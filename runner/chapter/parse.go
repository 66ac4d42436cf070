package chapter

import (
	"fmt"
	"strings"
	"time"
)

// An Error is a problem in a chapter's Markdown, at a line of its file.
type Error struct {
	Path string
	Line int
	Col  int // 0 when only the line is known
	Msg  string
}

func (e *Error) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	}
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
}

// line is one line of the source with its byte offsets; text has no line
// ending.
type line struct {
	text       string
	start, end int // end includes the line ending
}

func splitLines(src []byte) []line {
	var lines []line
	for start := 0; start < len(src); {
		end := start
		for end < len(src) && src[end] != '\n' {
			end++
		}
		text := strings.TrimSuffix(string(src[start:end]), "\r")
		if end < len(src) {
			end++ // the '\n'
		}
		lines = append(lines, line{text: text, start: start, end: end})
		start = end
	}
	return lines
}

// fence is an opening fence line: ```lang words...
type fence struct {
	indent int    // spaces before the fence characters
	char   byte   // '`' or '~'
	size   int    // how many fence characters
	lang   string // first word of the info string
	words  []string
}

// openFence reports whether text opens a fenced code block (CommonMark:
// at most three spaces of indentation, three or more backticks or tildes).
func openFence(text string) (fence, bool) {
	indent := len(text) - len(strings.TrimLeft(text, " "))
	if indent > 3 {
		return fence{}, false
	}
	rest := text[indent:]
	if rest == "" || (rest[0] != '`' && rest[0] != '~') {
		return fence{}, false
	}
	c := rest[0]
	size := len(rest) - len(strings.TrimLeft(rest, string(c)))
	if size < 3 {
		return fence{}, false
	}
	info := strings.TrimSpace(rest[size:])
	if c == '`' && strings.ContainsRune(info, '`') {
		return fence{}, false
	}
	f := fence{indent: indent, char: c, size: size}
	if words := strings.Fields(info); len(words) > 0 {
		f.lang = strings.ToLower(words[0])
		f.words = words[1:]
	}
	return f, true
}

// closes reports whether text closes the fence f.
func (f fence) closes(text string) bool {
	indent := len(text) - len(strings.TrimLeft(text, " "))
	if indent > 3 {
		return false
	}
	rest := strings.TrimRight(text[indent:], " \t")
	return len(rest) >= f.size && strings.Trim(rest, string(f.char)) == ""
}

// Parse splits a chapter's Markdown into prose and cells. path is used only
// in error messages and as Chapter.Path.
func Parse(path string, src []byte) (*Chapter, error) {
	ch := &Chapter{Path: path, Source: src}
	fail := func(line int, format string, args ...any) (*Chapter, error) {
		return nil, &Error{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(string(src)) == "" {
		return fail(0, "the chapter is empty")
	}

	lines := splitLines(src)
	// A UTF-8 byte-order mark, as some Windows editors write, is not text:
	// the first line starts after it (offsets still count it, so updating
	// outputs keeps the file as it was).
	if len(lines) > 0 {
		lines[0].text = strings.TrimPrefix(lines[0].text, "\ufeff")
	}
	var prose strings.Builder
	proseLine := 1
	var lastCell *Cell // the cell an ```output fence may still attach to
	flushProse := func() {
		if strings.TrimSpace(prose.String()) != "" {
			ch.Blocks = append(ch.Blocks, Block{Prose: prose.String(), Line: proseLine})
		}
		prose.Reset()
	}

	for i := 0; i < len(lines); i++ {
		l := lines[i]
		f, ok := openFence(l.text)
		if !ok {
			if ch.Title == "" && strings.HasPrefix(l.text, "# ") {
				ch.Title = strings.TrimSpace(strings.TrimPrefix(l.text, "# "))
			}
			if prose.Len() == 0 {
				proseLine = i + 1
			}
			if strings.TrimSpace(l.text) != "" {
				lastCell = nil
			}
			prose.WriteString(l.text + "\n")
			continue
		}

		// Find the closing fence; an unclosed one is an error for every
		// fence, since CommonMark would silently swallow the rest of the file.
		open := i
		j := i + 1
		for j < len(lines) && !f.closes(lines[j].text) {
			j++
		}
		if j == len(lines) {
			return fail(open+1, "fence %s opened here is never closed", strings.TrimSpace(l.text))
		}
		var body strings.Builder
		for _, cl := range lines[open+1 : j] {
			body.WriteString(dedent(cl.text, f.indent) + "\n")
		}
		i = j
		bodySpan := Span{Start: lines[open].end, End: lines[j].start}
		fenceSpan := Span{Start: lines[open].start, End: lines[j].end}

		switch f.lang {
		case "go":
			cell := &Cell{Index: len(ch.Cells()) + 1, Code: body.String(), Line: open + 2, Fence: fenceSpan}
			for _, w := range f.words {
				switch {
				case w == "norun":
					cell.NoRun = true
				case w == "only="+string(Miniredis):
					cell.Only = Miniredis
				case w == "only="+string(Redis):
					cell.Only = Redis
				case strings.HasPrefix(w, "timeout="):
					d, err := time.ParseDuration(strings.TrimPrefix(w, "timeout="))
					if err != nil || d <= 0 {
						return fail(open+1, "bad cell option %q: want a duration like timeout=30s", w)
					}
					cell.Timeout = d
				default:
					return fail(open+1, "unknown cell option %q (want norun, only=miniredis, only=redis or timeout=30s)", w)
				}
			}
			flushProse()
			ch.Blocks = append(ch.Blocks, Block{Line: open + 1, Cell: cell})
			lastCell = cell
		case "output":
			if lastCell == nil {
				return fail(open+1, "```output must follow a ```go cell, with only blank lines between")
			}
			if lastCell.Expected != nil {
				return fail(open+1, "cell at line %d already has an ```output fence", lastCell.Line-1)
			}
			if lastCell.NoRun {
				return fail(open+1, "a norun cell cannot have an expected ```output")
			}
			out := &Output{Text: body.String(), Line: open + 1, Body: bodySpan}
			for _, w := range f.words {
				if w != "unordered" {
					return fail(open+1, "unknown output option %q (want unordered)", w)
				}
				out.Unordered = true
			}
			lastCell.Expected = out // lastCell stays, so a second fence gets a clear error
		default:
			if prose.Len() == 0 {
				proseLine = open + 1
			}
			for _, pl := range lines[open : j+1] {
				prose.WriteString(pl.text + "\n")
			}
			lastCell = nil
		}
	}
	flushProse()
	if ch.Title == "" {
		ch.Title = strings.TrimSuffix(pathBase(path), ".md")
	}
	return ch, nil
}

// dedent removes up to n leading spaces, as CommonMark does for the
// content of an indented fence.
func dedent(s string, n int) string {
	for n > 0 && strings.HasPrefix(s, " ") {
		s = s[1:]
		n--
	}
	return s
}

func pathBase(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
