//go:build !(js && wasm)

package kernel

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/internal/needs"
	"github.com/redis-notebook/tutorial/runner/redisbackend"
)

// benchDB is the database of the real-server benchmarks.
const benchDB = 7

// BenchmarkRoundTrip is one RPUSH per round trip, chapter 1's slow loop,
// as the chapter's program sends it (its client options, the trace hook
// that counts commands): on the embedded server, and on a real one
// ($REDIS_URL) straight, without the runner's guard, beside a bare RESP
// loop over the same TCP connection (the floor: what redis-benchmark -c 1
// measures). The chapter's own cost on a real server is
// chapter-ns/op minus raw-ns/op.
//
//	REDIS_URL=redis://127.0.0.1:6379 go test ./runner/kernel -run '^$' -bench RoundTrip
func BenchmarkRoundTrip(b *testing.B) {
	ctx := context.Background()
	b.Run("embedded", func(b *testing.B) {
		be, err := redisbackend.Open(redisbackend.Config{})
		if err != nil {
			b.Fatal(err)
		}
		defer be.Close()
		be.Client.AddHook(newTracer(false))
		rpushLoop(b, be.Client)
	})
	b.Run("server-chapter", func(b *testing.B) {
		url := needs.Redis(b, benchDB)
		// Guarded: the client the program uses behind the runner's proxy,
		// here pointed at the server itself.
		be, err := redisbackend.Open(redisbackend.Config{URL: url, Guarded: true})
		if err != nil {
			b.Fatal(err)
		}
		defer be.Close()
		be.Client.AddHook(newTracer(false))
		rpushLoop(b, be.Client)
		be.Client.Del(ctx, keys(b.N)...)
	})
	b.Run("server-raw", func(b *testing.B) {
		url := needs.Redis(b, benchDB)
		opt, err := redis.ParseURL(url)
		if err != nil {
			b.Fatal(err)
		}
		c, err := net.Dial("tcp", opt.Addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		r := bufio.NewReader(c)
		send := func(args ...string) string {
			buf := fmt.Appendf(nil, "*%d\r\n", len(args))
			for _, a := range args {
				buf = fmt.Appendf(buf, "$%d\r\n%s\r\n", len(a), a)
			}
			if _, err := c.Write(buf); err != nil {
				b.Fatal(err)
			}
			line, err := r.ReadString('\n')
			if err != nil {
				b.Fatal(err)
			}
			return line
		}
		send("SELECT", strconv.Itoa(benchDB))
		i := 0
		for b.Loop() {
			send("RPUSH", "bench:"+strconv.Itoa(i%1000), "word")
			i++
		}
		b.StopTimer()
		for _, k := range keys(b.N) {
			send("DEL", k)
		}
	})
}

func rpushLoop(b *testing.B, rdb *redis.Client) {
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if err := rdb.RPush(ctx, "bench:"+strconv.Itoa(i%1000), "word").Err(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// keys are the keys rpushLoop wrote after n commands.
func keys(n int) []string {
	var ks []string
	for i := range min(n, 1000) {
		ks = append(ks, "bench:"+strconv.Itoa(i))
	}
	return ks
}
