package redisproxy

import (
	"context"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/internal/needs"
)

// BenchmarkRoundTrip compares one command at a time (the chapter's loops)
// sent straight to the server and through the proxy; each SET names a new
// key, so the proxy also records it.
func BenchmarkRoundTrip(b *testing.B) {
	ctx := context.Background()
	url := needs.Redis(b, proxyDB)
	opt, _ := redis.ParseURL(url)
	directClient := redis.NewClient(opt)
	defer directClient.Close()
	if n := directClient.DBSize(ctx).Val(); n != 0 {
		b.Fatalf("database %d must be empty; it holds %d keys", proxyDB, n)
	}
	b.Run("direct", func(b *testing.B) {
		n := 0
		for ; b.Loop(); n++ {
			directClient.Set(ctx, fmt.Sprint("bench:", n), n, 0)
		}
		b.StopTimer()
		for i := 0; i < n; i++ { // its own keys only, by name
			directClient.Unlink(ctx, fmt.Sprint("bench:", i))
		}
	})
	b.Run("proxy", func(b *testing.B) {
		p, err := Start(Config{URL: url, LeftoverDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		popt, _ := redis.ParseURL(p.URL())
		c := redis.NewClient(popt)
		for i := 0; b.Loop(); i++ {
			c.Set(ctx, fmt.Sprint("bench:", i), i, 0)
		}
		b.StopTimer()
		c.Close()
		p.Close()
	})
}
