package grade

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ManifestPath is where the manifest lives, from the module root.
const ManifestPath = "exercises/exercises.json"

// A Manifest lists the course's exercises, a package of them per chapter
// that sets any, as exercises/exercises.json holds them. It is the one
// reader of that file: the runner's commands, the grader and the site all
// load it here. Exercise ids run on across packages (chapter 1's are 1 to
// 6, chapter 2's from 7), so that an id, or a name, picks one exercise of
// the whole course.
type Manifest struct {
	Packages []*PackageExercises `json:"packages"`
}

// PackageExercises are one package's exercises, in order: the folder
// exercises/<Package> the learner fills in, and solutions/<Package>.
type PackageExercises struct {
	Package   string     `json:"package"`
	Exercises []Exercise `json:"exercises"`
}

// An Exercise is one entry of the manifest.
type Exercise struct {
	ID     int      `json:"id"`
	Name   string   `json:"name"`
	Title  string   `json:"title"`
	File   string   `json:"file"`  // in the package's folder
	Funcs  []string `json:"funcs"` // the functions the learner writes
	Points int      `json:"points"`
	Hint   string   `json:"hint"`
	// Visibility is when Gradescope shows students this exercise's test
	// (one of GradescopeVisibilities); "": Gradescope's default, or
	// what --visibility says.
	Visibility string `json:"visibility,omitempty"`
	Package    string `json:"-"` // its package's, filled in by LoadManifest
}

// A ManifestError is a manifest that cannot be used, with the line that
// is wrong when there is one.
type ManifestError struct {
	Path string
	Line int // 0: the file as a whole
	Msg  string
}

func (e *ManifestError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// LoadManifest reads the manifest of the module at root, and checks that
// every exercise has an id, a name and a file, and that no id or name is
// used twice.
func LoadManifest(root string) (*Manifest, error) {
	path := filepath.Join(root, ManifestPath)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseManifest(path, b)
}

func parseManifest(path string, b []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		line := 0
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line = bytes.Count(b[:se.Offset], []byte("\n")) + 1
		case errors.As(err, &te):
			line = bytes.Count(b[:te.Offset], []byte("\n")) + 1
		default: // an unknown field: the decoder stopped just after it
			line = bytes.Count(b[:min(dec.InputOffset(), int64(len(b)))], []byte("\n")) + 1
		}
		return nil, &ManifestError{Path: path, Line: line, Msg: err.Error()}
	}
	ids, names, pkgs := map[int]bool{}, map[string]bool{}, map[string]bool{}
	for _, p := range m.Packages {
		if p.Package == "" || pkgs[p.Package] {
			return nil, &ManifestError{Path: path, Msg: fmt.Sprintf("package %q: every package needs a name of its own", p.Package)}
		}
		pkgs[p.Package] = true
		for i := range p.Exercises {
			e := &p.Exercises[i]
			e.Package = p.Package
			switch {
			case e.ID <= 0 || e.Name == "" || e.File == "":
				return nil, &ManifestError{Path: path, Msg: fmt.Sprintf("exercise %d (%s) needs an id > 0, a name and a file", e.ID, p.Package)}
			case ids[e.ID] || names[strings.ToLower(e.Name)]:
				return nil, &ManifestError{Path: path, Msg: fmt.Sprintf("exercise %d %s: ids and names must be unique across packages", e.ID, e.Name)}
			}
			if e.Visibility != "" && !slices.Contains(GradescopeVisibilities, e.Visibility) {
				return nil, &ManifestError{Path: path, Line: lineOf(b, `"visibility"`, e.Visibility), Msg: fmt.Sprintf(
					"exercise %d %s: visibility %q: Gradescope's visibilities are %s", e.ID, e.Name, e.Visibility, strings.Join(GradescopeVisibilities, ", "))}
			}
			ids[e.ID], names[strings.ToLower(e.Name)] = true, true
		}
	}
	if len(ids) == 0 {
		return nil, &ManifestError{Path: path, Msg: "no exercises"}
	}
	return &m, nil
}

// lineOf returns the line of the first field key whose value is the
// string value, or 0.
func lineOf(b []byte, key, value string) int {
	quoted, _ := json.Marshal(value)
	re := regexp.MustCompile(regexp.QuoteMeta(key) + `\s*:\s*` + regexp.QuoteMeta(string(quoted)))
	if loc := re.FindIndex(b); loc != nil {
		return bytes.Count(b[:loc[0]], []byte("\n")) + 1
	}
	return 0
}

// Exercises returns every exercise of the course, package after package.
func (m *Manifest) Exercises() []Exercise {
	var all []Exercise
	for _, p := range m.Packages {
		all = append(all, p.Exercises...)
	}
	return all
}

// Package returns the exercises of the package named name, or nil.
func (m *Manifest) Package(name string) *PackageExercises {
	for _, p := range m.Packages {
		if p.Package == name {
			return p
		}
	}
	return nil
}

// Select returns the exercise arg names, by id ("3") or by name
// ("letters"), or all of them when arg is empty.
func (m *Manifest) Select(arg string) ([]Exercise, error) {
	all := m.Exercises()
	if arg == "" {
		return all, nil
	}
	id, err := strconv.Atoi(arg)
	for _, e := range all {
		if (err == nil && e.ID == id) || strings.EqualFold(e.Name, arg) {
			return []Exercise{e}, nil
		}
	}
	names := make([]string, len(all))
	for i, e := range all {
		names[i] = fmt.Sprintf("%d %s", e.ID, e.Name)
	}
	return nil, fmt.Errorf("no exercise %q; the exercises are: %s", arg, strings.Join(names, ", "))
}

// ByPackage splits exercises by package, in the manifest's order of
// packages.
func (m *Manifest) ByPackage(exercises []Exercise) []*PackageExercises {
	var out []*PackageExercises
	for _, p := range m.Packages {
		sel := &PackageExercises{Package: p.Package}
		for _, e := range exercises {
			if e.Package == p.Package {
				sel.Exercises = append(sel.Exercises, e)
			}
		}
		if len(sel.Exercises) > 0 {
			out = append(out, sel)
		}
	}
	return out
}

// MaxPoints is what passing every exercise scores.
func (m *Manifest) MaxPoints() int {
	n := 0
	for _, e := range m.Exercises() {
		n += e.Points
	}
	return n
}
