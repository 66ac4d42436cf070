// Package term writes for a terminal: colours, wrapping, the terminal's
// width, its escape codes, a progress line, plurals, and control
// characters shown escaped (Visible). It links nothing but the standard
// library, so that every program can use it; a chapter's Markdown and Go
// are rendered by its package page.
package term

import (
	"fmt"
	"os"
	"strconv"
)

// A Style turns escape sequences on or off, and sets the width to wrap at.
type Style struct {
	Color bool
	Width int
}

// Detect returns the style for f: colors when it is a terminal and
// NO_COLOR is unset; the width from $COLUMNS, else 80.
func Detect(f *os.File) Style {
	s := Style{Width: 80}
	if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb" {
		s.Color = true
	}
	var cols int
	if _, err := fmt.Sscan(os.Getenv("COLUMNS"), &cols); err == nil && cols >= 40 {
		s.Width = min(cols, 100)
	}
	return s
}

// SGR codes (ANSI's Select Graphic Rendition), for Style.Paint.
const (
	Bold      = "1"
	Dim       = "2"
	Italic    = "3"
	Underline = "4"
	Red       = "31"
	Green     = "32"
	Yellow    = "33"
	Blue      = "34"
	Magenta   = "35"
	Cyan      = "36"
)

// Paint wraps s in an escape sequence when colors are on.
func (s Style) Paint(code, text string) string {
	if !s.Color || text == "" {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// Dim, Bold, Red, Green and Yellow paint messages.
func (s Style) Dim(t string) string    { return s.Paint(Dim, t) }
func (s Style) Bold(t string) string   { return s.Paint(Bold, t) }
func (s Style) Red(t string) string    { return s.Paint(Red, t) }
func (s Style) Green(t string) string  { return s.Paint(Green, t) }
func (s Style) Yellow(t string) string { return s.Paint(Yellow, t) }

// Plural writes n and the noun, in the plural unless n is 1: "1 key",
// "3 keys". Nouns here all take an s.
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
