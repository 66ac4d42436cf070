package embedded

import (
	"strconv"

	"github.com/alicebob/miniredis/v2/server"
)

// ttl answers TTL as Redis does, rounding the time left to the nearest
// second; miniredis rounds down, so a key set with EX 10 would show 9s as
// soon as a millisecond has passed.
func (p *pager) ttl(c *server.Peer, args []string) bool {
	if len(args) != 1 {
		return false
	}
	reply := p.dispatch(c, []string{"PTTL", args[0]})
	rep, ok := parseReply(reply)
	if !ok || rep.Kind != ':' {
		return false
	}
	ms, err := strconv.ParseInt(rep.Text, 10, 64)
	if err != nil {
		return false
	}
	if ms < 0 { // -2: no such key; -1: no TTL
		c.WriteInt(int(ms))
		return true
	}
	c.WriteInt(int((ms + 500) / 1000))
	return true
}
