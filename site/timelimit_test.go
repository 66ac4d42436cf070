package site

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/settings"
)

// TestPageCarriesTheTimeLimit: run.js has no time limit of its own; a
// chapter page's script tag gives it the runner's default, in seconds.
func TestPageCarriesTheTimeLimit(t *testing.T) {
	out, _ := realSite(t, false)
	page := readFile(t, filepath.Join(out, "01-redis.html"))
	want := strconv.FormatFloat(settings.DefaultTimeout.Seconds(), 'f', -1, 64)
	if got := between(page, `data-timeout="`, `"`); got != want {
		t.Errorf("data-timeout=%q, want %q (settings.DefaultTimeout)", got, want)
	}
	js, err := os.ReadFile("assets/run.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), "conf.dataset.timeout") {
		t.Error("run.js does not read the page's data-timeout")
	}
}
