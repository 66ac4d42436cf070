// Package settings holds the run settings: where chapters and exercises
// run (an embedded miniredis, or a real server), how long a cell or an
// exercise may take, and what a run on a real server may do. The command
// line makes them once, from the environment and its flags, and passes
// them down to notebook and grade; their defaults are here, and nowhere
// else (goldmark's markdown.go, mdBook's Config).
package settings

import (
	"time"

	"github.com/redis-notebook/tutorial/runner/chapter"
)

// DefaultTimeout is how long a cell or an exercise may run before it is
// stopped. The checker's own -timeout flag and the site's Run buttons
// (from the page's data-timeout) take it from here.
const DefaultTimeout = 10 * time.Second

// Run says where and how code runs. Its zero value runs on an embedded
// miniredis with the default time limit.
type Run struct {
	// RedisURL is a real server's URL, as given; empty: an embedded
	// miniredis. It is passed on as a string, and parsed where it is used.
	RedisURL string
	// AllowDirty runs beside keys already in the server's database
	// (they are never touched).
	AllowDirty bool
	// Timeout stops a cell (or an exercise) that runs longer; 0 or less:
	// DefaultTimeout.
	Timeout time.Duration
	// AllowScripts lets scripts and functions run on a real server,
	// unchecked: the guard cannot see inside them.
	AllowScripts bool
	// CleanLeftovers first removes the keys that earlier runs, killed
	// before their cleanup, recorded.
	CleanLeftovers bool
	// Keep leaves the keys a run created on a real server.
	Keep bool
}

// Defaults are the settings when no flag says otherwise and $REDIS_URL
// is unset.
var Defaults = Run{Timeout: DefaultTimeout}

// FromEnv returns the defaults with the server of $REDIS_URL, as getenv
// (os.Getenv) reads it: what the flags then change.
func FromEnv(getenv func(string) string) Run {
	r := Defaults
	r.RedisURL = getenv("REDIS_URL")
	return r
}

// Backend is the backend the settings select.
func (r Run) Backend() chapter.Backend {
	if r.RedisURL != "" {
		return chapter.Redis
	}
	return chapter.Miniredis
}

// TimeLimit is how long a cell or an exercise may run.
func (r Run) TimeLimit() time.Duration {
	if r.Timeout <= 0 {
		return DefaultTimeout
	}
	return r.Timeout
}
