package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/redis-notebook/tutorial/runner/redisurl"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// runFlags says which of the run settings' flags a command has.
type runFlags int

const (
	backendOnly runFlags = iota // --redis, --redis-url-file, --allow-dirty, --timeout
	chapterRuns                 // and --allow-scripts, --clean-leftovers: chapters on a real server (walk, test)
)

// defineRunFlags defines the flags that make the run settings, and returns
// the settings they fill: $REDIS_URL and the defaults (settings.FromEnv),
// then what the flags say.
func defineRunFlags(fs *flag.FlagSet, which runFlags) *settings.Run {
	s := settings.FromEnv(os.Getenv)
	fs.Var(redisURLValue{&s.RedisURL}, "redis",
		"use the real Redis server at this `URL` (default $REDIS_URL; empty: an embedded miniredis); "+
			"with no /N in the URL, database 15, or the highest empty one on a server with fewer")
	fs.Func("redis-url-file", "read the Redis URL from the first line of this `FILE`, "+
		"so that its password stays out of the command line and shell history", func(path string) error {
		url, err := readURLFile(path)
		s.RedisURL = url
		return err
	})
	fs.BoolVar(&s.AllowDirty, "allow-dirty", false,
		"run even if the server's database already holds keys (they are never touched)")
	fs.DurationVar(&s.Timeout, "timeout", settings.DefaultTimeout, "stop a cell (or an exercise) that runs longer than this")
	if which == chapterRuns {
		fs.BoolVar(&s.AllowScripts, "allow-scripts", false,
			"on a real server, let EVAL, EVALSHA and FCALL run: UNCHECKED, a script can reach any key of any database")
		fs.BoolVar(&s.CleanLeftovers, "clean-leftovers", false,
			"on a real server, first remove exactly the keys that an earlier run, killed before it could clean up, recorded")
	}
	return &s
}

// stopSignals are the signals that end a run cleanly: the chapter program
// is stopped and, on a real server, the run's keys removed. SIGPIPE is
// among them because Go otherwise dies on it at once: "walk | head" would
// leave the run's keys behind.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}

const modulePath = "github.com/redis-notebook/tutorial"

// moduleRoot finds the tutorial's folder by walking up from the current
// one to the go.mod that declares this module: generated programs are built
// there, so that they can use its dependencies.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module "+modulePath+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run the runner from inside the tutorial's folder (the one with its go.mod)")
		}
		dir = parent
	}
}

// redisURLValue is the --redis flag: its help shows $REDIS_URL's default
// with the password hidden.
type redisURLValue struct{ p *string }

func (v redisURLValue) String() string {
	if v.p == nil || *v.p == "" {
		return ""
	}
	return redisurl.Redact(*v.p)
}

func (v redisURLValue) Set(s string) error { *v.p = s; return nil }

// readURLFile reads a Redis URL from the first line of path that is not
// blank or a # comment.
func readURLFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return line, nil
		}
	}
	return "", fmt.Errorf("%s holds no URL", path)
}
