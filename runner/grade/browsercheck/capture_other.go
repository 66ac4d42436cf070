//go:build !js

package browsercheck

import (
	"io"
	"os"
)

// capture sends what the program prints to w until restore: natively
// (the tests), by replacing os.Stdout and os.Stderr with a pipe.
func capture(w io.Writer) (restore func()) {
	r, pw, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = pw, pw
	copied := make(chan struct{})
	go func() {
		io.Copy(w, r)
		close(copied)
	}()
	return func() {
		os.Stdout, os.Stderr = stdout, stderr
		pw.Close()
		<-copied
		r.Close()
	}
}
