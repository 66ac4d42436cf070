package redisproxy

import (
	"bufio"
	"bytes"
	"io"
	"testing"

	"github.com/redis-notebook/tutorial/runner/resp"
)

// BenchmarkSessionCPU is the guard's own work for one RPUSH on a key the
// run owns, without a server: what it adds to every round trip of the
// chapter's loops besides the round trip itself.
func BenchmarkSessionCPU(b *testing.B) {
	rec := NewRecord(nil)
	rec.owned["Anagram:aerst"] = 0
	s := NewSession(Policy{DB: 15}, rec)
	raw := []byte("*3\r\n$5\r\nRPUSH\r\n$13\r\nAnagram:aerst\r\n$5\r\ntears\r\n")
	w := bufio.NewWriter(io.Discard)
	reply := []byte(":7\r\n")
	var out bytes.Buffer
	r := bufio.NewReader(bytes.NewReader(nil))
	b.ReportAllocs()
	for b.Loop() {
		args, n, _ := resp.ParseCommand(raw, resp.ServerLimits)
		s.Submit(args, raw[:n], w)
		r.Reset(bytes.NewReader(reply))
		out.Reset()
		s.Reply(r, &out)
	}
}
