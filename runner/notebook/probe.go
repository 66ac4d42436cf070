package notebook

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
	"github.com/redis-notebook/tutorial/runner/redisurl"
)

// A target is the real server a run will use, as the chapter's program
// found it: the URL with the database made explicit, where that is for
// messages, and the ACL user the server knows the run as.
type target struct {
	url, where, user string
}

// probeTimeout bounds the probe: connecting gives up within a few seconds
// of its own (redisconn), this only catches a program that never answers.
const probeTimeout = 30 * time.Second

// probeServer asks the chapter's program (bin), started in probe mode, to
// connect to the server opt names as a run would: TLS verified, the login,
// the database chosen and checked. The runner links no Redis client, so
// the one owner of those checks and their messages (package redisconn)
// runs there, before the runner's proxy dials the database it reported.
// A refusal comes back as the program's one-line message.
func probeServer(ctx context.Context, bin, dir string, opt Options) (*target, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	token, tokenR, err := giveToken(cmd)
	if err != nil {
		return nil, err
	}
	defer tokenR.Close()
	cmd.Env = append(cmd.Env,
		protocol.EnvProbe+"=1",
		protocol.EnvRedisURL+"="+opt.RedisURL,
		protocol.EnvAllowDirty+"="+flag01(opt.AllowDirty),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	// The program has run no cell: its only lines are the kernel's events.
	var probed, failed *protocol.Event
	for _, line := range bytes.Split(out.Bytes(), []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte(protocol.MarkFor(token)))
		if !ok {
			continue
		}
		ev, err := protocol.Decode(rest)
		if err != nil {
			continue
		}
		switch ev.Kind {
		case protocol.Probed:
			probed = &ev
		case protocol.Fail:
			failed = &ev
		}
	}
	switch {
	case failed != nil:
		return nil, &BackendError{Msg: failed.Message}
	case probed == nil || runErr != nil:
		return nil, fmt.Errorf("checking the server with the chapter's program: %v: %s", runErr, bytes.TrimSpace(out.Bytes()))
	}
	u, err := redisurl.WithDB(opt.RedisURL, probed.DB)
	if err != nil {
		return nil, &BackendError{Msg: "bad Redis URL"}
	}
	return &target{url: u, where: probed.Addr, user: probed.User}, nil
}
