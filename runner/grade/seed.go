package grade

import (
	"fmt"
	"math/rand/v2"
)

// NewSeed picks a seed for the generated cases: short enough to type
// back (check --seed N), never 0, which means "pick one".
func NewSeed() uint64 { return 1 + rand.Uint64N(999_999_999) }

// seedLine says which seed made the cases, and how to grade on the same
// ones again: command (the check command, with the exercise when there is
// one), or none for a report read elsewhere.
func seedLine(seed uint64, command string) string {
	if command == "" {
		return fmt.Sprintf("cases from seed %d", seed)
	}
	return fmt.Sprintf("cases from seed %d; the same cases again:\n  %s", seed, command)
}
