package grade

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// controls are characters that a terminal acts on: none may reach a
// report from a submission.
const controls = "\x1b\r\x07\u009b"

// TestEscapeSequencesShownEscaped grades a submission that prints escape
// sequences and returns them in its errors, from a folder whose name holds
// one too, and a file whose compile error quotes one: check's report,
// check --dir's, the feedback file, Gradescope's output, the class's CSV
// and summary all show them escaped, never raw.
func TestEscapeSequencesShownEscaped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := txtar.ParseFile("testdata/escapes.txtar")
	if err != nil {
		t.Fatal(err)
	}
	name := "mallory\x1b[2J"
	submission(t, dir, name, "solutions", a.Files)
	rep := check(t, filepath.Join(dir, name, "redisbasics"), manifest.Exercises[:2], options())
	if rep.Results[0].Output == "" || !strings.Contains(rep.Results[0].Output, "\x1b[2J") {
		t.Fatalf("exercise 1 printed %q; the test needs its raw escapes in the result", rep.Results[0].Output)
	}

	var md, gs, csvOut, summary bytes.Buffer
	out := text(rep)
	rep.WriteMarkdown(&md, "Feedback for "+name)
	if err := rep.WriteGradescope(&gs); err != nil {
		t.Fatal(err)
	}
	class := &Class{Exercises: manifest.Exercises[:2], Submissions: []*Submission{
		{Name: name, Report: rep},
		{Name: "trudy\x1b]52;c;eA==\x07", Err: errors.New("no Go files in \x1b[2J")},
	}}
	class.WriteCSV(&csvOut)
	class.WriteSummary(&summary)
	for what, s := range map[string]string{
		"check": out, "feedback": md.String(), "gradescope": gs.String(), "csv": csvOut.String(), "summary": summary.String(),
	} {
		if i := strings.IndexAny(s, controls); i >= 0 {
			t.Errorf("%s holds a raw control character at %d:\n%q", what, i, s)
		}
	}
	for what, s := range map[string]string{"check": out, "feedback": md.String()} {
		if !strings.Contains(s, `\x1b[2J`) || !strings.Contains(s, `\x1b]52;c;`) {
			t.Errorf("%s does not show the escapes as text:\n%s", what, s)
		}
	}
	if !strings.Contains(out, `\r✓ passed`) {
		t.Errorf("check does not show what the code printed, escaped:\n%s", out)
	}
	if !strings.Contains(csvOut.String(), `mallory\x1b[2J`) || !strings.Contains(summary.String(), `trudy\x1b]52`) {
		t.Errorf("the class's names are not shown escaped:\ncsv:\n%s\nsummary:\n%s", &csvOut, &summary)
	}
}
