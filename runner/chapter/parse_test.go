package chapter

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	type cell struct {
		line      int
		code      string
		noRun     bool
		only      Backend
		expected  string // "-" for none
		unordered bool
	}
	tests := []struct {
		name  string
		src   string
		title string
		cells []cell
		prose int // number of prose blocks
	}{
		{
			name:  "cell with output",
			src:   "# T\n\n```go\nx := 1\nx\n```\n\n```output\n1\n```\n",
			title: "T",
			cells: []cell{{line: 4, code: "x := 1\nx\n", expected: "1\n"}},
			prose: 1,
		},
		{
			name:  "options and unordered output",
			src:   "```go norun\nbad\n```\n\n```go only=redis\nk\n```\n```output unordered\nb\na\n```\n```go only=miniredis\n```\n",
			title: "chapter",
			cells: []cell{
				{line: 2, code: "bad\n", noRun: true, expected: "-"},
				{line: 6, code: "k\n", only: Redis, expected: "b\na\n", unordered: true},
				{line: 13, code: "", only: Miniredis, expected: "-"},
			},
		},
		{
			name:  "other fences are prose, tildes and longer fences work",
			src:   "text\n\n```sh\nredis-cli\n```\n\n~~~~go\na := \"```\"\n~~~~\n\n````output\n```\n````\n",
			title: "chapter",
			cells: []cell{{line: 8, code: "a := \"```\"\n", expected: "```\n"}},
			prose: 1,
		},
		{
			name:  "indented fence is dedented",
			src:   "  ```go\n  a\n    b\n  ```\n",
			title: "chapter",
			cells: []cell{{line: 2, code: "a\n  b\n", expected: "-"}},
		},
		{
			name:  "CRLF line endings",
			src:   "# Win\r\n\r\n```go\r\nx\r\n```\r\n```output\r\ny\r\n```\r\n",
			title: "Win",
			cells: []cell{{line: 4, code: "x\n", expected: "y\n"}},
			prose: 1,
		},
		{
			name:  "no final newline",
			src:   "```go\nx\n```",
			title: "chapter",
			cells: []cell{{line: 2, code: "x\n", expected: "-"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := Parse("chapter.md", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if ch.Title != tt.title {
				t.Errorf("title %q, want %q", ch.Title, tt.title)
			}
			cells := ch.Cells()
			if len(cells) != len(tt.cells) {
				t.Fatalf("%d cells, want %d", len(cells), len(tt.cells))
			}
			for i, want := range tt.cells {
				c := cells[i]
				if c.Index != i+1 || c.Line != want.line || c.Code != want.code || c.NoRun != want.noRun || c.Only != want.only {
					t.Errorf("cell %d = {index %d, line %d, code %q, norun %v, only %q}, want line %d code %q norun %v only %q",
						i+1, c.Index, c.Line, c.Code, c.NoRun, c.Only, want.line, want.code, want.noRun, want.only)
				}
				switch {
				case want.expected == "-" && c.Expected != nil:
					t.Errorf("cell %d has output %q, want none", i+1, c.Expected.Text)
				case want.expected != "-" && c.Expected == nil:
					t.Errorf("cell %d has no output, want %q", i+1, want.expected)
				case c.Expected != nil && (c.Expected.Text != want.expected || c.Expected.Unordered != want.unordered):
					t.Errorf("cell %d output %q unordered=%v, want %q %v", i+1, c.Expected.Text, c.Expected.Unordered, want.expected, want.unordered)
				case c.Expected != nil:
					body := strings.ReplaceAll(string(ch.Source[c.Expected.Body.Start:c.Expected.Body.End]), "\r", "")
					if body != want.expected {
						t.Errorf("cell %d output span holds %q", i+1, body)
					}
				}
			}
			prose := 0
			for _, b := range ch.Blocks {
				if b.Cell == nil {
					prose++
				}
			}
			if prose != tt.prose {
				t.Errorf("%d prose blocks, want %d", prose, tt.prose)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"", "ch.md: the chapter is empty"},
		{" \n\n\t\n", "ch.md: the chapter is empty"},
		{"# T\n\n```go\nx := 1\n", "ch.md:3: fence ```go opened here is never closed"},
		{"```go\nx\n```\n````output\nx\n```\n", "ch.md:4: fence ````output opened here is never closed"},
		{"text\n\n```output\nx\n```\n", "ch.md:3: ```output must follow a ```go cell"},
		{"```go\nx\n```\ntext\n```output\nx\n```\n", "ch.md:5: ```output must follow a ```go cell"},
		{"```go\nx\n```\n```output\n```\n```output\n```\n", "ch.md:6: cell at line 1 already has an ```output fence"},
		{"```go norun\nx\n```\n```output\nx\n```\n", "ch.md:4: a norun cell cannot have an expected ```output"},
		{"```go fast\nx\n```\n", `ch.md:1: unknown cell option "fast"`},
		{"```go timeout=soon\nx\n```\n", `ch.md:1: bad cell option "timeout=soon"`},
		{"```go\nx\n```\n```output sorted\n```\n", `ch.md:4: unknown output option "sorted"`},
	}
	for _, tt := range tests {
		_, err := Parse("ch.md", []byte(tt.src))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want prefix %q", tt.src, err, tt.want)
		}
	}
}

func TestName(t *testing.T) {
	for path, want := range map[string]string{
		"chapters/01-redis.md": "redis",
		"02-more-redis.md":     "more-redis",
		"README.md":            "",
		"x-y.md":               "",
	} {
		if got := Name(path); got != want {
			t.Errorf("Name(%q) = %q, want %q", path, got, want)
		}
	}
}

// FuzzParse checks that any input either parses into a consistent model
// or fails with a positioned error, and never panics.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"# T\n\n```go\nx := 1\nx\n```\n\n```output\n1\n```\n",
		"```go norun\n```\n~~~\n```\n~~~\n",
		"  ```go only=redis\n  a\n  ```\n```output unordered\nb\n```",
		"```go\n",
		"\r\n```output\r\n```",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		ch, err := Parse("f.md", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.md:") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		lines := strings.Count(src, "\n") + 1
		for i, c := range ch.Cells() {
			if c.Index != i+1 || c.Line < 2 || c.Line > lines {
				t.Fatalf("cell %d: index %d line %d of %d", i+1, c.Index, c.Line, lines)
			}
			if c.Fence.Start < 0 || c.Fence.End > len(src) || c.Fence.Start >= c.Fence.End {
				t.Fatalf("cell %d: fence span %v of %d bytes", i+1, c.Fence, len(src))
			}
			if e := c.Expected; e != nil {
				if e.Body.Start > e.Body.End || e.Body.End > len(src) || e.Body.Start < c.Fence.End {
					t.Fatalf("cell %d: output span %v", i+1, e.Body)
				}
			}
		}
	})
}

// TestParseByteOrderMark: a chapter saved by an editor that writes a
// UTF-8 byte-order mark parses as the same chapter without it.
func TestParseByteOrderMark(t *testing.T) {
	src := "```go\nx := 1\n```\n\n# Title\n"
	plain, err := Parse("c.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	bom, err := Parse("c.md", []byte("\ufeff"+src))
	if err != nil {
		t.Fatalf("with a byte-order mark: %v", err)
	}
	if len(bom.Cells()) != 1 || bom.Cells()[0].Code != plain.Cells()[0].Code || bom.Title != "Title" {
		t.Errorf("with a byte-order mark: %d cells, title %q", len(bom.Cells()), bom.Title)
	}
}
