package kernel

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestFormat(t *testing.T) {
	cmd := redis.NewStringCmd(context.Background(), "get", "key")
	cmd.SetVal("value")
	for _, tt := range []struct {
		v    any
		want string
	}{
		{cmd, "get key: value"},
		{"5", `"5"`},
		{5, "5"},
		{[]byte("[1,2]"), `[]byte("[1,2]")`},
		{errors.New("boom"), "error: boom"},
		{nil, "<nil>"},
		{map[string]int{"b": 2, "a": 1}, "map[a:1 b:2]"},
		{time.Second, "1s"},
	} {
		if got := Format(tt.v); got != tt.want {
			t.Errorf("Format(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
