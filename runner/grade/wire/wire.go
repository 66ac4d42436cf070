// Package wire is what the grader's checker and the shim around a graded
// package say to each other: the checker asks the shim to call one of the
// package's functions, and the shim answers with what it returned. The
// checker decides the verdict; the shim, which links the submission's code,
// only carries values. It depends on nothing but package verdict, so both
// sides link it.
//
// Arguments and results travel as JSON, each argument tagged with its Go
// type (a name in Types), so that the shim can rebuild a value of the same
// type: a profile struct, a map, a pointer for a function to fill, or a
// channel, which has no JSON form at all.
package wire

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// Profile is exercise 1's generated value: the kinds of fields JSON has
// (numbers, strings, booleans, lists, nested objects, null). It lives
// here so that the shim can build one for the submission's function.
type Profile struct {
	ID      int               `json:"id"`
	Name    string            `json:"name"`
	Admin   bool              `json:"admin"`
	Score   float64           `json:"score"`
	Tags    []string          `json:"tags"`
	Address map[string]string `json:"address"`
	Boss    *Profile          `json:"boss"`
}

// Types are the types an argument may have, by the name that tags it.
var Types = map[string]reflect.Type{
	"string":              reflect.TypeFor[string](),
	"int":                 reflect.TypeFor[int](),
	"float64":             reflect.TypeFor[float64](),
	"[]string":            reflect.TypeFor[[]string](),
	"map[string]any":      reflect.TypeFor[map[string]any](),
	"map[string][]string": reflect.TypeFor[map[string][]string](),
	"profile":             reflect.TypeFor[Profile](),
	"chan int":            reflect.TypeFor[chan int](),
}

// A Value is one argument: its type's name (in Types, or "*" and a name
// for a pointer, or "nil"), and its JSON. A channel has no JSON: the
// shim makes a new one.
type Value struct {
	Type string          `json:"type"`
	JSON json.RawMessage `json:"json,omitempty"`
}

// Hello is the shim's first message: the functions the package declares,
// each with its type as reflect writes it, or "unusable: why".
type Hello struct {
	Funcs map[string]string `json:"funcs"`
}

// A Request asks the shim to call one function. Seq numbers requests, so
// that an answer is known to be the answer to this request.
type Request struct {
	Seq  int     `json:"seq"`
	Func string  `json:"func"`
	Args []Value `json:"args,omitempty"` // after ctx and rdb
	// IsStub asks instead whether the function is still its stub:
	// called with harmless arguments (Key for its strings), does it
	// return the not-done error?
	IsStub bool   `json:"is_stub,omitempty"`
	Key    string `json:"key,omitempty"`
}

// A Response is what the call returned.
type Response struct {
	Seq     int               `json:"seq"`
	Results []json.RawMessage `json:"results,omitempty"` // all but the error
	Err     *Error            `json:"err,omitempty"`
	// Outs are the pointer arguments' targets after the call, in the
	// order of Args (null for the others): what a function such as
	// LoadJSON wrote into them.
	Outs    []json.RawMessage `json:"outs,omitempty"`
	Panic   string            `json:"panic,omitempty"` // the call panicked with this value
	Stack   string            `json:"stack,omitempty"`
	NotDone bool              `json:"not_done,omitempty"` // an IsStub's answer
	// Unfinished counts the commands the call had started and not yet
	// seen answered when it returned: a goroutine of its still at work.
	Unfinished int `json:"unfinished,omitempty"`
	// Late are commands the shim refused since its last answer because
	// no call was running: sent from init, or after a function returned.
	Late []string `json:"late,omitempty"`
	// Problem says the call could not be made as asked (a type the shim
	// cannot build): the checker reports it as its own error.
	Problem string `json:"problem,omitempty"`
}

// An Error is a returned error: its text, and whether errors.Is(err,
// redis.Nil) held.
type Error struct {
	Text     string `json:"text"`
	RedisNil bool   `json:"redis_nil,omitempty"`
}

// Encode describes v as a Value.
func Encode(v any) (Value, error) {
	if v == nil {
		return Value{Type: "nil"}, nil
	}
	t := reflect.TypeOf(v)
	prefix := ""
	if t.Kind() == reflect.Pointer {
		prefix, t = "*", t.Elem()
		v = reflect.ValueOf(v).Elem().Interface()
	}
	name := TypeName(t)
	if name == "" {
		return Value{}, fmt.Errorf("wire: no name for type %s", t)
	}
	if t.Kind() == reflect.Chan {
		return Value{Type: prefix + name}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return Value{}, err
	}
	return Value{Type: prefix + name, JSON: b}, nil
}

// TypeName is t's name in Types, or "".
func TypeName(t reflect.Type) string {
	for name, tt := range Types {
		if tt == t {
			return name
		}
	}
	return ""
}

// Decode rebuilds a Value: a new value of its type, as a reflect.Value
// (a pointer for "*" types).
func Decode(v Value) (reflect.Value, error) {
	if v.Type == "nil" {
		return reflect.Value{}, nil
	}
	name, ptr := v.Type, false
	if len(name) > 0 && name[0] == '*' {
		name, ptr = name[1:], true
	}
	t, ok := Types[name]
	if !ok {
		return reflect.Value{}, fmt.Errorf("wire: unknown type %q", v.Type)
	}
	p := reflect.New(t)
	switch {
	case t.Kind() == reflect.Chan:
		p.Elem().Set(reflect.MakeChan(t, 0))
	case len(v.JSON) > 0:
		if err := json.Unmarshal(v.JSON, p.Interface()); err != nil {
			return reflect.Value{}, fmt.Errorf("wire: %s: %v", v.Type, err)
		}
	}
	if ptr {
		return p, nil
	}
	return p.Elem(), nil
}

// A Conn reads and writes messages, one JSON document per line.
type Conn struct {
	r *bufio.Reader
	w io.Writer
}

// NewConn reads from r and writes to w.
func NewConn(r io.Reader, w io.Writer) *Conn {
	return &Conn{r: bufio.NewReaderSize(r, 1<<16), w: w}
}

// MaxMessage bounds a message: a shim that writes without end must not
// fill the checker's memory.
const MaxMessage = 64 << 20

// Send writes one message.
func (c *Conn) Send(msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	_, err = c.w.Write(append(b, '\n'))
	return err
}

// Receive reads one message into msg.
func (c *Conn) Receive(msg any) error {
	var line []byte
	for {
		chunk, err := c.r.ReadSlice('\n')
		line = append(line, chunk...)
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			if len(line) > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if len(line) > MaxMessage {
			return fmt.Errorf("wire: a message longer than %d bytes", MaxMessage)
		}
	}
	// Strict: a line that is not this message (something else the
	// program wrote on the pipe) is an error, not an empty message.
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	return dec.Decode(msg)
}
