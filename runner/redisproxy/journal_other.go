//go:build !linux

package redisproxy

import "os"

func newAppender(f *os.File) (appender, error) { return newAppended(f) }
