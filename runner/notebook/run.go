package notebook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
	"github.com/redis-notebook/tutorial/runner/paths"
	"github.com/redis-notebook/tutorial/runner/program"
	"github.com/redis-notebook/tutorial/runner/redisproxy"
)

// ErrStopped is returned when Options.Step asked to stop before a cell.
var ErrStopped = errors.New("stopped before the next cell")

// A CellError is a cell that failed while running: it panicked, ran past
// the time limit, or ended the program.
type CellError struct {
	Path  string
	Cell  *chapter.Cell
	Line  int    // the chapter line where it failed, or the cell's first line
	What  string // "panicked", "ran past the 10s limit and was stopped", ...
	Msg   string
	Stack string // for a panic, with chapter positions
}

func (e *CellError) Error() string {
	msg := fmt.Sprintf("%s:%d: cell %d %s", e.Path, e.Line, e.Cell.Index, e.What)
	if e.Msg != "" {
		msg += ": " + e.Msg
	}
	return msg
}

// A BackendError means the program could not use Redis: unreachable, a bad
// URL, or a database that holds somebody's keys.
type BackendError struct{ Msg string }

func (e *BackendError) Error() string { return e.Msg }

// Run generates, builds and runs the chapter. The Result holds whatever
// ran, also when err is not nil.
func Run(ctx context.Context, ch *chapter.Chapter, opt Options) (*Result, error) {
	start := time.Now()
	res := &Result{Chapter: ch, Backend: opt.Backend()}
	for _, c := range ch.Cells() {
		res.Cells = append(res.Cells, &CellResult{Cell: c})
	}
	defer func() { res.Elapsed = time.Since(start) }()
	bin, err := Executable(ctx, ch, opt)
	if err != nil {
		return res, err
	}
	return res, execute(ctx, bin, ch, res, opt)
}

// Executable returns the path of the chapter's program for the options'
// backend, generated and compiled (cached). Compile errors come back as a
// *build.CompileError whose positions are in the chapter.
func Executable(ctx context.Context, ch *chapter.Chapter, opt Options) (string, error) {
	bin, _, err := compileProgram(ctx, ch, opt.Root, opt.Backend(), opt.Progress)
	return bin, err
}

// NoDisplay returns the cells, among those that run on backend, whose
// final expression has no value (rdb.AddHook(h)), so cannot be displayed.
// Only the compiler can tell: it builds the chapter's program for the
// runner (cached) to find out. root is the module root.
func NoDisplay(ctx context.Context, ch *chapter.Chapter, root string, backend chapter.Backend, progress build.Progress) (map[int]bool, error) {
	_, noDisplay, err := compileProgram(ctx, ch, root, backend, progress)
	return noDisplay, err
}

func compileProgram(ctx context.Context, ch *chapter.Chapter, root string, backend chapter.Backend, progress build.Progress) (string, map[int]bool, error) {
	abs, err := filepath.Abs(ch.Path)
	if err != nil {
		return "", nil, err
	}
	generate := func(noDisplay map[int]bool) (*program.Program, build.Request, error) {
		prog, err := program.Generate(ch, program.Options{
			Mode: program.Kernel, Backend: backend, LinePath: abs, NoDisplay: noDisplay,
		})
		if err != nil {
			return nil, build.Request{}, err
		}
		return prog, build.Request{
			Root:  root,
			Name:  "chapter-" + safeName(ch.Path),
			Files: map[string][]byte{"main.go": prog.Source},
		}, nil
	}
	prog, req, err := generate(nil)
	if err != nil {
		return "", nil, err
	}
	// A build that fails is not cached: without this note of the cells
	// found to have no value, every walk would compile the failing
	// program again first, seconds on a cold build cache.
	memo := noValueMemo{name: req.Name}
	if key, err := build.Key(req); err == nil {
		memo.key = key
	}
	noDisplay := memo.recall()
	if len(noDisplay) > 0 {
		if prog, req, err = generate(noDisplay); err != nil {
			return "", nil, err
		}
	}
	for {
		bin, err := build.Compile(ctx, req, progress)
		var ce *build.CompileError
		if !errors.As(err, &ce) {
			if err == nil && len(noDisplay) > 0 {
				memo.keep(noDisplay)
			}
			return bin, noDisplay, err
		}
		// A displayed expression that turned out to have no value (a call
		// of a function with no results) is only known to the compiler:
		// stop displaying it and build again.
		// The go command prints positions relative to the folder it ran
		// in, however roundabout ("../redis-tutorial/chapters/..."), and
		// writes that folder as "." even inside a longer name (a chapter
		// in ~/course-notes, built in ~/course, reads ".-notes/…"):
		// resolve each path a name may stand for before matching.
		inChapter := make([]bool, len(ce.Diags))
		for i, d := range ce.Diags {
			for _, f := range paths.GoCommandCandidates(root, d.File) {
				inChapter[i] = inChapter[i] || samePath(f, abs)
			}
		}
		retry := false
		for cell, line := range prog.Displays {
			for i, d := range ce.Diags {
				if inChapter[i] && d.Line == line && strings.Contains(d.Msg, "used as value") && !noDisplay[cell] {
					if noDisplay == nil {
						noDisplay = map[int]bool{}
					}
					noDisplay[cell], retry = true, true
				}
			}
		}
		if !retry {
			for i := range ce.Diags {
				if inChapter[i] {
					ce.Diags[i].File = ch.Path
				}
			}
			return "", nil, ce
		}
		if prog, req, err = generate(noDisplay); err != nil {
			return "", nil, err
		}
	}
}

// noValueMemo keeps, in the build cache, which cells of a chapter program
// have a final expression with no value, under the build key of the
// program that displays them all: the same key means the same code, with
// the same types.
type noValueMemo struct{ name, key string }

func (m noValueMemo) path() string {
	return filepath.Join(build.CacheDir(), "no-value", m.name+"-"+m.key[:32])
}

func (m noValueMemo) recall() map[int]bool {
	if m.key == "" {
		return nil
	}
	data, err := os.ReadFile(m.path())
	if err != nil {
		return nil
	}
	cells := map[int]bool{}
	for _, f := range strings.Fields(string(data)) {
		if n, err := strconv.Atoi(f); err == nil {
			cells[n] = true
		}
	}
	return cells
}

// keep writes the note, and removes the oldest notes of the same program
// name beyond a few (older versions of the chapter).
func (m noValueMemo) keep(cells map[int]bool) {
	if m.key == "" {
		return
	}
	var text strings.Builder
	for _, n := range slices.Sorted(maps.Keys(cells)) {
		fmt.Fprintln(&text, n)
	}
	path := m.path()
	if os.MkdirAll(filepath.Dir(path), 0o755) != nil {
		return
	}
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	if os.WriteFile(tmp, []byte(text.String()), 0o644) != nil || os.Rename(tmp, path) != nil {
		os.Remove(tmp)
		return
	}
	notes, _ := filepath.Glob(filepath.Join(filepath.Dir(path), m.name+"-*"))
	slices.SortFunc(notes, func(a, b string) int { return modTime(b).Compare(modTime(a)) })
	for _, old := range notes[min(len(notes), 8):] {
		os.Remove(old)
	}
}

func modTime(path string) time.Time {
	st, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

// samePath reports whether a and b name the same file, through symbolic
// links and whatever spelling.
func samePath(a, b string) bool {
	if a == b {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

func safeName(path string) string {
	return unsafeChars.ReplaceAllString(strings.TrimSuffix(filepath.Base(path), ".md"), "_")
}

// item is what the reader goroutine hands the run loop: output or an event.
type item struct {
	text  []byte
	event *protocol.Event
}

// LeftoverDir is where a run on a real server keeps the record of the keys
// it writes, for the next run to name if this one is killed before it
// can clean up (redisproxy.Config.LeftoverDir).
func LeftoverDir() string { return filepath.Join(build.CacheDir(), "leftovers") }

// execute runs a built chapter program and sorts its output into cells.
//
// On a real server the program reaches Redis only through the runner's
// guarding proxy, and the proxy deletes the run's keys once the program
// has ended, by whatever path. The program runs in a process group of its
// own, which is killed whole on every way out, so that nothing a cell
// started outlives the run or holds its output open.
func execute(ctx context.Context, bin string, ch *chapter.Chapter, res *Result, opt Options) (err error) {
	abs, _ := filepath.Abs(ch.Path)
	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(abs) // cells open files next to their chapter
	cmd.SysProcAttr = procAttr()
	redisURL, where := opt.RedisURL, ""
	var console Console
	var guardEnv []string
	if opt.RedisURL != "" {
		t, err := probeServer(ctx, bin, cmd.Dir, opt)
		if err != nil {
			return err
		}
		px, err := redisproxy.Start(redisproxy.Config{
			URL:            t.url,
			AllowDirty:     opt.AllowDirty,
			AllowScripts:   opt.AllowScripts,
			Keep:           opt.Keep,
			CleanLeftovers: opt.CleanLeftovers,
			Label:          ch.Path,
			LeftoverDir:    LeftoverDir(),
		})
		if err != nil {
			return &BackendError{Msg: err.Error()}
		}
		// Deferred first, so it runs last: after the program has ended.
		defer func() {
			notes := append(px.Notes(), px.Close())
			res.Cleaned = strings.Trim(strings.Join(notes, "; "), "; ")
		}()
		// The program dials the server itself, every connection guarded
		// in its own process, and appends to the proxy's record, from
		// which the proxy cleans up once the program has ended.
		redisURL, where = t.url, t.where
		guardEnv = []string{
			protocol.EnvRecord + "=" + px.RecordPath(),
			protocol.EnvExisting + "=" + px.ExistingPath(),
			protocol.EnvScripts + "=" + flag01(opt.AllowScripts),
		}
		console = Console{Network: "unix", Addr: strings.TrimPrefix(strings.SplitN(px.URL(), "?", 2)[0], "unix://"), DB: px.DB()}
	}
	cmd.Env = append(os.Environ(),
		protocol.EnvRedisURL+"="+redisURL,
		protocol.EnvGuarded+"="+flag01(redisURL != ""),
		protocol.EnvStep+"="+flag01(opt.Step != nil),
		protocol.EnvAllowDirty+"=0",
		protocol.EnvKeep+"=0",
		protocol.EnvKeys+"="+flag01(opt.Keys),
	)
	cmd.Env = append(cmd.Env, guardEnv...)
	token, tokenR, err := giveToken(cmd)
	if err != nil {
		return err
	}
	defer tokenR.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	// One pipe for both streams keeps a panic's trace in order with the
	// output that came before it.
	cmd.Stdout, cmd.Stderr = pw, pw
	var stdin io.WriteCloser
	if opt.Step != nil {
		if stdin, err = cmd.StdinPipe(); err != nil {
			return err
		}
	}
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return fmt.Errorf("starting the chapter program: %w", err)
	}
	pw.Close()
	tokenR.Close()
	items := make(chan item, 64)
	go readStream(pr, items, []byte(protocol.MarkFor(token)))
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()

	r := &runState{ch: ch, res: res, opt: opt, cmd: cmd, abs: abs, where: where, console: console, exited: exited, out: pr}
	err = r.loop(ctx, items, stdin)
	r.killGroup()
	if stdin != nil {
		stdin.Close()
	}
	<-exited
	r.closeOutputSoon()
	for range items { // drain, so the reader ends
	}
	if err != nil {
		return err
	}
	if !r.done {
		return r.crashed(waitErr)
	}
	return r.unfinished()
}

// unfinished fails a run that said it was done while a cell that should
// have run never reported its end, naming the first: whatever a cell
// printed, the chapter's own list of cells decides what a whole run is.
func (r *runState) unfinished() error {
	for _, c := range r.res.Cells {
		if !c.Cell.Runs(r.res.Backend) || c.ended {
			continue
		}
		what := "never ran"
		if c.Ran {
			what = "did not report its end"
		}
		return &CellError{Path: r.ch.Path, Cell: c.Cell, Line: c.Cell.Line,
			What: what + ", yet the program said every cell had run (did a cell print the runner's events, or end the program?)"}
	}
	return nil
}

// giveToken makes the run's token and hands it to cmd on a pipe of its
// own (protocol.EventsFD), never in its environment or arguments, where a
// cell could read it. It returns the token and the pipe's read end, for
// the caller to close once the program has started.
func giveToken(cmd *exec.Cmd) (string, *os.File, error) {
	token := protocol.NewToken()
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	_, err = io.WriteString(w, token+"\n") // far below a pipe's buffer: never blocks
	w.Close()
	if err != nil {
		r.Close()
		return "", nil, err
	}
	if len(cmd.ExtraFiles) != protocol.EventsFD-3 {
		r.Close()
		return "", nil, fmt.Errorf("the events token must be the program's descriptor %d", protocol.EventsFD)
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, r)
	cmd.Env = append(cmd.Env, protocol.EnvEvents+"=1")
	return token, r, nil
}

func flag01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// readStream splits the program's output at the run's event marks.
func readStream(r io.ReadCloser, items chan<- item, mark []byte) {
	defer close(items)
	defer r.Close()
	var pending []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		pending = append(pending, buf[:n]...)
		for {
			i := bytes.Index(pending, mark)
			if i < 0 {
				// Keep a possible partial mark at the end for the next read.
				keep := partialMark(pending, mark)
				if len(pending)-keep > 0 {
					items <- item{text: bytes.Clone(pending[:len(pending)-keep])}
				}
				pending = pending[len(pending)-keep:]
				break
			}
			if i > 0 {
				items <- item{text: bytes.Clone(pending[:i])}
			}
			nl := bytes.IndexByte(pending[i:], '\n')
			if nl < 0 {
				pending = pending[i:] // the rest of the event is still coming
				break
			}
			line := pending[i+len(mark) : i+nl]
			if ev, err := protocol.Decode(line); err == nil {
				items <- item{event: &ev}
			}
			pending = pending[i+nl+1:]
		}
		if err != nil {
			if len(pending) > 0 {
				items <- item{text: pending}
			}
			return
		}
	}
}

// MaxCellOutput is how much of one cell's output a run keeps (and shows);
// the rest is counted in CellResult.Dropped.
const MaxCellOutput = 1 << 20

// runState follows one run of a chapter program.
type runState struct {
	ch      *chapter.Chapter
	res     *Result
	opt     Options
	cmd     *exec.Cmd
	abs     string
	where   string      // a real server: which one, for Ready
	console Console     // a real server: the proxy, for Events.Console
	cell    *CellResult // the cell running now
	done    bool        // the program said every cell ran
	fail    string      // the program could not start
	tail    bytes.Buffer

	deadline <-chan time.Time // the running cell's time limit
	exited   chan struct{}    // closed once the program has exited
	out      *os.File         // the read end of the program's output
	closing  sync.Once
}

func (r *runState) loop(ctx context.Context, items <-chan item, stdin io.Writer) error {
	exited := r.exited
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			// Whatever the program started may still hold its output
			// open: end them, and stop waiting for output soon.
			exited = nil
			r.killGroup()
			r.closeOutputSoon()
		case <-r.deadline:
			// The program measures a cell's time itself; an end already
			// queued behind output the runner was slow to print is in time.
			cell := r.cell
			for drained := false; !drained; {
				select {
				case it, ok := <-items:
					if stop, err := r.handle(it, ok, stdin); stop {
						return err
					}
				default:
					drained = true
				}
			}
			if cell != nil && r.cell == cell {
				return &CellError{Path: r.ch.Path, Cell: cell.Cell, Line: cell.Cell.Line,
					What: fmt.Sprintf("ran past the %s limit and was stopped", r.limit(cell.Cell))}
			}
		case it, ok := <-items:
			if stop, err := r.handle(it, ok, stdin); stop {
				return err
			}
		}
	}
}

// handle takes one item from the program; stop says the loop is over.
func (r *runState) handle(it item, ok bool, stdin io.Writer) (stop bool, err error) {
	if !ok {
		if r.fail != "" {
			return true, &BackendError{Msg: r.fail}
		}
		return true, nil
	}
	if it.event == nil {
		r.output(it.text)
		return false, nil
	}
	ev := it.event
	switch ev.Kind {
	case protocol.Ready:
		addr := ev.Addr
		if r.where != "" {
			addr = r.where
		}
		r.res.Addr = addr
		if f := r.opt.Events.Ready; f != nil {
			f(ev.Backend, addr)
		}
		if f := r.opt.Events.Console; f != nil {
			if r.console.Addr == "" {
				r.console = Console{Network: "tcp", Addr: ev.Addr}
			}
			f(r.console)
		}
	case protocol.Wait:
		c := r.cellResult(ev.Cell)
		if c == nil || !r.opt.Step(c.Cell) {
			return true, ErrStopped
		}
		if _, err := io.WriteString(stdin, "\n"); err != nil {
			return true, fmt.Errorf("resuming the chapter program: %w", err)
		}
	case protocol.Begin:
		r.cell = r.cellResult(ev.Cell)
		if r.cell == nil {
			return true, fmt.Errorf("chapter program reported unknown cell %d", ev.Cell)
		}
		r.cell.Ran = true
		if f := r.opt.Events.CellStart; f != nil {
			f(r.cell.Cell)
		}
		// After the callback: printing the prose before a cell is not
		// the cell's time.
		r.deadline = time.After(r.limit(r.cell.Cell))
	case protocol.End:
		if c := r.cellResult(ev.Cell); c != nil {
			c.ended = true
			c.Elapsed, c.Commands, c.Trips, c.Keys = ev.Elapsed, ev.Commands, ev.Trips, ev.Keys
			if f := r.opt.Events.CellEnd; f != nil {
				f(c)
			}
		}
		r.cell, r.deadline = nil, nil
	case protocol.Image:
		// A picture belongs to the cell running now; one sent between
		// cells, by a goroutine a cell left behind, to none.
		if c := r.cellResult(ev.Cell); c != nil && c == r.cell {
			img := NewImage(ev.Type, ev.Data, ev.Message)
			c.AddImage(img)
			if f := r.opt.Events.Image; f != nil {
				f(c.Cell, img)
			}
		}
	case protocol.Panic:
		return true, r.panicked(ev)
	case protocol.Fail:
		r.fail = ev.Message
	case protocol.Cleaned:
		r.res.Cleaned = ev.Message
	case protocol.Done:
		r.done = true
	}
	return false, nil
}

// killGroup ends the program and every process its cells started. The
// cleanup lives in the runner, but a program killed between sending a
// command and reading its reply leaves the key it may have created with no
// known owner, never to be deleted: so a live program is first asked to
// stop (SIGTERM: its guard sends nothing more and waits for the replies in
// flight), for a moment, before the whole group is killed.
func (r *runState) killGroup() {
	select {
	case <-r.exited:
	default:
		if r.cmd.Process.Signal(syscall.SIGTERM) == nil {
			select {
			case <-r.exited:
			case <-time.After(time.Second):
			}
		}
	}
	killGroup(r.cmd.Process)
}

// closeOutputSoon stops reading the program's output shortly after it has
// ended: a process that left the group may still hold the pipe open.
func (r *runState) closeOutputSoon() {
	r.closing.Do(func() {
		time.AfterFunc(time.Second, func() { r.out.Close() })
	})
}

// limit is how long cell c may run: its own timeout= option, or the
// runner's.
func (r *runState) limit(c *chapter.Cell) time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return r.opt.TimeLimit()
}

func (r *runState) cellResult(n int) *CellResult {
	if n < 1 || n > len(r.res.Cells) {
		return nil
	}
	return r.res.Cells[n-1]
}

func (r *runState) output(b []byte) {
	if r.cell == nil {
		if r.tail.Len() < MaxCellOutput {
			r.tail.Write(b) // a crash's trace after the last cell, or noise
		}
		return
	}
	if room := MaxCellOutput - len(r.cell.Output); len(b) > room {
		r.cell.Dropped += len(b) - max(room, 0)
		b = b[:max(room, 0)]
	}
	if len(b) == 0 {
		return
	}
	r.cell.Output += string(b)
	if f := r.opt.Events.Output; f != nil {
		f(r.cell.Cell, b)
	}
}

func (r *runState) panicked(ev *protocol.Event) error {
	c := r.cellResult(ev.Cell)
	if c == nil {
		return fmt.Errorf("the chapter program panicked before its first cell: %s", ev.Message)
	}
	return &CellError{Path: r.ch.Path, Cell: c.Cell, Line: r.chapterLine(ev.Stack, c.Cell),
		What: "panicked", Msg: ev.Message, Stack: r.relativeStack(ev.Stack)}
}

// crashed explains a program that ended without saying it was done: a
// panic in another goroutine, os.Exit in a cell, a fatal runtime error.
func (r *runState) crashed(waitErr error) error {
	if r.fail != "" {
		return &BackendError{Msg: r.fail}
	}
	if r.cell == nil {
		return fmt.Errorf("the chapter program ended unexpectedly (%v): %s", waitErr, strings.TrimSpace(r.tail.String()))
	}
	what := "ended the program"
	if waitErr != nil {
		what += " (" + waitErr.Error() + ")"
	}
	return &CellError{Path: r.ch.Path, Cell: r.cell.Cell, Line: r.chapterLine(r.cell.Output, r.cell.Cell), What: what}
}

// chapterLine finds the first position in the chapter that a stack trace
// names: the innermost frame of the chapter's own code.
func (r *runState) chapterLine(stack string, c *chapter.Cell) int {
	re := regexp.MustCompile(regexp.QuoteMeta(r.abs) + `:(\d+)`)
	if m := re.FindStringSubmatch(stack); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return c.Line
}

// relativeStack keeps the frames of a panic's stack that matter to the
// learner, those below the panic call itself, with chapter paths as given.
func (r *runState) relativeStack(stack string) string {
	lines := strings.Split(stack, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") && i+2 <= len(lines) {
			lines = append(lines[:1:1], lines[i+2:]...)
			break
		}
	}
	return strings.ReplaceAll(strings.Join(lines, "\n"), r.abs, r.ch.Path)
}

// partialMark is how many bytes at the end of b could begin mark.
func partialMark(b, mark []byte) int {
	for n := min(len(b), len(mark)-1); n > 0; n-- {
		if bytes.Equal(b[len(b)-n:], mark[:n]) {
			return n
		}
	}
	return 0
}
