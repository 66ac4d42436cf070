package site

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/paths"
)

// Marker is the file that says a folder is a site the runner built, and so
// may be replaced by the next build. A folder without it is never touched.
const Marker = ".runner-site"

// writeSite writes files (and the media they show, copied from the
// repository) into a new temporary folder beside out, then swaps it into
// place, so that a build that fails on the way leaves the previous site
// whole, and a server never serves half a site.
func writeSite(out string, files map[string][]byte, media map[string]string) error {
	out = filepath.Clean(out)
	if err := checkReplaceable(out); err != nil {
		return err
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".new-")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	files[Marker] = []byte("This folder is built by 'go run ./runner site'; the next build replaces it whole.\n")
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := writeFile(filepath.Join(tmp, filepath.FromSlash(name)), files[name]); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(media)) {
		if err := copyFile(filepath.Join(tmp, filepath.FromSlash(name)), media[name]); err != nil {
			return err
		}
	}

	if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(tmp, out); err != nil {
			return err
		}
		ok = true
		return nil
	}
	old, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".old-")
	if err != nil {
		return err
	}
	os.Remove(old) // only its unique name is needed
	if err := os.Rename(out, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Rename(old, out)
		return err
	}
	ok = true
	return os.RemoveAll(old)
}

// checkReplaceable refuses to replace a folder that holds something other
// than a site the runner built: "-o ." must not wipe the repository.
func checkReplaceable(out string) error {
	entries, err := os.ReadDir(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		st, serr := os.Stat(out)
		if serr == nil && !st.IsDir() {
			return fmt.Errorf("%s is a file, not a folder for the site", out)
		}
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, Marker)); err != nil {
		return fmt.Errorf("refusing to replace %s: it is not a site the runner built (it has no %s file); remove it or choose another folder with -o", out, Marker)
	}
	return nil
}

func writeFile(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// copyFile copies src to dst; a file of the build cache it links there
// when it can: the in-page toolchain is a few hundred megabytes, and the
// cache's files are only ever replaced by rename, never rewritten, so a
// link is a copy that costs nothing. (An image of the repository is
// copied: editing the site's file must not edit it.)
func copyFile(dst, src string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if abs, err := filepath.Abs(src); err == nil {
		if cache, err := filepath.Abs(build.CacheDir()); err == nil {
			if _, in := paths.Within(paths.Resolved(cache), paths.Resolved(abs)); in && os.Link(src, dst) == nil {
				return nil
			}
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
