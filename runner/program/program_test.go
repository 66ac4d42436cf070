package program

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/chapter"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden compares the programs generated for testdata/*.md with the
// golden files beside them; go test -update rewrites those.
func TestGolden(t *testing.T) {
	chapters, _ := filepath.Glob("testdata/*.md")
	if len(chapters) == 0 {
		t.Fatal("no testdata chapters")
	}
	for _, path := range chapters {
		ch, err := chapter.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []struct {
			name string
			opt  Options
		}{
			{"kernel", Options{Mode: Kernel, Backend: chapter.Miniredis, LinePath: "/course/" + filepath.Base(path)}},
			{"export", Options{Mode: Standalone, Backend: chapter.Redis, LinePath: "chapters/" + filepath.Base(path)}},
			{"browser", Options{Mode: Browser, Backend: chapter.Miniredis, LinePath: "chapters/" + filepath.Base(path), DataFiles: []string{"words.txt", "a b"}}},
		} {
			prog, err := Generate(ch, mode.opt)
			if err != nil {
				t.Fatalf("%s (%s): %v", path, mode.name, err)
			}
			golden := strings.TrimSuffix(path, ".md") + "." + mode.name + ".golden"
			if *update {
				if err := os.WriteFile(golden, prog.Source, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(want) != string(prog.Source) {
				t.Errorf("%s differs from the generated program (go test -update rewrites it); got:\n%s", golden, prog.Source)
			}
		}
	}
}

func generate(t *testing.T, src string, opt Options) (*Program, error) {
	t.Helper()
	ch, err := chapter.Parse("ch.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if opt.LinePath == "" {
		opt.LinePath = "/ch.md"
	}
	return Generate(ch, opt)
}

func TestDisplay(t *testing.T) {
	tests := []struct {
		cell    string
		display bool
	}{
		{"rdb.Get(ctx, \"k\")", true},
		{"x := 1\nx + 1", true},
		{"fmt.Println(1)", false},
		{"fmt.Printf(\"%d\", 1)", false},
		{"log.Print(1)", false},
		{"delete(map[int]int{}, 1)", false},
		{"x := 1\n_ = x", false},
		{"func f() {}\nf()", false},
		{"func g() int { return 1 }\ng()", true},
		{"if true {\n\t3\n}", false},
	}
	for _, tt := range tests {
		prog, err := generate(t, "```go\n"+tt.cell+"\n```\n", Options{Mode: Kernel})
		if err != nil {
			t.Fatalf("%q: %v", tt.cell, err)
		}
		got := strings.Contains(string(prog.Source), "notebook.Display(")
		if got != tt.display {
			t.Errorf("%q displayed = %v, want %v", tt.cell, got, tt.display)
		}
	}
}

func TestNoDisplayOption(t *testing.T) {
	prog, err := generate(t, "```go\nwg.Wait()\n```\n", Options{Mode: Kernel, NoDisplay: map[int]bool{1: true}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(prog.Source), "Display(") || len(prog.Displays) != 0 {
		t.Errorf("cell 1 displayed despite NoDisplay:\n%s", prog.Source)
	}
}

func TestSyntaxErrorPositions(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"# T\n\n```go\nx := 1\ny := (x\n```\n", "ch.md:5:"},
		{"```go\nfunc f( {\n}\n```\n", "ch.md:2:"},
		{"```go\nok := 1\n```\n\n```go\n\n\nfor {\n```\n", "ch.md:8:"},
		{"```go\na := \"unterminated\n```\n", "ch.md:2:6: syntax error: string literal not terminated"},
	}
	for _, tt := range tests {
		_, err := generate(t, tt.src, Options{Mode: Kernel})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("error = %v, want prefix %q", err, tt.want)
		}
	}
}

func TestCellsSelectedByBackend(t *testing.T) {
	src := "```go\na := 1\n```\n```go only=redis\nb := 2\n```\n```go only=miniredis\nc := 3\n```\n```go norun\nd := 4\n```\n"
	for backend, want := range map[chapter.Backend][]int{chapter.Miniredis: {1, 3}, chapter.Redis: {1, 2}} {
		prog, err := generate(t, src, Options{Mode: Kernel, Backend: backend})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(prog.Cells, want) {
			t.Errorf("%s: cells %v, want %v", backend, prog.Cells, want)
		}
		if strings.Contains(string(prog.Source), "d := 4") {
			t.Errorf("%s: a norun cell was generated", backend)
		}
	}
}

// TestCellLineDirectives: a cell's own //line or /*line*/ directive must
// not move positions out of the chapter's file: the compiler would name
// /etc/passwd for the cell's error. Its strings stay as they were.
func TestCellLineDirectives(t *testing.T) {
	for _, cell := range []string{
		"//line /etc/passwd:1\nmarker()",
		"//line /etc/passwd:1:1\nmarker()",
		"x := /*line /etc/passwd:1:1*/ 1\nmarker()",
		"/*line /etc/passwd:1:1*/ marker()",
		"/*LiNe /etc/passwd:1:1*/ marker()",
		"func f() {\n//line /etc/passwd:7\n}\nmarker()",
	} {
		prog, err := generate(t, "# T\n\n```go\n"+cell+"\n```\n\n```go\nfmt.Println(\"//line /etc/passwd:9\")\n```\n", Options{Mode: Kernel})
		if err != nil {
			t.Fatalf("%q: %v", cell, err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "main.go", prog.Source, 0)
		if err != nil {
			t.Fatalf("%q: the generated program does not parse: %v\n%s", cell, err, prog.Source)
		}
		found := false
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if n.Name == "marker" {
					found = true
					pos := fset.Position(n.Pos())
					wantLine := 3 + strings.Count(cell, "\n") + 1
					if pos.Filename != "/ch.md" || pos.Line != wantLine {
						t.Errorf("%q: marker is at %s, want /ch.md:%d", cell, pos, wantLine)
					}
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING && strings.Contains(n.Value, "etc") && n.Value != `"//line /etc/passwd:9"` {
					t.Errorf("%q: a string was changed: %s", cell, n.Value)
				}
			}
			return true
		})
		if !found {
			t.Errorf("%q: no marker in the program:\n%s", cell, prog.Source)
		}
		if !strings.Contains(string(prog.Source), `"//line /etc/passwd:9"`) {
			t.Errorf("%q: the string holding //line was changed", cell)
		}
	}
}
