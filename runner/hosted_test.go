package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis-notebook/tutorial/runner/internal/testredis"
)

// The tests of this file run the runner against redis-servers set up as
// hosted ones are: a password, a limited ACL user, one database, TLS with
// the provider's own certificate authority.

const hostedPassword = "pw-s3cret"

// learnerACL is a user limited to the usual data commands, as hosted
// services hand out: no administration, nothing dangerous (KEYS, FLUSHDB,
// CONFIG, INFO…), not even COMMAND.
var learnerACL = []string{"--user", "learner", "on", ">" + hostedPassword, "~*", "&*",
	"+@all", "-@admin", "-@dangerous", "-command"}

// runnerWith runs the runner with extra environment variables. It gives up
// after limit: a run that should fail within seconds must not hang.
func runnerWith(t *testing.T, env []string, limit time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, runnerBin, args...)
	cmd.Dir = ".."
	cmd.Env = append(append(os.Environ(), "REDIS_URL=", "NO_COLOR=1"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("runner %s still running after %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), limit, stdout.String(), stderr.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// urlFile writes url into a file readable by its owner only, as the README
// suggests keeping a hosted server's URL.
func urlFile(t *testing.T, url string) string {
	path := filepath.Join(t.TempDir(), "redis-url")
	if err := os.WriteFile(path, []byte("# the course's hosted Redis\n"+url+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHostedMisconfigurations: each way a hosted setup goes wrong ends the
// walk with one line that says what to do, exit status 2, within seconds
// (the limit below is generous: the real figures are under one second,
// two for a server that does not answer a TLS handshake), and never shows
// the password.
func TestHostedMisconfigurations(t *testing.T) {
	oneDB := testredis.Start(t, testredis.Options{Args: append([]string{"--requirepass", hostedPassword, "--databases", "1"}, learnerACL...)})
	noSelect := testredis.Start(t, testredis.Options{Args: []string{
		"--user", "zeroonly", "on", ">" + hostedPassword, "~*", "+@all", "-@dangerous", "-select",
		"--user", "noscan", "on", ">" + hostedPassword, "~*", "+@all", "-scan"}})
	selfSigned := testredis.Start(t, testredis.Options{TLS: testredis.NewCA(t, "Nobody's CA").Issue(t)})
	const chapter = "runner/notebook/testdata/basics.md"
	// The runner's cache starts empty, as on a fresh clone: what a test
	// sees must not depend on what other tests built before it.
	cache := []string{"NOTEBOOK_CACHE=" + t.TempDir()}
	// A walk that works first: it builds the chapter's program, so that
	// the limit below times connecting, not compiling. With no database in
	// the URL, it says which it chose.
	r := runnerWith(t, cache, 5*time.Minute, "walk", chapter, "--redis-url-file", urlFile(t, oneDB.URL(":"+hostedPassword, "")))
	r.expect(t, exitOK, "Redis: "+oneDB.Addr+" database 0; the URL names no database, "+
		"and this server has only database 0, which is empty: using it", "")

	for _, tt := range []struct {
		name, url, want string
	}{
		{"no password", oneDB.URL("", ""), "runner: Redis at " + oneDB.Addr + " wants a password: put it in the URL, redis://:PASSWORD@host:port/db"},
		{"wrong password", oneDB.URL(":wrong-"+hostedPassword, ""), "runner: Redis at " + oneDB.Addr + ` refused the login of user "default": wrong user name or password`},
		{"wrong user", oneDB.URL("learnr:"+hostedPassword, ""), `refused the login of user "learnr"`},
		{"no such database", oneDB.URL(":"+hostedPassword, "/15"),
			"runner: Redis at " + oneDB.Addr + " has no database 15 (ERR DB index is out of range): it has only 1 (database 0); " +
				"name one in the URL, for example redis://:xxxxx@" + oneDB.Addr + "/0"},
		{"user may not select", noSelect.URL("zeroonly:"+hostedPassword, "/3"),
			`runner: Redis user "zeroonly" may not run SELECT, so the runner can use only database 0 at ` + noSelect.Addr},
		{"user may not scan", noSelect.URL("noscan:"+hostedPassword, "/3"),
			"runner: listing keys in " + noSelect.Addr + ` database 3 (user noscan): NOPERM: Redis user "noscan" may not run SCAN, ` +
				"and the runner needs it to leave the keys already there alone; ask for it (ACL SETUSER noscan +scan) or use a user that may"},
		{"untrusted certificate", selfSigned.URL("", "/0"),
			"runner: Redis at " + selfSigned.Addr + ": its TLS certificate is signed by an authority this machine does not trust " +
				"(x509: certificate signed by unknown authority); if your provider gives you a CA certificate, trust it with SSL_CERT_FILE=/path/to/ca.pem"},
		{"TLS server, redis://", strings.Replace(selfSigned.URL("", "/0"), "rediss:", "redis:", 1),
			"closed the connection without answering: if it expects TLS, use rediss:// instead of redis://"},
		{"plain server, rediss://", strings.Replace(oneDB.URL(":"+hostedPassword, "/0"), "redis:", "rediss:", 1),
			"did not answer the TLS handshake within 2s: if it does not use TLS, use redis:// instead of rediss://"},
		{"skip_verify", selfSigned.URL("", "/0?skip_verify=true"), "the runner does not skip TLS verification"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := runnerWith(t, cache, 20*time.Second, "walk", chapter, "--redis-url-file", urlFile(t, tt.url))
			t.Logf("%s: exit %d in %s", tt.name, r.code, time.Since(start).Round(time.Millisecond))
			if r.code != exitBadArgs || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d, want %d and one line saying %q:\n%s", r.code, exitBadArgs, tt.want, r.stderr)
			}
			if strings.Contains(r.stderr+r.stdout, hostedPassword) {
				t.Errorf("the password is shown:\n%s%s", r.stdout, r.stderr)
			}
		})
	}
}

// TestHostedChapter walks chapter 1 and grades the reference solutions as
// on a hosted server: over TLS with a certificate authority trusted through
// SSL_CERT_FILE, one database not named in the URL, and a limited ACL user
// with a password. The outputs must equal the chapter's expected ones,
// which are those of miniredis and of a plain local server.
func TestHostedChapter(t *testing.T) {
	ca := testredis.NewCA(t, "Hosted Redis test CA")
	s := testredis.Start(t, testredis.Options{
		TLS:  ca.Issue(t),
		Args: append([]string{"--requirepass", hostedPassword, "--databases", "1"}, learnerACL...),
	})
	trust := []string{"SSL_CERT_FILE=" + ca.File}

	// A certificate from the trusted CA, but for another host name.
	elsewhere := testredis.Start(t, testredis.Options{TLS: ca.Issue(t, "redis.example.com")})
	r := runnerWith(t, trust, time.Minute, "walk", "runner/notebook/testdata/basics.md", "--redis", elsewhere.URL("", "/0"))
	r.expect(t, exitBadArgs, "", "runner: Redis at "+elsewhere.Addr+": its TLS certificate is not for this host name "+
		"(x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs); use the host name your provider gives")

	before := s.CommandsProcessed(t, hostedPassword)
	r = runnerWith(t, trust, 10*time.Minute, "test", "redis", "--redis-url-file", urlFile(t, s.URL("learner:"+hostedPassword, "")))
	r.expect(t, exitOK, "chapters: 1 passed, 0 failed", "")
	if !strings.Contains(r.stdout, "on redis") {
		t.Errorf("the chapter did not run on the real server:\n%s", r.stdout)
	}
	walked := s.CommandsProcessed(t, hostedPassword)
	r = runnerWith(t, trust, 10*time.Minute, "check", "--solutions", "--redis", s.URL("learner:"+hostedPassword, ""))
	r.expect(t, exitOK, "every exercise passes", "")
	graded := s.CommandsProcessed(t, hostedPassword)
	// Storing the word list alone takes 104,334 RPUSHes; the graders'
	// cases take hundreds of commands.
	if walked-before < 100000 || graded-walked < 100 {
		t.Errorf("the server ran %d commands for the chapter and %d for grading: did they run elsewhere?", walked-before, graded-walked)
	}
	r = runnerWith(t, trust, 5*time.Minute, "walk", "runner/notebook/testdata/basics.md", "--redis", s.URL("learner:"+hostedPassword, ""))
	r.expect(t, exitOK, "Redis: "+s.Addr+" database 0 (TLS, user learner); the URL names no database, "+
		"and this server has only database 0, which is empty: using it", "")
	if n, err := s.Client(t, hostedPassword).DBSize(context.Background()).Result(); err != nil || n != 0 {
		t.Errorf("after the runs, the database holds %d keys (%v): the runner did not clean up", n, err)
	}
	if strings.Contains(r.stdout+r.stderr, hostedPassword) {
		t.Errorf("the password is shown:\n%s%s", r.stdout, r.stderr)
	}
	t.Logf("check --solutions:\n%s", r.stdout)
}

// TestHostedPermission: a cell whose command the ACL user may not run says
// which command, and that the run needs it.
func TestHostedPermission(t *testing.T) {
	s := testredis.Start(t, testredis.Options{Args: learnerACL})
	r := runnerWith(t, nil, 5*time.Minute, "walk", "runner/testdata/keys.md", "--redis", s.URL("learner:"+hostedPassword, "/0"))
	r.expect(t, exitOK, `keys *: NOPERM: Redis user "learner" may not run KEYS, and this run needs it; `+
		`ask for it (ACL SETUSER learner +keys) or use a user that may`, "")
}

// TestHelpHidesPassword: -h shows $REDIS_URL as the default of --redis,
// with its password hidden.
func TestHelpHidesPassword(t *testing.T) {
	r := runnerWith(t, []string{"REDIS_URL=rediss://learner:" + hostedPassword + "@example.com:12345"}, time.Minute, "walk", "-h")
	r.expect(t, exitOK, "", `(default rediss://learner:xxxxx@example.com:12345)`)
	if strings.Contains(r.stdout+r.stderr, hostedPassword) {
		t.Errorf("the password is shown:\n%s", r.stderr)
	}
}

// TestRedisURLFile: the URL is the file's first line that is not blank or
// a comment; a missing or empty file is bad input.
func TestRedisURLFile(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]string{
		"redis://127.0.0.1:1/0\n":                          "redis://127.0.0.1:1/0",
		"# mine\n\n  rediss://:pw@example.com:6380  \nx\n": "rediss://:pw@example.com:6380",
		"no newline": "no newline",
	} {
		path := filepath.Join(dir, "url")
		os.WriteFile(path, []byte(content), 0o600)
		got, err := readURLFile(path)
		if err != nil || got != want {
			t.Errorf("readURLFile(%q) = %q, %v; want %q", content, got, err, want)
		}
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("# nothing yet\n\n"), 0o600)
	runner(t, "", "walk", "redis", "--redis-url-file", empty).expect(t, exitBadArgs, "", empty+" holds no URL")
	missing := filepath.Join(dir, "missing")
	runner(t, "", "walk", "redis", "--redis-url-file", missing).expect(t, exitBadArgs, "", "open "+missing+": no such file or directory")
	// The file takes the place of $REDIS_URL: this one cannot be reached.
	runnerWith(t, []string{"REDIS_URL=redis://127.0.0.1:2"}, time.Minute, "walk", "runner/notebook/testdata/basics.md",
		"--redis-url-file", urlFile(t, "redis://127.0.0.1:1")).expect(t, exitBadArgs, "", "runner: cannot reach Redis at 127.0.0.1:1")
}
