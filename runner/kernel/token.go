//go:build !(js && wasm)

package kernel

import (
	"io"
	"os"
	"strings"

	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
)

// eventsToken is the run's token, read before any of the chapter's code
// runs: package initialization runs this package's init before the
// generated main package's variables and init functions, which are cells'
// code. The descriptor is closed here, so no cell, nor anything it starts,
// can read it; the token was never in the environment.
var eventsToken = readToken()

func readToken() string {
	if os.Getenv(protocol.EnvEvents) != "1" {
		return ""
	}
	os.Unsetenv(protocol.EnvEvents)
	f := os.NewFile(protocol.EventsFD, "events-token")
	if f == nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 256))
	return strings.TrimSpace(string(b))
}
