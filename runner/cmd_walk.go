package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/kernel/console"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/picture"
	"github.com/redis-notebook/tutorial/runner/redisproxy"
	"github.com/redis-notebook/tutorial/runner/settings"
	"github.com/redis-notebook/tutorial/runner/term"
	"github.com/redis-notebook/tutorial/runner/term/page"
)

func init() {
	register(command{
		name:    "walk",
		args:    "CHAPTER",
		summary: "read a chapter in the terminal, running each cell and showing its output",
		setup:   setupWalk,
	})
}

func setupWalk(fs *flag.FlagSet) func([]string) int {
	run := defineRunFlags(fs, chapterRuns)
	var wf walkFlags
	fs.BoolVar(&wf.step, "step", false, "pause before each cell until Enter, with the program paused; "+
		"at the pause, type a Redis command (LLEN Anagram:aerst) to run it in the chapter's database")
	fs.BoolVar(&run.Keep, "keep", false, "on a real server, leave the keys the walk created (normally removed at the end)")
	fs.BoolVar(&wf.keys, "keys", false, "under each cell, show the keys it created, changed and deleted, with their type and size")
	fs.IntVar(&wf.to, "to", 0, "run up to cell N, then pause before the next one as --step does")
	fs.IntVar(&wf.from, "from", 0, "run the cells before N without showing them, then step from cell N")
	return func(args []string) int {
		if len(args) != 1 {
			fs.Usage()
			return exitBadArgs
		}
		w := &walker{out: os.Stdout, style: term.Detect(os.Stdout), in: bufio.NewReader(os.Stdin), flags: wf}
		return w.run(args[0], *run)
	}
}

// walkFlags are the walk's own flags.
type walkFlags struct {
	step, keys bool
	to, from   int // cell numbers; 0: not given
}

// pauses says whether the walk stops before cell n for the reader.
func (f walkFlags) pauses(n int) bool {
	switch {
	case f.to > 0:
		return n > f.to
	case f.from > 0:
		return n >= f.from
	}
	return f.step
}

// quiet says whether cell n runs without being shown (--from).
func (f walkFlags) quiet(n int) bool { return f.from > 0 && n < f.from }

// walker prints a chapter as it runs: prose, then each cell's code, then
// what the cell printed, then how long it took.
type walker struct {
	out     io.Writer
	style   term.Style
	in      *bufio.Reader
	ch      *chapter.Chapter
	backend chapter.Backend
	printed int  // blocks of ch already printed
	midLine bool // the last output did not end its line
	// vis shows the cells' output with its control characters escaped
	// (term.Visible), on its way to lines.
	vis     *term.VisibleWriter
	look    string // how to look inside the backend meanwhile, for the step prompt
	scripts bool   // --allow-scripts: say that they run unchecked
	flags   walkFlags
	quiet   bool             // the running cell is one --from skips
	console notebook.Console // where the prompt's Redis commands go
	redis   *console.Conn    // open once the reader types one
	// pictures counts each cell's pictures so far, to name their files.
	pictures map[int]int

	ctx   context.Context // ends on Ctrl-C, SIGTERM, SIGHUP
	lines chan string     // lines typed at the step prompt
}

func (w *walker) run(name string, run settings.Run) int {
	root, err := moduleRoot()
	if err != nil {
		return fail(os.Stderr, exitBadArgs, "%v", err)
	}
	path, err := findChapter(root, name)
	if err != nil {
		return fail(os.Stderr, exitBadArgs, "%v", err)
	}
	ch, err := chapter.Load(relToCwd(path))
	if err != nil {
		return fail(os.Stderr, exitBadArgs, "%v", err)
	}
	w.ch = ch
	w.scripts = run.AllowScripts
	cells := len(ch.Cells())
	for _, n := range []struct {
		flag  string
		value int
	}{{"--to", w.flags.to}, {"--from", w.flags.from}} {
		if n.value < 0 || n.value > cells {
			return fail(os.Stderr, exitBadArgs, "%s %d: %s has %s", n.flag, n.value, ch.Path, term.Plural(cells, "cell"))
		}
	}
	if w.flags.to > 0 && w.flags.from > w.flags.to {
		return fail(os.Stderr, exitBadArgs, "--from %d comes after --to %d", w.flags.from, w.flags.to)
	}
	defer func() {
		if w.redis != nil {
			w.redis.Close()
		}
	}()

	ctx, cancel := signal.NotifyContext(context.Background(), stopSignals...)
	defer cancel()
	w.ctx = ctx
	opt := runOptions(root, run)
	opt.Keys = w.flags.keys
	opt.Events = notebook.Events{
		Ready:     w.ready,
		CellStart: w.cellStart,
		Output:    w.output,
		Image:     w.image,
		CellEnd:   w.cellEnd,
		Console:   func(c notebook.Console) { w.console = c },
	}
	if w.flags.step || w.flags.to > 0 || w.flags.from > 0 {
		opt.Step = w.step
	}
	w.backend = run.Backend()
	res, err := notebook.Run(ctx, ch, opt)
	if err != nil {
		status := w.failed(err)
		if res.Cleaned != "" {
			fmt.Fprintln(w.out, w.style.Dim("On the server: "+res.Cleaned+"."))
		}
		return status
	}
	w.printUpTo(len(ch.Blocks))
	summary := fmt.Sprintf("Walked %s: %s in %s", ch.Path, term.Plural(res.Ran(), "cell"), res.Elapsed.Round(time.Millisecond))
	if res.Cleaned != "" {
		summary += "; " + res.Cleaned
	}
	fmt.Fprintln(w.out, w.style.Green(summary))
	return exitOK
}

func (w *walker) ready(backend, addr string) {
	var msg string
	if backend == "miniredis" {
		port := addr[strings.LastIndex(addr, ":")+1:]
		msg = fmt.Sprintf("Redis: an embedded miniredis, also on %s (look in from another terminal: redis-cli -p %s SCAN 0)", addr, port)
		w.look = "redis-cli -p " + port
	} else {
		msg = "Redis: " + addr + ", every command checked by the runner's guard"
		if w.scripts {
			msg += "\n" + w.style.Red("--allow-scripts: scripts run UNCHECKED, and can reach any key of any database")
		}
		w.look = addr
	}
	fmt.Fprintln(w.out, w.style.Dim(msg)+"\n")
}

// printUpTo prints the blocks before index end that are not printed yet.
// Cells that do not run are shown as code, marked as such.
func (w *walker) printUpTo(end int) {
	for ; w.printed < end; w.printed++ {
		b := w.ch.Blocks[w.printed]
		if b.Cell == nil {
			fmt.Fprint(w.out, page.Prose(w.style, b.Prose))
			fmt.Fprintln(w.out)
			continue
		}
		w.printCode(b.Cell)
		if !b.Cell.Runs(w.backend) {
			fmt.Fprintln(w.out, w.style.Dim("    (not run here)")+"\n")
		}
	}
}

func (w *walker) printCode(c *chapter.Cell) {
	header := fmt.Sprintf("── cell %d · %s:%d ", c.Index, w.ch.Path, c.Line)
	fmt.Fprintln(w.out, w.style.Dim(header+strings.Repeat("─", max(0, 60-len([]rune(header))))))
	fmt.Fprint(w.out, page.Code(w.style, c.Code, "    "))
}

// blockOf returns the index of the block holding cell c.
func (w *walker) blockOf(c *chapter.Cell) int {
	for i, b := range w.ch.Blocks {
		if b.Cell == c {
			return i
		}
	}
	return len(w.ch.Blocks)
}

// step asks before cell c runs. It returns false, and no further cell
// runs, on q, at the end of input, or when the walk is stopped (Ctrl-C)
// while it waits.
func (w *walker) step(c *chapter.Cell) bool {
	if !w.flags.pauses(c.Index) {
		return w.ctx.Err() == nil
	}
	w.printUpTo(w.blockOf(c) + 1)
	prompt := fmt.Sprintf("▶ Enter runs cell %d, q quits, or type a Redis command", c.Index)
	if w.look != "" {
		prompt += " · " + w.look // the port scrolled away with the chapter's first page
	}
	if w.lines == nil {
		w.lines = make(chan string)
		go func() {
			defer close(w.lines)
			for {
				line, err := w.in.ReadString('\n')
				if err != nil {
					return
				}
				w.lines <- line
			}
		}()
	}
	for {
		fmt.Fprint(w.out, w.style.Bold(prompt+": "))
		select {
		case <-w.ctx.Done():
			fmt.Fprintln(w.out)
			return false
		case line, ok := <-w.lines:
			if !ok {
				return false
			}
			switch line = strings.TrimSpace(line); line {
			case "":
				return true
			case "q", "quit":
				return false
			}
			w.redisCommand(line)
		}
	}
}

// redisCommand runs a line typed at the step prompt as a Redis command in
// the chapter's database, while its program waits, and shows the reply
// as redis-cli does. On a real server it goes through the runner's guard,
// like the chapter's own commands.
func (w *walker) redisCommand(line string) {
	args, err := console.Split(line)
	if err != nil || len(args) == 0 {
		fmt.Fprintln(w.out, w.style.Red(fmt.Sprintf("  %v", err)))
		return
	}
	if redisproxy.Lookup([][]byte{[]byte(args[0])}) == nil {
		fmt.Fprintln(w.out, w.style.Dim(fmt.Sprintf("  %q is not a Redis command: Enter runs the next cell, q quits", args[0])))
		return
	}
	if w.redis == nil {
		if err := w.dialConsole(); err != nil {
			fmt.Fprintln(w.out, w.style.Red("  cannot reach the chapter's Redis: "+err.Error()))
			return
		}
	}
	reply, err := w.redis.Do(args)
	if err != nil {
		w.redis.Close()
		w.redis = nil
		fmt.Fprintln(w.out, w.style.Red("  "+err.Error()))
		return
	}
	for _, l := range strings.Split(reply, "\n") {
		fmt.Fprintln(w.out, "  "+l)
	}
}

func (w *walker) dialConsole() error {
	if w.console.Addr == "" {
		return errors.New("the program has not said where it is yet")
	}
	nc, err := net.DialTimeout(w.console.Network, w.console.Addr, 2*time.Second)
	if err != nil {
		return err
	}
	c := console.New(nc)
	if w.console.DB != 0 {
		if _, err := c.Do([]string{"SELECT", strconv.Itoa(w.console.DB)}); err != nil {
			c.Close()
			return err
		}
	}
	w.redis = c
	return nil
}

func (w *walker) cellStart(c *chapter.Cell) {
	w.quiet = w.flags.quiet(c.Index)
	if w.quiet {
		w.printed = w.blockOf(c) + 1 // not shown: the walk resumes after it
		return
	}
	w.printUpTo(w.blockOf(c) + 1)
	w.midLine = false
}

func (w *walker) output(c *chapter.Cell, b []byte) {
	if w.quiet {
		return
	}
	if w.vis == nil {
		w.vis = &term.VisibleWriter{W: writerFunc(w.printLines)}
	}
	w.vis.Write(b)
}

// image saves a picture a cell displayed (see imagePath) and prints its
// line, what it shows and where it is, in its place among the cell's
// output: a terminal shows no pictures.
func (w *walker) image(c *chapter.Cell, img *notebook.Image) {
	if w.quiet {
		return
	}
	if w.vis != nil {
		w.vis.Flush()
	}
	if w.midLine {
		fmt.Fprintln(w.out)
		w.midLine = false
	}
	if w.pictures == nil {
		w.pictures = map[int]int{}
	}
	w.pictures[c.Index]++
	path := imagePath(w.ch.Path, c.Index, w.pictures[c.Index], img.Type)
	where := path
	err := os.MkdirAll(filepath.Dir(path), 0o755)
	if err == nil {
		err = build.WriteFile(path, img.Data)
	}
	if err != nil {
		where = "not saved: " + err.Error()
	}
	fmt.Fprintln(w.out, w.style.Dim("  │ ")+term.Visible(img.Line()+": "+where))
	fmt.Fprintln(w.out, w.style.Dim("  │   ")+w.style.Dim(term.Visible(img.Alt)))
}

// imagePath is where a walk saves a cell's picture: in the runner's cache
// (build.CacheDir), a folder per chapter, a file per cell (and picture,
// from a cell's second on), the same every walk, so that a viewer left
// open shows the new one.
func imagePath(chapterPath string, cell, nth int, mediaType string) string {
	name := strings.TrimSuffix(filepath.Base(chapterPath), ".md")
	ext := picture.Ext(mediaType)
	if ext == "" {
		ext = ".bin"
	}
	file := fmt.Sprintf("cell-%d%s", cell, ext)
	if nth > 1 {
		file = fmt.Sprintf("cell-%d-%d%s", cell, nth, ext)
	}
	return filepath.Join(build.CacheDir(), "images", name, file)
}

// writerFunc is a function as an io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// printLines prints a cell's output, already escaped, each line after the
// margin.
func (w *walker) printLines(b []byte) (int, error) {
	text := string(b)
	var out strings.Builder
	for len(text) > 0 {
		if !w.midLine {
			out.WriteString(w.style.Dim("  │ "))
		}
		line, rest, found := strings.Cut(text, "\n")
		out.WriteString(line)
		if found {
			out.WriteString("\n")
		}
		w.midLine = !found
		text = rest
	}
	fmt.Fprint(w.out, out.String())
	return len(b), nil
}

func (w *walker) cellEnd(r *notebook.CellResult) {
	if w.quiet {
		if r.Cell.Index == w.flags.from-1 {
			fmt.Fprintln(w.out, w.style.Dim(fmt.Sprintf("(ran cells 1–%d without showing them)", r.Cell.Index))+"\n")
		}
		return
	}
	if w.vis != nil {
		w.vis.Flush() // a character the cell's output ended inside
	}
	if w.midLine {
		fmt.Fprintln(w.out)
		w.midLine = false
	}
	if r.Dropped > 0 {
		fmt.Fprintln(w.out, w.style.Dim(fmt.Sprintf("  │ … and %s more, not shown or kept (a cell keeps its first %d MiB)",
			term.Plural(r.Dropped, "byte"), notebook.MaxCellOutput>>20)))
	}
	if w.flags.keys {
		for _, l := range notebook.KeyLines(r.Keys) {
			fmt.Fprintln(w.out, w.style.Dim("  "+l))
		}
	}
	done := "  ↳ " + formatElapsed(r.Elapsed)
	if sent := r.Sent(); sent != "" {
		done += " · " + sent
	}
	fmt.Fprintln(w.out, w.style.Dim(done)+"\n")
}

func formatElapsed(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(10 * time.Millisecond).String()
	}
}

// failed reports why the walk stopped, after the cell's code and whatever
// it printed, and returns the exit status.
func (w *walker) failed(err error) int {
	if w.vis != nil {
		w.vis.Flush()
	}
	if w.midLine {
		fmt.Fprintln(w.out)
	}
	if errors.Is(err, notebook.ErrStopped) || errors.Is(err, context.Canceled) {
		fmt.Fprintln(w.out, w.style.Dim("\nStopped."))
		return exitFailed
	}
	return reportRunError(os.Stderr, w.style, err)
}
