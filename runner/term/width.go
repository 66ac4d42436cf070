package term

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Escape codes that redraw a terminal.
const (
	ClearScreen = "\x1b[H\x1b[2J" // cursor home, screen cleared: a fresh screen
	ClearLine   = "\r\x1b[K"      // back to the line's start, the line cleared
)

// IsTerminal says whether f is a terminal (and not a file or a pipe).
func IsTerminal(f *os.File) bool { return ttyWidth(f) > 0 }

// TextWidth is the width to wrap text at: $COLUMNS, else the terminal's,
// or 100 when f is not a terminal.
func TextWidth(f *os.File) int {
	var cols int
	if _, err := fmt.Sscan(os.Getenv("COLUMNS"), &cols); err == nil && cols >= 40 {
		return cols
	}
	if w := ttyWidth(f); w >= 40 {
		return w
	}
	return 100
}

// Wrap breaks s into lines of at most width bytes at spaces (a word
// longer than width stays whole).
func Wrap(s string, width int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for len(line) > width {
			cut := strings.LastIndex(line[:width], " ")
			if cut <= 0 {
				break
			}
			out = append(out, line[:cut])
			line = line[cut+1:]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// A StatusLine shows how something slow is going. On a terminal (with
// colours on: see Detect) it rewrites one line, cut at 100 columns; a
// final status ends the line. Elsewhere (a CI log) it prints a line at
// most every five seconds, and the final one. Several goroutines may
// show their progress on one line (a class's submissions build at once).
type StatusLine struct {
	f    *os.File
	tty  bool
	mu   sync.Mutex
	last time.Time // under mu
}

// NewStatusLine returns a status line on f.
func NewStatusLine(f *os.File) *StatusLine {
	return &StatusLine{f: f, tty: Detect(f).Color}
}

// Show shows line; final says it is the last one.
func (s *StatusLine) Show(line string, final bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tty {
		const width = 100
		if len(line) > width {
			line = line[:width-1] + "…"
		}
		fmt.Fprint(s.f, ClearLine+line)
		if final {
			fmt.Fprintln(s.f)
		}
		return
	}
	if time.Since(s.last) > 5*time.Second || final {
		s.last = time.Now()
		fmt.Fprintln(s.f, line)
	}
}
