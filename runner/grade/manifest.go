package grade

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ManifestPath is where the manifest lives, from the module root.
const ManifestPath = "exercises/exercises.json"

// A Manifest lists the chapter's exercises in order, as
// exercises/exercises.json holds them; the site reads the same file.
type Manifest struct {
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
}

// LoadManifest reads the manifest of the module at root.
func LoadManifest(root string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(root, ManifestPath))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", ManifestPath, err)
	}
	if len(m.Exercises) == 0 {
		return nil, fmt.Errorf("%s: no exercises", ManifestPath)
	}
	return &m, nil
}

// Select returns the exercise arg names, by id ("3") or by name
// ("letters"), or all of them when arg is empty.
func (m *Manifest) Select(arg string) ([]Exercise, error) {
	if arg == "" {
		return m.Exercises, nil
	}
	id, err := strconv.Atoi(arg)
	for _, e := range m.Exercises {
		if (err == nil && e.ID == id) || strings.EqualFold(e.Name, arg) {
			return []Exercise{e}, nil
		}
	}
	names := make([]string, len(m.Exercises))
	for i, e := range m.Exercises {
		names[i] = fmt.Sprintf("%d %s", e.ID, e.Name)
	}
	return nil, fmt.Errorf("no exercise %q; the exercises are: %s", arg, strings.Join(names, ", "))
}

// MaxPoints is what passing every exercise scores.
func (m *Manifest) MaxPoints() int {
	n := 0
	for _, e := range m.Exercises {
		n += e.Points
	}
	return n
}
