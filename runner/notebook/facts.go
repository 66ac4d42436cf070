package notebook

import (
	"fmt"
	"strings"

	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
	"github.com/redis-notebook/tutorial/runner/term"
)

// Sent says what a cell sent to Redis, "3 commands in 1 round trip", or
// "" for a cell that sent nothing. The walk shows it after the cell's
// time, and the site under its output.
func (r *CellResult) Sent() string {
	if r.Commands == 0 {
		return ""
	}
	return fmt.Sprintf("%s in %s", term.Plural(r.Commands, "command"), term.Plural(r.Trips, "round trip"))
}

// KeyLines shows the keys a cell created (+), changed (~) and deleted
// (-): a few of each with their type and size, and how many more.
func KeyLines(k *protocol.KeyChanges) []string {
	if k == nil {
		return nil
	}
	var lines []string
	for _, kind := range []struct {
		mark string
		keys []protocol.Key
		n    int
	}{{"+", k.Created, k.CreatedN}, {"~", k.Changed, k.ChangedN}, {"-", k.Deleted, k.DeletedN}} {
		if kind.n == 0 {
			continue
		}
		var parts []string
		for _, key := range kind.keys {
			parts = append(parts, describeKey(key, kind.mark == "-"))
		}
		line := kind.mark + " " + strings.Join(parts, ", ")
		if more := kind.n - len(kind.keys); more > 0 {
			line += fmt.Sprintf(", and %d more", more)
		}
		lines = append(lines, line)
	}
	return lines
}

// sizeUnits name what a key's size counts, by type.
var sizeUnits = map[string]string{"string": "byte", "list": "element", "hash": "field", "set": "member", "zset": "member", "stream": "message"}

func describeKey(k protocol.Key, deleted bool) string {
	unit := sizeUnits[k.Type]
	if deleted || unit == "" {
		return fmt.Sprintf("%s (%s)", k.Name, k.Type)
	}
	return fmt.Sprintf("%s (%s, %s)", k.Name, k.Type, term.Plural(int(k.Size), unit))
}
