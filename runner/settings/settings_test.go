package settings

import (
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/chapter"
)

func TestFromEnv(t *testing.T) {
	env := map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/3"}
	r := FromEnv(func(k string) string { return env[k] })
	if r.RedisURL != env["REDIS_URL"] || r.Backend() != chapter.Redis || r.TimeLimit() != DefaultTimeout {
		t.Errorf("FromEnv = %+v, backend %s, limit %s", r, r.Backend(), r.TimeLimit())
	}
	if none := FromEnv(func(string) string { return "" }); none.Backend() != chapter.Miniredis {
		t.Errorf("no $REDIS_URL: backend %s, want miniredis", none.Backend())
	}
}

func TestTimeLimit(t *testing.T) {
	for _, tt := range []struct{ timeout, want time.Duration }{
		{0, DefaultTimeout}, {-1, DefaultTimeout}, {time.Second, time.Second},
	} {
		if got := (Run{Timeout: tt.timeout}).TimeLimit(); got != tt.want {
			t.Errorf("Timeout %s: TimeLimit %s, want %s", tt.timeout, got, tt.want)
		}
	}
}
