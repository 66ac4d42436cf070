package term

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Visible returns s with every character a terminal would act on rather
// than show written out as text: C0 controls but newline and tab (ESC as
// \x1b, carriage return as \r, backspace as \x08), DEL, the C1 controls
// (\u009b), the bidirectional overrides that reorder what is shown
// (\u202e), and bytes that are not UTF-8 (\xff). Output from a
// submission or a cell passes through here before it reaches a terminal,
// a feedback file or a page: an escape sequence there cannot clear the
// screen, draw a fake verdict or write the clipboard (OSC 52), and the
// reader sees that it was printed.
func Visible(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if needsEscape(r, size) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if needsEscape(r, size) {
			writeEscaped(&b, s[i], r, size)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape says whether the rune r, decoded from size bytes, must be
// written out.
func needsEscape(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size <= 1:
		return true // not UTF-8: a lone 0x9b is CSI to an 8-bit terminal
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidirectional controls: text shown in another order than written
	}
	return false
}

func writeEscaped(b *strings.Builder, first byte, r rune, size int) {
	switch {
	case r == utf8.RuneError && size <= 1:
		fmt.Fprintf(b, `\x%02x`, first)
	case r == '\r':
		b.WriteString(`\r`)
	case r < 0x80:
		fmt.Fprintf(b, `\x%02x`, r)
	default:
		fmt.Fprintf(b, `\u%04x`, r)
	}
}

// A VisibleWriter passes what it is given through Visible on its way to
// W, for output that arrives in pieces: a character split across two
// writes is held back until it is whole, not escaped as two broken bytes.
// Flush writes what is held back, at the end of the output.
type VisibleWriter struct {
	W       io.Writer
	pending []byte
}

func (v *VisibleWriter) Write(p []byte) (int, error) {
	buf := append(v.pending, p...)
	keep := incompleteTail(buf)
	v.pending = append([]byte(nil), buf[len(buf)-keep:]...)
	if len(buf)-keep > 0 {
		if _, err := io.WriteString(v.W, Visible(string(buf[:len(buf)-keep]))); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes the bytes held back, escaped: the output ended in the
// middle of a character.
func (v *VisibleWriter) Flush() error {
	if len(v.pending) == 0 {
		return nil
	}
	s := Visible(string(v.pending))
	v.pending = nil
	_, err := io.WriteString(v.W, s)
	return err
}

// incompleteTail is how many bytes at the end of b begin a UTF-8
// character that the next write may complete.
func incompleteTail(b []byte) int {
	for n := 1; n <= 3 && n <= len(b); n++ {
		c := b[len(b)-n]
		if c < 0x80 {
			return 0
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-n:]) {
				return n
			}
			return 0
		}
	}
	return 0
}
