package grade

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/redis-notebook/tutorial/runner/build"
)

// shimsPerBuild is how many shims one go build builds at most: enough to
// share the go command's own work (loading the module, hashing the
// dependencies) among many submissions, few enough that the first
// submissions' exercises run while the next shims build.
const shimsPerBuild = 24

// batchStats count, for the benchmarks and tests, the go build
// invocations that built several shims, and the shims they built.
var batchStats struct {
	builds, shims atomic.Int64
}

// A shimBatch is the shims of some of a class's submissions, built by one
// go build; done is closed when it has finished, built or not.
type shimBatch struct {
	pkgs []*Package
	done chan struct{}
}

// prebuildShims builds the shims of the batch's packages that the build
// cache lacks with one go build, each package grafted at its own path
// (graftDir) with a main package of its own beside it, and puts each
// binary built where CompileHarness looks for it (build.Compile's cache
// entry for its shimRequest), so that grading the submission finds it
// built. A package that does not compile is simply not built here: its
// own CompileHarness then builds it alone, reporting its errors, and
// replacing its broken files by stubs, as if there were no batch. So one
// broken submission fails none of its neighbours.
func prebuildShims(ctx context.Context, root string, set *PackageExercises, pkgs []*Package, isolated string) error {
	type pending struct {
		req  build.Request
		pkg  *Package
		main string // the main package's import path
		dest string // the cache entry's binary
	}
	work, err := os.MkdirTemp(build.CacheDir(), "shimbatch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	replace := map[string]string{}
	var todo []pending
	var flags []string
	for _, pkg := range pkgs {
		if pkg.Main != "" || len(pkg.Refused) > 0 {
			continue // graded alone: it has no shim of its own as it is
		}
		req, src, err := shimRequest(root, set, pkg, isolated)
		if err != nil {
			return err
		}
		key, err := build.Key(req)
		if err != nil {
			return err
		}
		dest := filepath.Join(build.CacheDir(), req.Name+"-"+key[:16], req.Name)
		if _, err := os.Stat(dest); err == nil {
			continue // built already
		}
		var overlay struct{ Replace map[string]string }
		b, err := os.ReadFile(filepath.Join(src, "overlay.json"))
		if err == nil {
			err = json.Unmarshal(b, &overlay)
		}
		if err != nil {
			return fmt.Errorf("reading %s's overlay: %w", src, err)
		}
		maps.Copy(replace, overlay.Replace)
		mainDir := graftRoot + "/s" + pkg.Hash[:12] + "/shim" + pkg.Hash[:12]
		mainFile := filepath.Join(work, pkg.Hash[:12]+"-main.go")
		if err := os.WriteFile(mainFile, req.Files["main.go"], 0o644); err != nil {
			return err
		}
		replace[mainDir+"/main.go"] = mainFile
		todo = append(todo, pending{req: req, pkg: pkg, main: modulePath + "/" + mainDir, dest: dest})
		flags = req.Flags
	}
	if len(todo) == 0 {
		return nil
	}
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "overlay.json"), overlay, 0o644); err != nil {
		return err
	}
	bin := filepath.Join(work, "bin")
	// The shims' own flags, but one overlay for all of them.
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	for _, f := range flags {
		if !strings.HasPrefix(f, "-overlay=") {
			args = append(args, f)
		}
	}
	args = append(args, "-overlay="+filepath.Join(work, "overlay.json"))
	for _, p := range todo {
		args = append(args, p.main)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	out, runErr := cmd.CombinedOutput()
	batchStats.builds.Add(1)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	built := 0
	for _, p := range todo {
		name := filepath.Base(p.main)
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		from := filepath.Join(bin, name)
		if _, err := os.Stat(from); err != nil {
			continue // it does not compile: built alone, for its errors
		}
		if err := os.MkdirAll(filepath.Dir(p.dest), 0o755); err != nil {
			return err
		}
		// The binary last: its presence says the entry is complete.
		if err := os.Rename(from, p.dest); err != nil {
			return err
		}
		built++
	}
	batchStats.shims.Add(int64(built))
	if built == 0 && runErr != nil && !errors.As(runErr, new(*exec.ExitError)) {
		return fmt.Errorf("go build: %v\n%s", runErr, out)
	}
	return nil
}
