// Package shim is the body of the small program the grader generates
// around a graded package: it calls the package's functions when the
// checker asks, with a Redis client whose every command goes through the
// checker, and answers with what they returned.
//
// Nothing here is trusted. The program links the submission's code, which
// can rewrite anything in it; the checker, a separate process, decides
// every verdict from what it asked, what came back, the commands it saw
// and what is in Redis. A shim that lies only misreports its own answers.
package shim

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"runtime/debug"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/grade/wire"
)

// Unusable stands for a function the package declares but the shim cannot
// pass as a value (it has type parameters): the reason why.
type Unusable string

// Request and response descriptors: the checker passes the shim these two
// pipes, apart from standard output and error, which are the submission's.
const (
	requestsFD  = 3
	responsesFD = 4
)

// Main serves the checker until it closes the requests pipe.
func Main(funcs map[string]any) {
	sock := flag.String("redis", "", "the Unix socket where the checker serves Redis")
	flag.Parse()
	serveMain(funcs, *sock)
}

// MainBatch is Main for a program that links several graded packages
// (a class's, each under an import path of its own): it serves the
// functions of the one its -sub flag names, which funcs returns (nil: no
// such package). Taking the other packages' functions as values runs none
// of their code; the grader links together only packages whose
// initialization runs none either.
func MainBatch(funcs func(sub string) map[string]any) {
	sock := flag.String("redis", "", "the Unix socket where the checker serves Redis")
	sub := flag.String("sub", "", "the package to serve")
	flag.Parse()
	f := funcs(*sub)
	if f == nil {
		os.Exit(3)
	}
	serveMain(f, *sock)
}

func serveMain(funcs map[string]any, sock string) {
	err := Serve(funcs, os.NewFile(requestsFD, "requests"), os.NewFile(responsesFD, "responses"),
		redis.Options{
			Network: "unix", Addr: sock,
			// Framed: the gate counts round trips by the client's own
			// reads, never by how fast a big pipeline arrives.
			Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return wire.Frame(c)
			},
		})
	if err != nil {
		os.Exit(3)
	}
	os.Exit(0)
}

// Serve answers the checker's requests, read from requests, on
// responses, until requests end (nil) or an answer cannot be sent. opt
// says where the checker serves Redis (its address, or a Dialer); the
// rest of the client's options are the shim's. The shim's process calls
// it through Main; the in-page check (package browsercheck), where the
// learner's code and the checks share one program, calls it directly.
func Serve(funcs map[string]any, requests io.Reader, responses io.Writer, opt redis.Options) error {
	// RESP2: the checker's gate speaks it, and HELLO is refused.
	opt.Protocol, opt.DisableIdentity, opt.MaxRetries = 2, true, -1
	rdb := redis.NewClient(&opt)
	defer rdb.Close()
	calls := &callWatch{}
	rdb.AddHook(calls)
	conn := wire.NewConn(requests, responses)
	hello := wire.Hello{Funcs: map[string]string{}}
	for name, f := range funcs {
		if u, ok := f.(Unusable); ok {
			hello.Funcs[name] = "unusable: " + string(u)
			continue
		}
		hello.Funcs[name] = reflect.TypeOf(f).String()
	}
	if err := conn.Send(hello); err != nil {
		return err
	}
	ctx := context.Background()
	for {
		var req wire.Request
		if err := conn.Receive(&req); err != nil {
			return nil
		}
		f, ok := funcs[req.Func]
		var resp wire.Response
		if req.Func != "" {
			calls.begin()
		}
		switch {
		case req.Func == "":
			// Nothing to call: the checker asks what was refused.
		case !ok:
			resp.Problem = "no function " + req.Func
		case req.IsStub:
			resp.NotDone = isStub(ctx, rdb, f, req.Key)
		default:
			resp = call(ctx, rdb, reflect.ValueOf(f), req.Args)
		}
		resp.Unfinished = calls.end()
		resp.Late = calls.takeLate()
		resp.Seq = req.Seq
		if err := conn.Send(resp); err != nil {
			return err
		}
	}
}

var (
	errorType  = reflect.TypeFor[error]()
	ctxType    = reflect.TypeFor[context.Context]()
	clientType = reflect.TypeFor[*redis.Client]()
)

// call calls f(ctx, rdb, args...).
func call(ctx context.Context, rdb *redis.Client, f reflect.Value, args []wire.Value) (resp wire.Response) {
	ft := f.Type()
	if ft.Kind() != reflect.Func || ft.NumIn() < 2 || ft.In(0) != ctxType || ft.In(1) != clientType {
		return wire.Response{Problem: fmt.Sprintf("cannot call a %s", ft)}
	}
	in := []reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(rdb)}
	for i, a := range args {
		v, err := wire.Decode(a)
		if err != nil {
			return wire.Response{Problem: err.Error()}
		}
		if 2+i >= ft.NumIn() {
			return wire.Response{Problem: fmt.Sprintf("too many arguments for a %s", ft)}
		}
		pt := ft.In(2 + i)
		switch {
		case !v.IsValid():
			v = reflect.Zero(pt)
		case v.Type().AssignableTo(pt):
		case v.Type().ConvertibleTo(pt):
			v = v.Convert(pt)
		default:
			return wire.Response{Problem: fmt.Sprintf("argument %d: a %s is no %s", i+1, v.Type(), pt)}
		}
		in = append(in, v)
	}
	if len(in) != ft.NumIn() {
		return wire.Response{Problem: fmt.Sprintf("%d arguments for a %s", len(in), ft)}
	}
	defer func() {
		if p := recover(); p != nil {
			resp = wire.Response{Panic: fmt.Sprint(p), Stack: string(debug.Stack())}
		}
	}()
	var out []reflect.Value
	if ft.IsVariadic() {
		out = f.CallSlice(in)
	} else {
		out = f.Call(in)
	}
	for i, o := range out {
		if i == len(out)-1 && ft.Out(i) == errorType {
			if err, _ := o.Interface().(error); err != nil {
				resp.Err = &wire.Error{Text: err.Error(), RedisNil: errors.Is(err, redis.Nil)}
			}
			continue
		}
		b, err := json.Marshal(o.Interface())
		if err != nil {
			return wire.Response{Problem: fmt.Sprintf("result %d: %v", i+1, err)}
		}
		resp.Results = append(resp.Results, b)
	}
	for i, a := range args {
		var b json.RawMessage
		if strings.HasPrefix(a.Type, "*") {
			b, _ = json.Marshal(in[2+i].Interface())
		}
		resp.Outs = append(resp.Outs, b)
	}
	return resp
}

// isStub calls f once with harmless arguments and says whether it
// returned its stub's not-done error.
func isStub(ctx context.Context, rdb *redis.Client, f any, key string) bool {
	if _, ok := f.(Unusable); ok {
		return false
	}
	args := wire.StubArgs(f, ctx, rdb, key)
	if args == nil {
		return false // the check will say what is wrong with it
	}
	return wire.IsStub(f, args)
}
