package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/watch"
	"github.com/redis-notebook/tutorial/site"
	"github.com/redis-notebook/tutorial/site/serve"
)

func init() {
	register(command{
		name:    "serve",
		args:    "[--addr 127.0.0.1:8000]",
		summary: "build the site, serve it on this machine, and rebuild and reload it when a chapter changes",
		setup:   setupServe,
	})
}

func setupServe(fs *flag.FlagSet) func([]string) int {
	var f siteFlags
	f.register(fs, "build into this folder (default: a temporary one, removed on exit; public/ is left alone)", false)
	addr := fs.String("addr", "127.0.0.1:8000", "listen on this address; only loopback addresses are accepted")
	return func(args []string) int {
		if len(args) != 0 {
			fs.Usage()
			return exitBadArgs
		}
		if err := serve.CheckLoopback(*addr); err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		root, err := moduleRoot()
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		// SIGTERM too: the temporary folder is removed on the way out.
		ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer cancel()

		opt := f.options(root)
		opt.LiveReload = true
		opt.KeepGoing = true
		if opt.Out == "" {
			tmp, err := os.MkdirTemp("", "runner-serve-")
			if err != nil {
				return fail(os.Stderr, exitFailed, "%v", err)
			}
			defer os.RemoveAll(tmp)
			opt.Out = filepath.Join(tmp, "site")
		}

		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return fail(os.Stderr, exitFailed, "%v", err)
		}
		srv := serve.New(opt.Out)
		// Edited cells run natively, as walk runs them; the edits stay in
		// memory, never in the chapter's file.
		srv.ChaptersDir = filepath.Join(root, "chapters")
		srv.RunEdited = func(ctx context.Context, ch *chapter.Chapter, ev notebook.Events, step func(*chapter.Cell) bool) error {
			opt := runOptions(root, *f.run)
			opt.Progress = nil // the page shows the edited run; serve's terminal, the site's builds
			opt.Events = ev
			opt.Step = step // the run waits at its end for the page's console
			_, err := notebook.Run(ctx, ch, opt)
			return err
		}
		if m, err := grade.LoadManifest(root); err == nil {
			srv.ExerciseSource, srv.CheckExercise = serve.ExerciseChecker(root, m, grade.RunConfig{Run: *f.run})
		}
		// Only this machine's pages that know the printed token get in:
		// serve will run code, and any web page can send requests here.
		token := serve.NewToken()
		httpSrv := &http.Server{Handler: serve.TokenCheck(srv, ln.Addr().String(), token), ReadHeaderTimeout: 10 * time.Second}
		go httpSrv.Serve(ln)
		defer httpSrv.Close()
		defer srv.Close() // an edited run waiting for the console ends, and cleans up

		rebuild := func() {
			rep, err := site.Render(ctx, opt)
			if err != nil {
				if errors.Is(err, context.Canceled) {
					return
				}
				reportSiteError(os.Stderr, err)
				srv.Failed(err)
				return
			}
			printMismatches(os.Stderr, rep)
			fmt.Fprintln(os.Stderr, "site: "+rep.Summary())
			srv.Built()
		}
		// Watch first, so that a save during the first build is not missed.
		var dirs []string
		for _, d := range []string{"chapters", "exercises", "solutions"} {
			if st, err := os.Stat(filepath.Join(root, d)); err == nil && st.IsDir() {
				dirs = append(dirs, filepath.Join(root, d))
			}
		}
		changes, err := watch.Changes(ctx, dirs, 150*time.Millisecond)
		if err != nil {
			return fail(os.Stderr, exitFailed, "watching for changes: %v", err)
		}
		fmt.Printf("serving http://%s/?token=%s (Ctrl-C stops)\n", ln.Addr(), token)
		rebuild()
		for path := range changes {
			fmt.Fprintf(os.Stderr, "changed: %s\n", relToCwd(path))
			rebuild()
		}
		return exitOK
	}
}
