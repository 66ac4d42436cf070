//go:build !unix

package redisconn

import "net"

// SpinReads returns nc as it is: polling the socket is done on Unix only.
func SpinReads(nc net.Conn) net.Conn { return nc }
