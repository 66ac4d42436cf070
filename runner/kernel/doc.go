// Package kernel is what a generated chapter program links against: it
// opens the chapter's Redis (package redisbackend: an embedded miniredis
// or a real server), marks where each cell begins and ends, displays a
// cell's last expression, pauses in step mode, and reports what closing
// the backend did. Built for the browser (GOOS=js), it holds only the
// BrowserSession, which runs cells on request on an embedded server, and
// Format: nothing that reaches a real server.
//
// The runner starts the program with environment variables (see package
// protocol); without them the program runs plainly on miniredis, so the
// built binary can also be run by hand.
package kernel
