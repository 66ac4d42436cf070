package grade

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
)

// A Shard is the K-th of N parts of a class, for grading a class on
// several machines (a batch engine's array of jobs): the zero Shard is
// the whole class.
type Shard struct{ K, N int }

// ParseShard reads K/N, 1 ≤ K ≤ N.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	sh := Shard{}
	var err1, err2 error
	sh.K, err1 = strconv.Atoi(k)
	sh.N, err2 = strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || sh.N < 1 || sh.K < 1 || sh.K > sh.N {
		return Shard{}, fmt.Errorf("%q: a shard is K/N, 1 ≤ K ≤ N (2/5: the second of five)", s)
	}
	return sh, nil
}

// whole is the shard, or 1/1 for the whole class.
func (s Shard) whole() Shard {
	if s.N == 0 {
		return Shard{1, 1}
	}
	return s
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// Has says whether the submission of this name is the shard's. It hashes
// the name alone, so that a submission stays in its shard however many
// others the class has, and each machine of a batch computes the same
// parts without talking to the others.
func (s Shard) Has(name string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New64a()
	io.WriteString(h, name)
	return int(h.Sum64()%uint64(s.N)) == s.K-1
}

// A Part is a folder where a class's grading keeps each submission's
// results as it finishes: a run interrupted goes on from there, and
// grade merge makes one class of several parts.
//
//	part.json                 what the part grades: package, exercises, seed, shard, submissions
//	submissions/NAME.json     one finished submission, with its content's hash
type Part struct {
	Dir  string
	head partHead
}

type partHead struct {
	Package     string   `json:"package"`
	Exercises   []int    `json:"exercises"`
	Seed        uint64   `json:"seed"`
	Shard       string   `json:"shard"`
	Submissions []string `json:"submissions"` // the shard's, when it last started
}

// savedSubmission is a finished submission, as a part keeps it: enough
// to write every report of it again, exactly.
type savedSubmission struct {
	Name   string       `json:"name"`
	Hash   string       `json:"hash"` // of the submission's files: a changed one is graded again
	Err    string       `json:"error,omitempty"`
	Report *savedReport `json:"report,omitempty"`
}

type savedReport struct {
	Package string              `json:"package"`
	Backend string              `json:"backend"`
	Compile *build.CompileError `json:"compile,omitempty"`
	LeftOut []build.Diagnostic  `json:"left_out,omitempty"`
	Results []Result            `json:"results"`
	Elapsed time.Duration       `json:"elapsed_ns"`
	Seed    uint64              `json:"seed"`
}

// OpenPart opens the part folder dir for grading exercises with seed, the
// shard's submissions being names, creating it if need be. A folder that
// holds another grading's part (another package, exercises, seed or
// shard) is refused: its results would not be this one's.
func OpenPart(dir string, exercises []Exercise, seed uint64, shard Shard, names []string) (*Part, error) {
	head := partHead{Package: exercises[0].Package, Seed: seed, Shard: shard.String(), Submissions: names}
	for _, e := range exercises {
		head.Exercises = append(head.Exercises, e.ID)
	}
	p := &Part{Dir: dir, head: head}
	old, err := readPartHead(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	case old.Package != head.Package || !slices.Equal(old.Exercises, head.Exercises) || old.Seed != head.Seed || old.Shard != head.Shard:
		return nil, fmt.Errorf("%s holds shard %s of package %s, exercises %v, seed %d, not shard %s of %s, exercises %v, seed %d: "+
			"give another folder, or the same --seed and --shard to go on with it",
			dir, old.Shard, old.Package, old.Exercises, old.Seed, head.Shard, head.Package, head.Exercises, head.Seed)
	}
	if err := os.MkdirAll(filepath.Join(dir, "submissions"), 0o755); err != nil {
		return nil, err
	}
	b, _ := json.MarshalIndent(head, "", "  ")
	if err := build.WriteFile(filepath.Join(dir, "part.json"), append(b, '\n')); err != nil {
		return nil, err
	}
	return p, nil
}

func readPartHead(dir string) (partHead, error) {
	var head partHead
	b, err := os.ReadFile(filepath.Join(dir, "part.json"))
	if err != nil {
		return head, err
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return head, fmt.Errorf("%s: %v", filepath.Join(dir, "part.json"), err)
	}
	return head, nil
}

func (p *Part) path(name string) string {
	return filepath.Join(p.Dir, "submissions", name+".json")
}

// Load returns the submission of this name as the part kept it, or nil
// when the part has none, or one of other files than hash's.
func (p *Part) Load(name, hash string, exercises []Exercise) *Submission {
	s, hashed, err := loadSubmission(p.path(name), exercises)
	if err != nil || hash == "" || hashed != hash || s.Name != name {
		return nil
	}
	return s
}

// Save keeps a finished submission, graded from files of this hash.
func (p *Part) Save(s *Submission, hash string) error {
	return saveSubmission(p.path(s.Name), s, hash)
}

// saveSubmission writes a finished submission into path, under hash.
func saveSubmission(path string, s *Submission, hash string) error {
	saved := savedSubmission{Name: s.Name, Hash: hash}
	if s.Err != nil {
		saved.Err = s.Err.Error()
	}
	if r := s.Report; r != nil {
		saved.Report = &savedReport{Package: r.Package, Backend: r.Backend, Compile: r.Compile, LeftOut: r.LeftOut,
			Results: r.Results, Elapsed: r.Elapsed, Seed: r.Seed}
	}
	b, err := json.Marshal(saved)
	if err != nil {
		return err
	}
	return build.WriteFile(path, append(b, '\n'))
}

func loadSubmission(path string, exercises []Exercise) (*Submission, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var saved savedSubmission
	if err := json.Unmarshal(b, &saved); err != nil {
		return nil, "", fmt.Errorf("%s: %v", path, err)
	}
	s := &Submission{Name: saved.Name}
	if saved.Err != "" {
		s.Err = errors.New(saved.Err)
	}
	if r := saved.Report; r != nil {
		s.Report = &Report{Package: r.Package, Backend: r.Backend, Compile: r.Compile, LeftOut: r.LeftOut,
			Exercises: exercises, Results: r.Results, Elapsed: r.Elapsed, Seed: r.Seed}
		if len(r.Results) != 0 && len(r.Results) != len(exercises) {
			return nil, "", fmt.Errorf("%s: %d results for %d exercises", path, len(r.Results), len(exercises))
		}
	}
	if s.Err == nil && s.Report == nil {
		return nil, "", fmt.Errorf("%s: neither a report nor an error", path)
	}
	return s, saved.Hash, nil
}

// HashSubmission hashes a submission's folder: every file's path, kind
// and content (a symbolic link's target), so that a part grades again a
// submission changed since it kept its results.
func HashSubmission(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(h, "%q %v\n", filepath.ToSlash(rel), d.Type())
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "-> %q\n", target)
		case d.Type().IsRegular():
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			n, err := io.Copy(h, f)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "\n%d\n", n)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// MergeParts makes one class of the part folders dirs, graded with the
// manifest m: all of one package, exercises and seed, and of one
// division into shards, every shard there once and every part complete.
func MergeParts(dirs []string, m *Manifest) (*Class, error) {
	if len(dirs) == 0 {
		return nil, errors.New("merge needs the part folders to merge")
	}
	c := &Class{Dir: dirs[0], Parts: len(dirs)}
	var first partHead
	shards := map[int]string{}
	from := map[string]string{} // submission name: its part
	n := 0
	for i, dir := range dirs {
		head, err := readPartHead(dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: not a part folder (no part.json): grade --shard K/N --part DIR writes one", dir)
			}
			return nil, err
		}
		shard, err := ParseShard(head.Shard)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "part.json"), err)
		}
		if i == 0 {
			first, n = head, shard.N
			set := m.Package(head.Package)
			if set == nil {
				return nil, fmt.Errorf("%s: package %s is not in %s", filepath.Join(dir, "part.json"), head.Package, ManifestPath)
			}
			for _, id := range head.Exercises {
				j := slices.IndexFunc(set.Exercises, func(e Exercise) bool { return e.ID == id })
				if j < 0 {
					return nil, fmt.Errorf("%s: exercise %d is not package %s's in %s", filepath.Join(dir, "part.json"), id, head.Package, ManifestPath)
				}
				c.Exercises = append(c.Exercises, set.Exercises[j])
			}
			c.Seed = head.Seed
		} else if head.Package != first.Package || !slices.Equal(head.Exercises, first.Exercises) || head.Seed != first.Seed || shard.N != n {
			return nil, fmt.Errorf("%s grades shard %s of package %s, exercises %v, seed %d; %s shard %s of %s, exercises %v, seed %d: "+
				"the parts of one class are graded alike", dir, head.Shard, head.Package, head.Exercises, head.Seed,
				dirs[0], first.Shard, first.Package, first.Exercises, first.Seed)
		}
		if other, ok := shards[shard.K]; ok {
			return nil, fmt.Errorf("%s and %s are both shard %s", other, dir, head.Shard)
		}
		shards[shard.K] = dir
		var missing []string
		for _, name := range head.Submissions {
			if other, ok := from[name]; ok {
				return nil, fmt.Errorf("%s is in %s and in %s", name, other, dir)
			}
			from[name] = dir
			s, _, err := loadSubmission(filepath.Join(dir, "submissions", name+".json"), c.Exercises)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				missing = append(missing, name)
				continue
			case err != nil:
				return nil, err
			}
			c.Submissions = append(c.Submissions, s)
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("%s: %d of its %d submissions not graded yet (%s): run its shard again, it goes on where it stopped",
				dir, len(missing), len(head.Submissions), strings.Join(missing[:min(5, len(missing))], ", "))
		}
	}
	var absent []string
	for k := 1; k <= n; k++ {
		if _, ok := shards[k]; !ok {
			absent = append(absent, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(absent) > 0 {
		return nil, fmt.Errorf("no part for shard %s: merge every shard's part", strings.Join(absent, ", "))
	}
	slices.SortFunc(c.Submissions, func(a, b *Submission) int { return cmp.Compare(a.Name, b.Name) })
	for _, s := range c.Submissions {
		if s.Report != nil {
			c.Elapsed += s.Report.Elapsed
		}
	}
	return c, nil
}
