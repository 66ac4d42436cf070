package grade

import (
	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/term"
)

// visible returns a copy of the report for a reader: every text that the
// submission's code, files or folder names could have written (messages,
// what it returned and printed, compiler output quoting its source) with
// control characters shown escaped (term.Visible), so that a report shown
// in a terminal, a feedback file or an autograder's page cannot be
// rewritten by an escape sequence the submission printed.
func (r *Report) visible() *Report {
	v := *r
	v.Package = term.Visible(r.Package)
	if r.Compile != nil {
		v.Compile = visibleCompile(r.Compile)
	}
	v.LeftOut = visibleDiags(r.LeftOut)
	v.Results = make([]Result, len(r.Results))
	for i, res := range r.Results {
		v.Results[i] = visibleResult(res)
	}
	return &v
}

func visibleResult(res Result) Result {
	for _, s := range []*string{&res.Name, &res.Message, &res.Called, &res.Expected, &res.Got, &res.Hint,
		&res.Rule, &res.Why, &res.Where, &res.Output} {
		*s = term.Visible(*s)
	}
	if res.Sent != nil {
		sent := make([]string, len(res.Sent))
		for i, s := range res.Sent {
			sent[i] = term.Visible(s)
		}
		res.Sent = sent
	}
	return res
}

func visibleCompile(ce *build.CompileError) *build.CompileError {
	return &build.CompileError{Diags: visibleDiags(ce.Diags), Output: term.Visible(ce.Output)}
}

func visibleDiags(diags []build.Diagnostic) []build.Diagnostic {
	if diags == nil {
		return nil
	}
	out := make([]build.Diagnostic, len(diags))
	for i, d := range diags {
		d.File, d.Msg = term.Visible(d.File), term.Visible(d.Msg)
		out[i] = d
	}
	return out
}
