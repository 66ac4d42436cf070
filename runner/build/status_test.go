package build

import (
	"testing"
	"time"
)

// TestStatusString: the sentences the runner prints while a cold build
// compiles the dependencies, and once it is done.
func TestStatusString(t *testing.T) {
	for _, tt := range []struct {
		s    Status
		want string
	}{
		{Status{Packages: 12, Elapsed: 3400 * time.Millisecond, Current: "github.com/yuin/goldmark/ast"},
			"compiling dependencies (a first build takes about a minute): 12 packages, 3s, now github.com/yuin/goldmark/ast"},
		{Status{Packages: 12, Total: 40, Elapsed: 3 * time.Second, Current: "errors"},
			"compiling dependencies (a first build takes about a minute): 12 of 40 packages, 3s, now errors"},
		{Status{Packages: 57, Elapsed: 41600 * time.Millisecond, Done: true},
			"built in 42s (57 packages); later runs reuse them"},
	} {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%+v:\n got %q\nwant %q", tt.s, got, tt.want)
		}
	}
}
