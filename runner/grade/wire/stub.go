package wire

import (
	"context"
	"reflect"
	"strings"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// StubArgs are harmless arguments for one call of f, to spot a function
// that is still its stub: ctx and rdb where f takes a context.Context and
// rdb's type, key for a string, 1 for an int, an empty map, a pointer for
// an interface (as LoadJSON's dst), and zero values for the rest. It
// returns nil when f is no function whose last result is an error: then
// its check says what is wrong with it. The checker calls it for the
// checks' own tests, which pass functions in as values, and the shim for
// the submission's; both link this package, and neither links the other.
func StubArgs(f any, ctx context.Context, rdb any, key string) []reflect.Value {
	ft := reflect.TypeOf(f)
	if ft == nil || ft.Kind() != reflect.Func || ft.NumOut() == 0 || ft.Out(ft.NumOut()-1) != errorType {
		return nil
	}
	n := ft.NumIn()
	if ft.IsVariadic() {
		n--
	}
	args := make([]reflect.Value, n)
	for i := range n {
		switch in := ft.In(i); {
		case in == ctxType:
			args[i] = reflect.ValueOf(ctx)
		case in == reflect.TypeOf(rdb):
			args[i] = reflect.ValueOf(rdb)
		case in.Kind() == reflect.String:
			args[i] = reflect.ValueOf(key).Convert(in)
		case in.Kind() == reflect.Int:
			args[i] = reflect.ValueOf(1).Convert(in)
		case in.Kind() == reflect.Map:
			args[i] = reflect.MakeMap(in)
		case in.Kind() == reflect.Interface:
			args[i] = reflect.ValueOf(new(any))
		default:
			args[i] = reflect.Zero(in)
		}
	}
	return args
}

// IsStub calls f with args (from StubArgs) and says whether it returned
// its stub's not-done error. A panic says it does something: its check
// will find the panic again.
func IsStub(f any, args []reflect.Value) (stub bool) {
	defer func() {
		if recover() != nil {
			stub = false
		}
	}()
	out := reflect.ValueOf(f).Call(args)
	err, _ := out[len(out)-1].Interface().(error)
	return err != nil && strings.HasPrefix(err.Error(), verdict.NotDonePrefix)
}

var (
	errorType = reflect.TypeFor[error]()
	ctxType   = reflect.TypeFor[context.Context]()
)
