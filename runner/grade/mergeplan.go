package grade

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	rbuild "github.com/redis-notebook/tutorial/runner/build"
)

// How a batch's merged packages (merge.go) are laid out, built and read
// back: what every build of package grade needs, the in-page check's
// too, which merges nothing (see merge_js.go).

// mergeMark joins a name to its member's number: a letter (U+01C0, LATIN
// LETTER DENTAL CLICK), so that the name stays an identifier, exported
// if it was. A member whose source holds it is not merged.
const mergeMark = "ǀ"

// mergeVersion names the way merged packages are written, for the
// batch's cache key.
const mergeVersion = "merge 1"

// mergedMembers counts the members compiled in a merged package, for the
// tests and benchmarks.
var mergedMembers atomic.Int64

// mergedStubbed counts the members compiled in a merged package with a
// file stubbed (merged on a batch's retry), for the tests and
// benchmarks.
var mergedStubbed atomic.Int64

// mergePlan is how a batch's members are merged: the groups, and each
// merged member's group by the variant it was type-checked as. A member
// built in another variant (a file stubbed) is compiled on its own, but
// for one a plan added on the batch's retry (and) merges.
type mergePlan struct {
	files []map[string][]byte // each package's, by name in its folder
	byPkg map[*Package]int    // a merged member's package
	marks map[*Package]string // a merged member's mark
	id    string              // of the packages' sources
}

// mergedDir is the folder, in the module, of the plan's g-th package: as
// long as graftDir, as BatchGraft's are, so that a stack trace, its
// functions named by their package's path, reads as long as one of a
// package built alone once it is named graftDir again.
func mergedDir(g int) string {
	return fmt.Sprintf("runner/grade/m%09d/%s", g, filepath.Base(graftDir))
}

// overlay writes the plan's packages' files into the build cache and adds
// them to replace, an overlay's.
func (plan *mergePlan) overlay(replace map[string]string) error {
	dir := filepath.Join(rbuild.CacheDir(), "sources", "grade", "merge-"+plan.id[:20])
	for g, files := range plan.files {
		for name, src := range files {
			file := filepath.Join(dir, fmt.Sprintf("g%d", g), name)
			if _, err := os.Stat(file); err != nil {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					return err
				}
				if err := rbuild.WriteFile(file, src); err != nil {
					return err
				}
			}
			replace[mergedDir(g)+"/"+name] = file
		}
	}
	return nil
}

// unmerged writes what s says of a merged package, dir, (its path, the
// names as member index has them there) as a package built alone would
// have it.
func unmerged(s, dir, index string) string {
	return unmark(strings.ReplaceAll(s, dir, graftDir), mergeMark+index)
}

// unmark drops mark, a member's, from the names it ends in s: only after
// a letter, a digit or _, and before no digit (ǀ3 is not ǀ31).
func unmark(s, mark string) string {
	if !strings.Contains(s, mark) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, mark)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		rest := s[i+len(mark):]
		b.WriteString(s[:i])
		if !(unicode.IsLetter(before) || unicode.IsDigit(before) || before == '_') || rest != "" && '0' <= rest[0] && rest[0] <= '9' {
			b.WriteString(mark)
		}
		s = rest
	}
}

// group is the plan's package p is merged in, if any.
func (plan *mergePlan) group(p *Package) (int, bool) {
	if plan == nil {
		return 0, false
	}
	g, ok := plan.byPkg[p]
	return g, ok
}

// planID names the packages of a plan, files, by their sources.
func planID(files []map[string][]byte) string {
	h := sha256.New()
	fmt.Fprintln(h, mergeVersion)
	for g, grp := range files {
		for _, name := range slices.Sorted(maps.Keys(grp)) {
			fmt.Fprintf(h, "%d %s %d\n", g, name, len(grp[name]))
			h.Write(grp[name])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// and is plan with more's packages after its own, numbered on from
// them: the marks are the members' numbers in the batch, which no two
// members share, so that the packages' sources stay as each plan wrote
// them (and a package built before is the build cache's). Either may be
// nil.
func (plan *mergePlan) and(more *mergePlan) *mergePlan {
	if plan == nil {
		return more
	}
	if more == nil {
		return plan
	}
	c := &mergePlan{files: slices.Concat(plan.files, more.files), byPkg: maps.Clone(plan.byPkg), marks: maps.Clone(plan.marks)}
	for p, g := range more.byPkg {
		c.byPkg[p] = len(plan.files) + g
	}
	maps.Copy(c.marks, more.marks)
	c.id = planID(c.files)
	return c
}
