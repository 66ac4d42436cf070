package redisconn

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/internal/testredis"
	"github.com/redis-notebook/tutorial/runner/redisurl"
)

const secret = "s3cret"

func TestParseNeverShowsThePassword(t *testing.T) {
	for _, tt := range []struct {
		url, want string
	}{
		{"redis://:s3cret%zz@127.0.0.1:6379", "a % must be followed by two hex digits"},
		{"redis://:s3cret:x@127.0.0.1:6379", "" /* a colon in a password is fine */},
		{"redis://u:s3cret@127.0.0.1:63a79", "the port is not a number"},
		{"http://u:s3cret@127.0.0.1:6379", `bad Redis URL "http://u:xxxxx@127.0.0.1:6379": it must start with redis://`},
		{"rediss://u:s3cret@127.0.0.1:6379/0?skip_verify=true", "the runner does not skip TLS verification"},
		{"redis://u:s3cret@127.0.0.1:6379/zero", `invalid database number: "zero"`},
		{"redis://u:s3cret@127.0.0.1:6379/0?bogus=1", `bad Redis URL "redis://u:xxxxx@127.0.0.1:6379/0?bogus=1":`},
	} {
		_, _, err := Parse(tt.url)
		if tt.want == "" {
			if err != nil {
				t.Errorf("Parse(%s): %v", tt.url, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", tt.url, err, tt.want)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("Parse(%s) shows the password: %v", tt.url, err)
		}
	}
}

func TestParseNamedDatabase(t *testing.T) {
	for url, want := range map[string]bool{
		"redis://127.0.0.1:6379":            false,
		"redis://127.0.0.1:6379/":           false,
		"rediss://:pw@example.com":          false,
		"redis://127.0.0.1:6379/0":          true,
		"redis://127.0.0.1:6379/?db=2":      true,
		"rediss://u:p@example.com:12/7":     true,
		"redis://localhost:6390?protocol=2": false,
	} {
		opt, named, err := Parse(url)
		if err != nil {
			t.Fatal(err)
		}
		if named != want {
			t.Errorf("Parse(%s) names a database: %v, want %v", url, named, want)
		}
		if (opt.TLSConfig != nil) != strings.HasPrefix(url, "rediss:") || (opt.TLSConfig != nil && opt.TLSConfig.InsecureSkipVerify) {
			t.Errorf("Parse(%s): TLS config %+v", url, opt.TLSConfig)
		}
	}
}

// connectErr connects and returns the error's text, failing the test if
// there is none or if it shows the password.
func connectErr(t *testing.T, url string) string {
	t.Helper()
	srv, err := Connect(context.Background(), Config{URL: url})
	if err == nil {
		t.Fatalf("Connect(%s) succeeded on %s", url, srv.Where)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "wrong-pw") {
		t.Errorf("the error shows the password: %v", err)
	}
	return err.Error()
}

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%q\ndoes not say %q", got, w)
		}
	}
}

func connect(t *testing.T, cfg Config) *Server {
	t.Helper()
	srv, err := Connect(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Connect(%s): %v", cfg.URL, err)
	}
	return srv
}

func TestPassword(t *testing.T) {
	s := testredis.Start(t, testredis.Options{Args: []string{"--requirepass", secret}})
	mustContain(t, connectErr(t, s.URL("", "/0")), "Redis at "+s.Addr+" wants a password", "redis://:PASSWORD@host:port/db")
	mustContain(t, connectErr(t, s.URL(":wrong-pw", "/0")), "Redis at "+s.Addr+` refused the login of user "default": wrong user name or password`)
	srv := connect(t, Config{URL: s.URL(":"+secret, "/4")})
	if srv.Options.DB != 4 || srv.Where != s.Addr+" database 4" || srv.Chosen != "" {
		t.Errorf("connected to %s (db %d), chosen %q", srv.Where, srv.Options.DB, srv.Chosen)
	}
	srv = connect(t, Config{URL: s.URL(":"+secret, "")})
	if srv.Options.DB != redisurl.DefaultDB || srv.Chosen != "" {
		t.Errorf("with no database named, a 16-database server gave db %d (%q)", srv.Options.DB, srv.Chosen)
	}
}

func TestOneDatabase(t *testing.T) {
	s := testredis.Start(t, testredis.Options{Args: []string{"--requirepass", secret, "--databases", "1"}})
	mustContain(t, connectErr(t, s.URL(":"+secret, "/3")),
		"Redis at "+s.Addr+" has no database 3", "it has only 1 (database 0)", "for example redis://:xxxxx@"+s.Addr+"/0")

	srv := connect(t, Config{URL: s.URL(":"+secret, "")})
	if srv.Options.DB != 0 {
		t.Errorf("chose database %d", srv.Options.DB)
	}
	mustContain(t, srv.Chosen, "this server has only database 0, which is empty")

	// Once database 0 holds a key, there is no empty database to choose.
	c := redis.NewClient(srv.Options)
	defer c.Close()
	if err := c.Set(context.Background(), "theirs", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	mustContain(t, connectErr(t, s.URL(":"+secret, "")),
		"every one of the server's only 1 (database 0) holds keys", "--allow-dirty")
	srv = connect(t, Config{URL: s.URL(":"+secret, ""), AllowDirty: true})
	if srv.Options.DB != 0 {
		t.Errorf("with --allow-dirty, chose database %d", srv.Options.DB)
	}
	mustContain(t, srv.Chosen, "holds keys: using database 0 beside them")
}

// TestFewDatabases: with no database named, the highest empty one, never
// one that holds keys.
func TestFewDatabases(t *testing.T) {
	for _, n := range []int{2, 5, 11} {
		s := testredis.Start(t, testredis.Options{Args: []string{"--databases", itoa(n)}})
		mustContain(t, connectErr(t, s.URL("", "/"+itoa(n))), "has no database "+itoa(n), "it has "+itoa(n)+" (0 to "+itoa(n-1)+")")
		c := redis.NewClient(&redis.Options{Addr: s.Addr, DB: n - 1})
		if err := c.Set(context.Background(), "theirs", "1", 0).Err(); err != nil {
			t.Fatal(err)
		}
		c.Close()
		srv := connect(t, Config{URL: s.URL("", "")})
		if srv.Options.DB != n-2 {
			t.Errorf("%d databases, the last holding a key: chose %d, want %d", n, srv.Options.DB, n-2)
		}
		mustContain(t, srv.Chosen, "has "+itoa(n)+" (0 to "+itoa(n-1)+"): using database "+itoa(n-2)+", the highest that is empty")
		mustContain(t, srv.Where, "database "+itoa(n-2))
	}
}

// TestLimitedUser logs in as ACL users such as hosted services hand out.
func TestLimitedUser(t *testing.T) {
	s := testredis.Start(t, testredis.Options{Args: []string{
		"--user", "learner", "on", ">" + secret, "~*", "&*", "+@all", "-@admin", "-@dangerous", "-command",
		"--user", "zeroonly", "on", ">" + secret, "~*", "+@all", "-@dangerous", "-select",
	}})
	srv := connect(t, Config{URL: s.URL("learner:"+secret, "/2")})
	if srv.Where != s.Addr+" database 2 (user learner)" {
		t.Errorf("Where = %q", srv.Where)
	}
	mustContain(t, connectErr(t, s.URL("learner:wrong-pw", "/2")), `refused the login of user "learner"`)
	mustContain(t, connectErr(t, s.URL("zeroonly:"+secret, "/3")),
		`Redis user "zeroonly" may not run SELECT, so the runner can use only database 0`, "zeroonly:xxxxx@"+s.Addr+"/0")
	zero := connect(t, Config{URL: s.URL("zeroonly:"+secret, "")})
	if zero.Options.DB != 0 {
		t.Errorf("a user who may not SELECT got database %d", zero.Options.DB)
	}

	// A refused command says which, and that the run needs it.
	c := redis.NewClient(srv.Options)
	defer c.Close()
	c.AddHook(PermissionHook(srv.Options))
	ctx := context.Background()
	err := c.Keys(ctx, "*").Err()
	var pe *PermissionError
	if !errors.As(err, &pe) || pe.Command != "KEYS" {
		t.Fatalf("KEYS as learner: %v", err)
	}
	mustContain(t, err.Error(), `NOPERM: Redis user "learner" may not run KEYS, and this run needs it`, "ACL SETUSER learner +keys")
	cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "k", "v", 0)
		p.Sort(ctx, "k", &redis.Sort{})
		return nil
	})
	mustContain(t, err.Error(), "may not run SORT")
	if cmds[0].Err() != nil || !strings.Contains(cmds[1].Err().Error(), "ACL SETUSER learner +sort") {
		t.Errorf("pipeline: %v, %v", cmds[0].Err(), cmds[1].Err())
	}
	if err := c.Get(ctx, "k").Err(); err != nil {
		t.Errorf("the connection is unusable after a refusal: %v", err)
	}
}

// TestTLS: a server whose certificate this machine does not trust is
// refused with a message saying how to trust it; a mix-up of redis:// and
// rediss:// is named as such, within seconds.
func TestTLS(t *testing.T) {
	ca := testredis.NewCA(t, "Untrusted test CA")
	s := testredis.Start(t, testredis.Options{TLS: ca.Issue(t), Args: []string{"--requirepass", secret}})
	mustContain(t, connectErr(t, s.URL(":"+secret, "/0")),
		"Redis at "+s.Addr+": its TLS certificate is signed by an authority this machine does not trust",
		"SSL_CERT_FILE=/path/to/ca.pem")
	plainURL := strings.Replace(s.URL(":"+secret, "/0"), "rediss:", "redis:", 1)
	mustContain(t, connectErr(t, plainURL), "closed the connection without answering: if it expects TLS, use rediss://")

	plain := testredis.Start(t, testredis.Options{})
	tlsURL := strings.Replace(plain.URL("", "/0"), "redis:", "rediss:", 1)
	mustContain(t, connectErr(t, tlsURL), "did not answer the TLS handshake", "use redis:// instead of rediss://")
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestPercentEncodedPassword: a password with URL characters in it works
// percent-encoded, as the README says.
func TestPercentEncodedPassword(t *testing.T) {
	s := testredis.Start(t, testredis.Options{Args: []string{"--requirepass", "p@ss:w/rd?#%1"}})
	srv := connect(t, Config{URL: s.URL(":p%40ss%3Aw%2Frd%3F%23%251", "/0")})
	if srv.Options.Password != "p@ss:w/rd?#%1" {
		t.Errorf("password %q", srv.Options.Password)
	}
}
