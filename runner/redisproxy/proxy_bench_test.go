package redisproxy

import (
	"context"
	"encoding/csv"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/internal/needs"
	"github.com/redis-notebook/tutorial/runner/redisconn"
)

// BenchmarkRoundTrip compares one command at a time (the chapter's loops)
// sent straight to the server, from the chapter's program with its guard,
// and through the runner's proxy; each SET names a new key, so the guard
// also records it.
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
	for _, path := range clientPaths {
		b.Run(path, func(b *testing.B) {
			p, err := Start(Config{URL: url, LeftoverDir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			var c *redis.Client
			if path == "proxy" {
				popt, _ := redis.ParseURL(p.URL())
				c = redis.NewClient(popt)
			} else {
				c = redis.NewClient(programOptions(b, p))
			}
			for i := 0; b.Loop(); i++ {
				c.Set(ctx, fmt.Sprint("bench:", i), i, 0)
			}
			b.StopTimer()
			c.Close()
			p.Close()
		})
	}
}

// BenchmarkGuardSpeed measures, in one run and interleaved so that the
// machine's load falls on all alike, the time per request of one RPUSH per
// round trip: redis-benchmark -c 1 (the floor: C, no client library),
// go-redis straight to the server (as it comes, and polling for replies
// as the chapter's program does: redisconn.SpinReads), and go-redis
// through the guard of the chapter's program, on one list (as redis-benchmark does) and on a new
// list every time (as the chapter's loop does, mostly: each new key is
// recorded); and, for comparison, through the runner's relay (here in the
// same process, so cheaper than the separate process it used to be). It
// reports each as µs per request (the best round) and the ratios the guard
// is held to (the median of the rounds'): guarded/benchmark within 1.25,
// and the guard's own cost, guarded/direct-polled, within 1.15.
// .ci/guard-speed runs it on a server of its
// own.
//
//	go test ./runner/redisproxy -run '^$' -bench GuardSpeed -benchtime 1x
func BenchmarkGuardSpeed(b *testing.B) {
	ctx := context.Background()
	url := needs.Redis(b, proxyDB)
	opt, _ := redis.ParseURL(url)
	host, port, _ := net.SplitHostPort(opt.Addr)
	if _, err := exec.LookPath("redis-benchmark"); err != nil {
		b.Skip("redis-benchmark is not installed")
	}
	direct := redis.NewClient(opt)
	defer direct.Close()
	if n := direct.DBSize(ctx).Val(); n != 0 {
		b.Fatalf("database %d must be empty; it holds %d keys", proxyDB, n)
	}
	// go-redis straight to the server, polling for replies as the chapter's
	// program does (redisconn.SpinReads): the guard's own cost is measured
	// against this one.
	popt := *opt
	popt.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return redisconn.SpinReads(nc), nil
	}
	polled := redis.NewClient(&popt)
	defer polled.Close()
	const n = 10000
	const rounds = 9
	p, err := Start(Config{URL: url, LeftoverDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	guarded := redis.NewClient(programOptions(b, p))
	defer guarded.Close()
	ropt, _ := redis.ParseURL(p.URL())
	relayed := redis.NewClient(ropt) // the design this replaced: a hop through the runner
	defer relayed.Close()

	loop := func(c *redis.Client, key func(i int) string) float64 {
		start := time.Now()
		for i := range n {
			if err := c.RPush(ctx, key(i), "element").Err(); err != nil {
				b.Fatal(err)
			}
		}
		return float64(time.Since(start).Microseconds()) / n
	}
	one := func(string) func(int) string { return func(int) string { return "bench:list" } }
	fresh := func(prefix string) func(int) string {
		return func(i int) string { return prefix + strconv.Itoa(i) }
	}
	figures := map[string][]float64{}
	for r := 0; r < rounds; r++ {
		out, err := exec.Command("redis-benchmark", "-h", host, "-p", port, "--dbnum", strconv.Itoa(opt.DB),
			"-c", "1", "-n", strconv.Itoa(n), "-t", "rpush", "--csv").Output()
		if err != nil {
			b.Fatalf("redis-benchmark: %v", err)
		}
		figures["redis-benchmark"] = append(figures["redis-benchmark"], benchmarkMicros(b, out))
		direct.Del(ctx, "mylist") // redis-benchmark's key, in the test's empty database
		figures["direct"] = append(figures["direct"], loop(direct, one("")))
		direct.Del(ctx, "bench:list")
		figures["direct, polled"] = append(figures["direct, polled"], loop(polled, one("")))
		direct.Del(ctx, "bench:list")
		figures["guarded"] = append(figures["guarded"], loop(guarded, one("")))
		figures["relayed"] = append(figures["relayed"], loop(relayed, one("")))
		figures["direct, polled, new keys"] = append(figures["direct, polled, new keys"], loop(polled, fresh(fmt.Sprintf("bench:d%d:", r))))
		figures["guarded, new keys"] = append(figures["guarded, new keys"], loop(guarded, fresh(fmt.Sprintf("bench:g%d:", r))))
		for i := range n {
			direct.Unlink(ctx, fmt.Sprintf("bench:d%d:%d", r, i))
		}
	}
	// Each round runs every variant within seconds of the others, so the
	// ratio of one round is measured under one load; the median of the
	// rounds' ratios shrugs off the rounds a neighbour's build spoiled.
	median := func(f []float64) float64 {
		f = slices.Clone(f)
		slices.Sort(f)
		return f[len(f)/2]
	}
	ratio := func(a, b string) float64 {
		var r []float64
		for i := range figures[a] {
			r = append(r, figures[a][i]/figures[b][i])
		}
		return median(r)
	}
	for _, name := range []string{"redis-benchmark", "direct", "direct, polled", "guarded", "relayed", "direct, polled, new keys", "guarded, new keys"} {
		b.ReportMetric(slices.Min(figures[name]), strings.NewReplacer(", ", "_", " ", "_").Replace(name)+"_µs/req")
		b.Logf("%-24s best %5.1f µs per request, median %5.1f (rounds of %d: %.1f)",
			name, slices.Min(figures[name]), median(figures[name]), n, figures[name])
	}
	b.ReportMetric(ratio("guarded", "redis-benchmark"), "guarded/benchmark")
	b.ReportMetric(ratio("guarded", "direct, polled"), "guarded/direct_polled")
	b.ReportMetric(ratio("guarded, new keys", "direct, polled, new keys"), "guarded/direct_polled_new_keys")
	b.ReportMetric(ratio("guarded", "direct"), "guarded/direct")
	b.ReportMetric(ratio("relayed", "direct"), "relayed/direct")
	b.Logf("median of the rounds' ratios: guarded/redis-benchmark %.2f (target at most 1.25), "+
		"guarded/direct-polled %.2f (the guard's own cost: target at most 1.15); "+
		"new keys: guarded/direct-polled %.2f, guarded/redis-benchmark %.2f; "+
		"polling for replies: guarded/direct (go-redis as it comes) %.2f, direct-polled/direct %.2f; "+
		"through a relay (in this process): relayed/direct %.2f",
		ratio("guarded", "redis-benchmark"), ratio("guarded", "direct, polled"),
		ratio("guarded, new keys", "direct, polled, new keys"), ratio("guarded, new keys", "redis-benchmark"),
		ratio("guarded", "direct"), ratio("direct, polled", "direct"), ratio("relayed", "direct"))
}

// benchmarkMicros reads redis-benchmark's CSV: the requests per second.
func benchmarkMicros(b *testing.B, out []byte) float64 {
	rows, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil || len(rows) < 2 || len(rows[1]) < 2 {
		b.Fatalf("redis-benchmark said %q", out)
	}
	rps, err := strconv.ParseFloat(rows[1][1], 64)
	if err != nil || rps <= 0 {
		b.Fatalf("redis-benchmark said %q", out)
	}
	return 1e6 / rps
}
