package redisconn

import (
	"net/url"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/redisurl"
)

// urlForms are the forms a Redis URL takes, and bad ones.
var urlForms = []string{
	"redis://127.0.0.1:6379",
	"redis://127.0.0.1:6379/",
	"redis://127.0.0.1:6379/3",
	"redis://127.0.0.1:6379//3/",
	"redis://127.0.0.1:6379/3/4",
	"redis://127.0.0.1:6379/x",
	"redis://127.0.0.1:6379/-1",
	"redis://h/?db=4",
	"redis://h/3?db=4",
	"redis://h/3?db=",
	"redis://h/?db=x",
	"redis://h?db=1&db=2",
	"redis://localhost?protocol=2",
	"redis://",
	"redis://:6380",
	"redis://[::1]",
	"redis://[::1]:6390/2",
	"redis://user:pass@h:1/0",
	"redis://:pass@h",
	"redis://user@h",
	"redis://us%40er:p%3Ass@h",
	"rediss://user:pw@example.com/7",
	"rediss://example.com:6380",
	"rediss://h/0?skip_verify=true",
	"unix:///tmp/x/redis.sock",
	"unix:///tmp/x/redis.sock?db=9",
	"unix://user:pw@/tmp/redis.sock?db=2",
	"unix://",
	"unix://  ",
	"http://h",
	"h:6379",
	"",
	"redis://h:port",
	"redis://:s3cret%zz@h",
}

// TestURLAgreesWithGoRedis: package redisurl reads every form of URL as
// go-redis's own ParseURL does, so that the options Parse builds from it
// are the ones go-redis would have made.
func TestURLAgreesWithGoRedis(t *testing.T) {
	for _, raw := range urlForms {
		agree(t, raw)
	}
}

func FuzzURLAgreesWithGoRedis(f *testing.F) {
	for _, raw := range urlForms {
		f.Add(raw)
	}
	f.Fuzz(agree)
}

func agree(t *testing.T, raw string) {
	u, err := redisurl.Parse(raw)
	opt, gerr := redis.ParseURL(raw)
	if q, qerr := url.Parse(raw); qerr == nil {
		for k := range q.Query() {
			switch k {
			case "db":
			case "skip_verify":
				if err == nil {
					t.Errorf("%q: skip_verify accepted", raw)
				}
				return // refused on purpose
			default:
				return // go-redis's own client options
			}
		}
	}
	if (err == nil) != (gerr == nil) {
		t.Errorf("%q: redisurl says %v, go-redis %v", raw, err, gerr)
		return
	}
	if err != nil {
		return
	}
	db := opt.DB
	if !u.NamedDB {
		if db != 0 {
			t.Errorf("%q: names no database, go-redis says %d", raw, db)
		}
		db = redisurl.DefaultDB
	}
	serverName := ""
	if opt.TLSConfig != nil {
		serverName = opt.TLSConfig.ServerName
	}
	if u.Network != opt.Network || u.Addr != opt.Addr || u.Username != opt.Username ||
		u.Password != opt.Password || u.DB != db || u.TLS != (opt.TLSConfig != nil) || (u.TLS && u.Host != serverName) {
		t.Errorf("%q: redisurl reads %+v, go-redis %s %s user %q password %q db %d TLS %q",
			raw, *u, opt.Network, opt.Addr, opt.Username, opt.Password, opt.DB, serverName)
	}
}
