package build

import (
	"errors"
	"testing"
)

func TestParseCompileErrors(t *testing.T) {
	out := "# command-line-arguments\n" +
		"/work/chapters/01-redis.md:45:3: undefined: foo\n" +
		"/work/chapters/01-redis.md:50:9: cannot use x (variable of type int) as string value in argument to f\n" +
		"\thave (int)\n\twant (string)\n" +
		"/work/chapters/01-redis.md:60: too many errors\n"
	err := parseCompileErrors(out, errors.New("exit status 1"))
	ce, ok := err.(*CompileError)
	if !ok || len(ce.Diags) != 3 {
		t.Fatalf("got %#v", err)
	}
	if d := ce.Diags[0]; d.File != "/work/chapters/01-redis.md" || d.Line != 45 || d.Col != 3 || d.Msg != "undefined: foo" {
		t.Errorf("first diagnostic %+v", d)
	}
	if d := ce.Diags[1]; d.Msg != "cannot use x (variable of type int) as string value in argument to f\n\thave (int)\n\twant (string)" {
		t.Errorf("continuation lines lost: %q", d.Msg)
	}
	if d := ce.Diags[2]; d.Col != 0 || d.String() != "/work/chapters/01-redis.md:60: too many errors" {
		t.Errorf("third diagnostic %q", d)
	}
	ce.Relative("/work")
	if ce.Diags[0].File != "chapters/01-redis.md" {
		t.Errorf("relative path %q", ce.Diags[0].File)
	}
}

func TestCompileErrorWithoutDiagnostics(t *testing.T) {
	err := parseCompileErrors("go: cannot find main module\n", errors.New("exit status 1"))
	if err.Error() != "go: cannot find main module" {
		t.Errorf("message %q", err)
	}
}

func TestIsPackagePath(t *testing.T) {
	for line, want := range map[string]bool{
		"github.com/redis/go-redis/v9":          true,
		"command-line-arguments":                true,
		"# command-line-arguments":              false,
		"./main.go:3:2: undefined: x":           false,
		"go: downloading golang.org/x/tools v1": false,
	} {
		if got := isPackagePath(line); got != want {
			t.Errorf("isPackagePath(%q) = %v", line, got)
		}
	}
}

// TestIsDependency: the program's own package, which every build compiles,
// is no sign of a first build, so it never shows progress.
func TestIsDependency(t *testing.T) {
	for line, want := range map[string]bool{
		"github.com/redis/go-redis/v9":  true,
		"github.com/alicebob/miniredis": true,
		"command-line-arguments":        false,
		"# command-line-arguments":      false,
	} {
		if got := isDependency(line); got != want {
			t.Errorf("isDependency(%q) = %v", line, got)
		}
	}
}
