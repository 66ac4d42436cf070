package resp

import (
	"bufio"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// WriteCommand writes args as a command: a RESP array of bulk strings.
func WriteCommand(w *bufio.Writer, args [][]byte) {
	w.WriteByte('*')
	w.WriteString(strconv.Itoa(len(args)))
	w.WriteString("\r\n")
	for _, a := range args {
		w.WriteByte('$')
		w.WriteString(strconv.Itoa(len(a)))
		w.WriteString("\r\n")
		w.Write(a)
		w.WriteString("\r\n")
	}
}

// ErrorReply is an error reply. Line breaks in msg become spaces.
func ErrorReply(msg string) []byte {
	msg = strings.NewReplacer("\r", " ", "\n", " ").Replace(msg)
	return []byte("-" + msg + "\r\n")
}

// Bulk is a bulk string reply.
func Bulk(s string) []byte { return fmt.Appendf(nil, "$%d\r\n%s\r\n", len(s), s) }

// Null is the RESP2 null reply.
var Null = []byte("$-1\r\n")

// Encode writes a value, as a Redis client library decodes replies, as a
// RESP2 reply: strings as bulk strings, integers, arrays, and maps
// flattened to arrays of key, value (as RESP2 servers send them).
func Encode(v any) []byte {
	var b []byte
	return appendValue(b, v)
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, Null...)
	case string:
		return fmt.Appendf(b, "$%d\r\n%s\r\n", len(v), v)
	case []byte:
		return fmt.Appendf(b, "$%d\r\n%s\r\n", len(v), v)
	case int64:
		return fmt.Appendf(b, ":%d\r\n", v)
	case int:
		return fmt.Appendf(b, ":%d\r\n", v)
	case bool:
		if v {
			return append(b, ":1\r\n"...)
		}
		return append(b, ":0\r\n"...)
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		return fmt.Appendf(b, "$%d\r\n%s\r\n", len(s), s)
	case *big.Int:
		s := v.String()
		return fmt.Appendf(b, "$%d\r\n%s\r\n", len(s), s)
	case []string:
		b = fmt.Appendf(b, "*%d\r\n", len(v))
		for _, e := range v {
			b = appendValue(b, e)
		}
		return b
	case []any:
		b = fmt.Appendf(b, "*%d\r\n", len(v))
		for _, e := range v {
			b = appendValue(b, e)
		}
		return b
	case map[any]any:
		b = fmt.Appendf(b, "*%d\r\n", 2*len(v))
		for k, e := range v {
			b = appendValue(b, k)
			b = appendValue(b, e)
		}
		return b
	case map[string]string:
		b = fmt.Appendf(b, "*%d\r\n", 2*len(v))
		for k, e := range v {
			b = appendValue(b, k)
			b = appendValue(b, e)
		}
		return b
	case error:
		return append(b, ErrorReply(v.Error())...)
	}
	s := fmt.Sprint(v)
	return fmt.Appendf(b, "$%d\r\n%s\r\n", len(s), s)
}
