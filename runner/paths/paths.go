// Package paths compares file paths by their elements, never as strings:
// "/home/ann/course-cache" is not inside "/home/ann/course", although its
// name starts with it.
package paths

import (
	"path/filepath"
	"strings"
)

// Within returns path relative to dir, and whether path is dir or inside
// it, element by element. Both should be resolved (absolute, symbolic
// links followed) by the caller when they may differ in spelling.
func Within(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return "", false
	}
	if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

// Resolved returns p made absolute, with its symbolic links followed as
// far as they exist, so that two spellings of one folder compare equal.
func Resolved(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	// A path that does not exist (yet): resolve its folder.
	dir, base := filepath.Split(abs)
	if dir != abs && base != "" {
		if r, err := filepath.EvalSymlinks(filepath.Clean(dir)); err == nil {
			return filepath.Join(r, base)
		}
	}
	return abs
}

// GoCommandCandidates returns the absolute paths a file name in the go
// command's messages may stand for, when the command ran in dir. The go
// command shortens its working folder to "." by replacing it as a string,
// so that a file under "/home/ann/course-cache", compiled from
// "/home/ann/course", is written ".-cache/…": the name is then both a
// path relative to dir and dir's own name continued.
func GoCommandCandidates(dir, name string) []string {
	if filepath.IsAbs(name) {
		return []string{filepath.Clean(name)}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // the go command names its folder by its absolute path
	}
	out := []string{filepath.Join(dir, name)}
	if rest, ok := strings.CutPrefix(name, "."); ok && rest != "" && !strings.HasPrefix(rest, string(filepath.Separator)) && !strings.HasPrefix(rest, ".") {
		out = append(out, filepath.Clean(dir+rest))
	}
	return out
}
