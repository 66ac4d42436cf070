//go:build !(js && wasm)

package kernel

import (
	"os"
	"sync/atomic"

	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
)

// running is the Session of this program, once Start has made it.
var running atomic.Pointer[Session]

func showImage(mediaType string, data []byte, alt string) {
	s := running.Load()
	if s == nil || !s.events {
		writeImageFile(mediaType, data, alt)
		return
	}
	s.mu.Lock()
	n := s.cell
	s.mu.Unlock()
	// Through the run's own stream, after whatever the cell printed
	// before it: the runner puts the picture there among the text.
	os.Stdout.Sync()
	s.emit(protocol.Event{Kind: protocol.Image, Cell: n, Type: mediaType, Data: data, Message: alt})
}
