// Package watch tells when files under some folders change, for the
// commands that redo their work on every save (check --watch, serve).
package watch

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Changes sends the changed path (one per burst of events) whenever a file
// under one of dirs is written, created, removed or renamed. Editors save
// in several steps, so events within debounce of each other count once.
// Hidden files and folders are ignored. The channel closes when ctx ends.
func Changes(ctx context.Context, dirs []string, debounce time.Duration) (<-chan string, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if p != d && strings.HasPrefix(e.Name(), ".") {
					return filepath.SkipDir
				}
				return w.Add(p)
			}
			return nil
		})
		if err != nil {
			w.Close()
			return nil, err
		}
	}
	out := make(chan string)
	go func() {
		defer close(out)
		defer w.Close()
		var pending string
		var timer <-chan time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if strings.HasPrefix(filepath.Base(ev.Name), ".") {
					continue
				}
				if ev.Op&fsnotify.Create != 0 {
					if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
						w.Add(ev.Name)
					}
				}
				pending = ev.Name
				timer = time.After(debounce)
			case <-w.Errors:
			case <-timer:
				timer = nil
				select {
				case out <- pending:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
