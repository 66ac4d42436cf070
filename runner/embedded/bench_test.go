package embedded

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRPushManyKeys is chapter 1's slow loop: one RPUSH per word into
// a key per signature, on a database that grows to b.N keys. The
// embedded server's hooks must keep it linear.
func BenchmarkRPushManyKeys(b *testing.B) {
	for _, ttl := range []bool{false, true} {
		b.Run(fmt.Sprint("ttl=", ttl), func(b *testing.B) {
			s, err := New()
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			rdb := client(b, s, 3)
			ctx := context.Background()
			if ttl { // a key with a TTL arms the clock
				rdb.Set(ctx, "token", 1, time.Hour)
			}
			b.ResetTimer()
			for i := range b.N {
				rdb.RPush(ctx, fmt.Sprint("Anagram:", i), i)
			}
		})
	}
}
