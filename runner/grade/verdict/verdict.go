// Package verdict is what a grading harness reports for one exercise. It
// has no dependencies, so that the runner, which reads these results, does
// not link the Redis clients that only the harness needs.
package verdict

import (
	"encoding/json"
	"time"
)

// Status is an exercise's verdict.
type Status string

const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	NotDone Status = "not done" // every function still returns its stub's error
	// Error means the exercise could not be graded at all (Redis
	// unreachable, a harness that would not start): nothing the learner
	// did.
	Error Status = "error"
)

// NotDonePrefix starts the error that every stub returns until the learner
// writes it.
const NotDonePrefix = "not done yet"

// A Result is what one exercise's run found. The harness writes it as JSON
// for the grader.
type Result struct {
	Exercise int    `json:"exercise"`
	Status   Status `json:"status"`
	// Message says in one line what went wrong: for lists of results
	// and CSV files.
	Message string `json:"message,omitempty"`
	// Called is the learner's call that went wrong, written as Go.
	Called   string `json:"called,omitempty"`
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
	// Hint says what to try, specific to this failure.
	Hint string `json:"hint,omitempty"`
	// Rule and Why are set when results were right but the way Redis
	// was used was not: the rule broken, and why it matters on a real
	// server. Sent lists the offending commands.
	Rule string   `json:"rule,omitempty"`
	Why  string   `json:"why,omitempty"`
	Sent []string `json:"sent,omitempty"`
	// Where is the learner's source line where a panic happened.
	Where string `json:"where,omitempty"`
	// Output is what the learner's code printed while it ran.
	Output   string        `json:"output,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	// Busy marks an Error of the grader's own: the machine gave the
	// exercise too little time to grade it. Grading it again may work.
	Busy bool `json:"busy,omitempty"`
}

// Encode returns r as one line of JSON.
func (r Result) Encode() []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // a Result holds only strings and numbers
	}
	return append(b, '\n')
}
