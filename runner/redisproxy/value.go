package redisproxy

import (
	"bufio"
	"strconv"

	"github.com/redis-notebook/tutorial/runner/resp"
)

// commandLimits bound what a chapter's program may send in one command,
// as the server's own do; it may type inline commands too, as redis-cli
// and telnet send them.
var commandLimits = resp.Limits{MaxArgs: resp.ServerLimits.MaxArgs, MaxBulk: resp.ServerLimits.MaxBulk, Inline: true}

// readCommand reads one command a client sent.
func readCommand(r *bufio.Reader) ([][]byte, error) {
	args, _, err := resp.ReadCommand(r, commandLimits)
	return args, err
}

// A Value is a reply to the proxy's own commands: string, int64, bool,
// []Value, nil, or a *ReplyError.
type Value = any

// A ReplyError is an error reply from the server.
type ReplyError struct{ Msg string }

func (e *ReplyError) Error() string { return e.Msg }

// readValue reads one reply, for the proxy's own commands.
func readValue(r *bufio.Reader) (Value, error) {
	rep, err := resp.ReadReply(r, resp.ServerLimits)
	if err != nil {
		return nil, err
	}
	return value(rep)
}

func value(rep resp.Reply) (Value, error) {
	switch {
	case rep.Null:
		return nil, nil
	case rep.Kind == '-' || rep.Kind == '!':
		return &ReplyError{Msg: rep.Text}, nil
	case rep.Kind == ':':
		return strconv.ParseInt(rep.Text, 10, 64)
	case rep.Kind == '#':
		return rep.Text == "t", nil
	case rep.Elems != nil:
		vals := make([]Value, len(rep.Elems))
		for i, e := range rep.Elems {
			var err error
			if vals[i], err = value(e); err != nil {
				return nil, err
			}
		}
		return vals, nil
	}
	return rep.Text, nil
}
