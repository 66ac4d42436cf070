package redisconn

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// A PermissionError is the server's NOPERM, said so that a learner on a
// hosted server with a limited ACL user knows which command was refused,
// that the run needs it, and what to ask for.
type PermissionError struct {
	User    string // the ACL user
	Command string // the refused command, upper case: "HSCAN"
	Why     string // what needs it: "the chapter needs it"
	Server  string // the server's own message
}

func (e *PermissionError) Error() string {
	what := "run " + e.Command
	grant := fmt.Sprintf("ACL SETUSER %s +%s", e.User, strings.ToLower(e.Command))
	switch {
	case strings.Contains(e.Server, "access a key"):
		what = "use the keys " + e.Command + " names"
		grant = fmt.Sprintf("ACL SETUSER %s ~*", e.User)
	case strings.Contains(e.Server, "access a channel"):
		what = "use the channels " + e.Command + " names"
		grant = fmt.Sprintf("ACL SETUSER %s &*", e.User)
	}
	return fmt.Sprintf("NOPERM: Redis user %q may not %s, and %s; ask for it (%s) or use a user that may",
		e.User, what, e.Why, grant)
}

// RedisError marks the error as the server's answer, as go-redis's own
// are: the connection that carried it is fine.
func (e *PermissionError) RedisError() {}

var _ redis.Error = (*PermissionError)(nil)

// isPermission tells a NOPERM answer.
func isPermission(err error) bool {
	return err != nil && isServerError(err) && strings.HasPrefix(err.Error(), "NOPERM")
}

// Explain turns a NOPERM answer to command into a PermissionError saying
// why the run needs it; other errors come back as they are.
func Explain(err error, opt *redis.Options, command, why string) error {
	if _, done := err.(*PermissionError); done || !isPermission(err) {
		return err
	}
	return &PermissionError{User: user(opt), Command: strings.ToUpper(command), Why: why, Server: err.Error()}
}

// PermissionHook is a go-redis hook that explains every NOPERM answer the
// run's commands get: which command, and that the run needs it.
func PermissionHook(opt *redis.Options) redis.Hook { return permissionHook{opt} }

type permissionHook struct{ opt *redis.Options }

const runNeeds = "this run needs it"

func (h permissionHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h permissionHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if isPermission(err) {
			err = Explain(err, h.opt, cmd.Name(), runNeeds)
			cmd.SetErr(err)
		}
		return err
	}
}

func (h permissionHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, cmd := range cmds {
			if isPermission(cmd.Err()) {
				cmd.SetErr(Explain(cmd.Err(), h.opt, cmd.Name(), runNeeds))
			}
		}
		if isPermission(err) {
			for _, cmd := range cmds {
				if isPermission(cmd.Err()) {
					return cmd.Err()
				}
			}
		}
		return err
	}
}
