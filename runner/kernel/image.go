package kernel

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
)

// Image displays a picture as the cell's output, where the cell is at in
// what it prints: mediaType is "image/svg+xml" or "image/png", data the
// file's bytes, alt what the picture shows, in words, for a reader who
// cannot see it. Under the runner, a walk saves it and prints its path,
// the site shows it in place of text, and test compares its kind and
// size (width×height), not its bytes. A program run by hand writes it to
// a file in the temporary folder and prints where.
//
// It panics on another media type, a picture over protocol.MaxImage
// bytes, or no alt text: the cell's author gets the chapter's line.
func Image(mediaType string, data []byte, alt string) {
	if ext(mediaType) == "" {
		panic(fmt.Sprintf("kernel.Image: media type %q: a cell can show image/svg+xml or image/png", mediaType))
	}
	if len(data) > protocol.MaxImage {
		panic(fmt.Sprintf("kernel.Image: %d bytes, over the %d a picture may have", len(data), protocol.MaxImage))
	}
	if alt == "" {
		panic("kernel.Image: no alt text: say in words what the picture shows")
	}
	showImage(mediaType, data, alt)
}

// ext is the file extension of a media type a cell may show, or "".
func ext(mediaType string) string {
	switch mediaType {
	case "image/svg+xml":
		return ".svg"
	case "image/png":
		return ".png"
	}
	return ""
}

var written struct {
	sync.Mutex
	n int
}

// writeImageFile is Image without a runner: the picture goes to a file.
func writeImageFile(mediaType string, data []byte, alt string) {
	written.Lock()
	written.n++
	n := written.n
	written.Unlock()
	dir := filepath.Join(os.TempDir(), "notebook-images")
	path := filepath.Join(dir, fmt.Sprintf("image-%d-%d%s", os.Getpid(), n, ext(mediaType)))
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = os.WriteFile(path, data, 0o644)
	}
	if err != nil {
		fmt.Printf("%s (%s), %d bytes, not saved: %v\n", mediaType, alt, len(data), err)
		return
	}
	fmt.Printf("%s (%s), %d bytes: %s\n", mediaType, alt, len(data), path)
}
