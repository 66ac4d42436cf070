package kernel

import (
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Format renders a value the way a cell's display shows it: a go-redis
// command as redis-cli-like text ("get key: value"), strings and bytes
// quoted so that "5" and 5 look different, errors as such, anything else
// as fmt's %v.
func Format(v any) string {
	switch v := v.(type) {
	case nil:
		return "<nil>"
	case redis.Cmder:
		return v.String()
	case error:
		return "error: " + v.Error()
	case string:
		return fmt.Sprintf("%q", v)
	case []byte:
		return fmt.Sprintf("[]byte(%q)", v)
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprintf("%v", v)
	}
}
