package grade

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/redis-notebook/tutorial/runner/term"
)

// WriteGradebook writes the class as a gradebook: a row per submission
// with its total and its points for each exercise, a column each. It is
// the wide shape that Canvas, Moodle and Google Classroom import (each
// asks which column is the student and which the grades), where
// WriteCSV's long one, a row per submission and exercise, suits a
// spreadsheet's filters and a script.
func (c *Class) WriteGradebook(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"student", "total"}
	for _, e := range c.Exercises {
		header = append(header, fmt.Sprintf("%d %s", e.ID, e.Name))
	}
	cw.Write(header)
	for _, s := range c.Submissions {
		row := []string{term.Visible(s.Name), strconv.Itoa(s.Points())}
		for _, r := range s.rows(c.Exercises) {
			row = append(row, strconv.Itoa(r.Points))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
