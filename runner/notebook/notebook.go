// Package notebook runs a chapter: it generates the chapter's program,
// builds it (cached), runs it against a backend, and splits what it prints
// into each cell's output. Walking, testing and the site all run chapters
// through here.
package notebook

import (
	"errors"
	"strings"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
	"github.com/redis-notebook/tutorial/runner/picture"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// Options says how to run a chapter. The zero value runs it on an embedded
// miniredis with the default time limit.
type Options struct {
	Root string // the module root (required)
	// Run says where: the server (empty: embedded miniredis), its keys,
	// each cell's time limit (a cell's timeout= option overrides it),
	// and, on a real server, scripts, leftovers (see LeftoverDir) and
	// the run's own keys.
	settings.Run
	Progress build.Progress
	// Keys asks each cell's result for the keys it created, changed and
	// deleted (CellResult.Keys), at the cost of a lookup after the cell.
	Keys bool

	// Step, when set, is called before each cell runs, while the program
	// waits; it returns false to stop the run there.
	Step func(c *chapter.Cell) bool
	// Events, when set, hears about the run as it goes.
	Events Events
}

// Events are optional callbacks for a run in progress (the walk prints as
// it goes; the test and the site only need the Result).
type Events struct {
	Ready     func(backend, addr string)      // connected
	CellStart func(c *chapter.Cell)           // a cell begins
	Output    func(c *chapter.Cell, b []byte) // a cell printed b
	// Image: a cell displayed a picture (kernel.Image). Its line is in
	// the cell's Output, but is not passed to Output.
	Image   func(c *chapter.Cell, img *Image)
	CellEnd func(r *CellResult) // a cell finished
	// Console says how the runner itself can send commands to the run's
	// database while the program waits (--step): the embedded server's
	// listener, or on a real server the guarding proxy, in database DB.
	Console func(c Console)
}

// A Console is where the runner can reach the run's database.
type Console struct {
	Network, Addr string // for net.Dial
	DB            int    // to SELECT first
}

// A CellResult is what one cell did.
type CellResult struct {
	Cell    *chapter.Cell
	Ran     bool   // false: skipped (norun, other backend) or never reached
	Output  string // what it printed, display included, up to MaxCellOutput bytes
	Dropped int    // bytes printed past MaxCellOutput, neither kept nor shown
	Elapsed time.Duration
	// Commands the cell sent to Redis, in Trips round trips (a pipeline
	// or transaction is one); go-redis's own handshake is not counted.
	Commands, Trips int
	Keys            *protocol.KeyChanges // with Options.Keys
	// Images are the pictures the cell displayed, in order. Each stands
	// in Output as a line of its own (picture.Line, or picture.BadLine
	// for bytes that do not decode), at Offset.
	Images []*Image

	ended bool // the program reported its end
}

// An Image is a picture a cell displayed with kernel.Image.
type Image struct {
	Type          string // media type: picture.SVG or picture.PNG
	Alt           string // what it shows, in words, from the cell
	Data          []byte
	Width, Height int    // when it decodes
	Err           string // why it does not decode; "" when it does
	Offset        int    // where its line starts in the cell's Output
}

// Line is the line that stands for the picture in the cell's output.
func (img *Image) Line() string {
	if img.Err != "" {
		return picture.BadLine(img.Type, errors.New(img.Err))
	}
	return picture.Line(img.Type, img.Width, img.Height)
}

// NewImage decodes a picture a cell displayed, for its size, or why not.
func NewImage(mediaType string, data []byte, alt string) *Image {
	img := &Image{Type: mediaType, Alt: alt, Data: data}
	w, h, err := picture.Size(mediaType, data)
	if err != nil {
		img.Err = err.Error()
	} else {
		img.Width, img.Height = w, h
	}
	return img
}

// AddImage puts a picture in the cell's output, on a line of its own.
func (c *CellResult) AddImage(img *Image) {
	if c.Output != "" && !strings.HasSuffix(c.Output, "\n") {
		c.Output += "\n"
	}
	img.Offset = len(c.Output)
	c.Images = append(c.Images, img)
	c.Output += img.Line() + "\n"
}

// PrintedPictureLine returns a line of the cell's output that reads as a
// picture ("image/png 640×400") but is text the cell printed: a cell
// cannot pass for one that draws by printing what a picture's line says.
func (c *CellResult) PrintedPictureLine() (string, bool) {
	at := map[int]bool{}
	for _, img := range c.Images {
		at[img.Offset] = true
	}
	offset := 0
	for _, line := range strings.SplitAfter(c.Output, "\n") {
		if text := strings.TrimRight(line, "\r\n"); picture.IsLine(text) && !at[offset] {
			return text, true
		}
		offset += len(line)
	}
	return "", false
}

// A Result is a whole run.
type Result struct {
	Chapter *chapter.Chapter
	Backend chapter.Backend
	Addr    string        // where the backend listened
	Cells   []*CellResult // one per chapter cell, in order
	Cleaned string        // a real server: what the run removed at its end
	Elapsed time.Duration // from start to finish, build included
}

// Ran counts the cells that ran.
func (r *Result) Ran() int {
	n := 0
	for _, c := range r.Cells {
		if c.Ran {
			n++
		}
	}
	return n
}
