package autograder

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// DockerBase is the image the grading image starts from: the Ubuntu of
// Gradescope's base images, so that setup.sh runs in both unchanged.
const DockerBase = "ubuntu:24.04"

// dockerfile builds an image laid out as Gradescope's: the autograder in
// /autograder/source, set up by setup.sh (caches warm, solutions gone),
// run_autograder as its entry point.
const dockerfile = `# Written by ` + "`go run ./runner autograder docker`" + `: a grading image, laid
# out as Gradescope's autograders are. Build it, then grade a submission
# with no network:
#
#   docker build -t redis-course-grader .
#   docker run --rm --network none \
#     -v "$PWD/alice:/autograder/submission:ro" -v "$PWD/out:/autograder/results" \
#     redis-course-grader
#
# out/results.json is then Gradescope's results format.
FROM ` + DockerBase + `
COPY setup.sh install_go.sh run_autograder /autograder/source/
COPY course/ /autograder/source/course/
RUN bash /autograder/source/setup.sh
ENTRYPOINT ["/autograder/source/run_autograder"]
`

// Docker writes into dir, which must not exist or be empty, the build
// context of a grading image for exercises: the Dockerfile, and the files
// of the Gradescope autograder, whose run_autograder is its entry point.
func Docker(root string, exercises []grade.Exercise, sums GoChecksums, dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if len(entries) > 0 {
		return nil, fmt.Errorf("%s already holds %s: write the image's files into a new or empty folder (nothing is overwritten)", dir, entries[0].Name())
	}
	files, err := autograderFiles(root, exercises, sums)
	if err != nil {
		return nil, err
	}
	files["Dockerfile"] = file{data: []byte(dockerfile)}
	names := slices.Sorted(maps.Keys(files))
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		mode := fs.FileMode(0o644)
		if files[name].exec {
			mode = 0o755
		}
		if err := os.WriteFile(p, files[name].data, mode); err != nil {
			return nil, err
		}
		if err := os.Chmod(p, mode); err != nil { // whatever the umask
			return nil, err
		}
	}
	return names, nil
}
