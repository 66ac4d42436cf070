package redisurl

import (
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for raw, want := range map[string]string{
		"redis://127.0.0.1:6379":         "tcp 127.0.0.1:6379 db15 tls=false",
		"redis://127.0.0.1:6379/3":       "tcp 127.0.0.1:6379 db3 named tls=false",
		"redis://h/?db=4":                "tcp h:6379 db4 named tls=false",
		"redis://h/3?db=4":               "tcp h:6379 db4 named tls=false",
		"rediss://user:pw@example.com/7": "tcp example.com:6379 db7 named tls=true user=user",
		"redis://:pw@h:1/0":              "tcp h:1 db0 named tls=false",
		"redis://[::1]":                  "tcp [::1]:6379 db15 tls=false",
		"unix:///tmp/x/redis.sock?db=9":  "unix /tmp/x/redis.sock db9 named tls=false",
		"unix:///tmp/x/redis.sock":       "unix /tmp/x/redis.sock db15 tls=false",
		"redis://localhost?protocol=2":   "tcp localhost:6379 db15 tls=false",
	} {
		u, err := Parse(raw)
		if err != nil {
			t.Errorf("%s: %v", raw, err)
			continue
		}
		named := ""
		if u.NamedDB {
			named = " named"
		}
		got := fmt.Sprintf("%s %s db%d%s tls=%v", u.Network, u.Addr, u.DB, named, u.TLSConfig() != nil)
		if u.Username != "" {
			got += " user=" + u.Username
		}
		if got != want {
			t.Errorf("%s: %s, want %s", raw, got, want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for raw, want := range map[string]string{
		"http://h":                          `bad Redis URL "http://h": it must start with redis://`,
		"redis://h/x":                       `invalid database number: "x"`,
		"redis://h/1/2":                     "invalid URL path: /1/2",
		"redis://h/?db=x":                   "invalid database number: strconv.Atoi",
		"unix://":                           "empty unix socket path",
		"rediss://u:s3cret@h/0?skip_verify": `"rediss://u:xxxxx@h/0?skip_verify": the runner does not skip TLS verification`,
		"redis://:s3cret%zz@h":              "a % must be followed by two hex digits",
		"redis://u:s3cret@h:63a79":          "the port is not a number",
	} {
		_, err := Parse(raw)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", raw, err, want)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Parse(%s) shows the password: %v", raw, err)
		}
	}
}

func TestRedact(t *testing.T) {
	for raw, want := range map[string]string{
		"redis://u:s3cret@h:1/2":  "redis://u:xxxxx@h:1/2",
		"redis://h":               "redis://h",
		"redis://:s3cret%zz@h:1/": "(a URL that does not parse)",
	} {
		if got := Redact(raw); got != want {
			t.Errorf("Redact(%s) = %s, want %s", raw, got, want)
		}
	}
}

func TestWithDB(t *testing.T) {
	for raw, want := range map[string]string{
		"redis://u:pw@h:1":               "redis://u:pw@h:1/4",
		"redis://h/2?db=3&protocol=2":    "redis://h/4?protocol=2",
		"unix:///tmp/redis.sock?db=1":    "unix:///tmp/redis.sock?db=4",
		"rediss://h:6380/?client_name=x": "rediss://h:6380/4?client_name=x",
	} {
		got, err := WithDB(raw, 4)
		if err != nil || got != want {
			t.Errorf("WithDB(%s, 4) = %s, %v; want %s", raw, got, err, want)
		}
	}
}
