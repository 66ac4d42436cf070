//go:build js

package browsercheck

import (
	"io"
	"syscall/js"
)

// capture sends what the program prints to w until restore. On js,
// package syscall writes standard output and error with the host's
// fs.write (wasm_exec.js's, or Node's fs module), which it looks up on
// every write: replaced here for descriptors 1 and 2, it hands their
// bytes to w and says they were written. JavaScript calls it during
// Go's call to fs.write, on the writing goroutine, so it must not block:
// w is the checker's capped buffer.
func capture(w io.Writer) (restore func()) {
	fs := js.Global().Get("fs")
	orig := fs.Get("write")
	reflect := js.Global().Get("Reflect")
	write := js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) < 6 || (args[0].Int() != 1 && args[0].Int() != 2) {
			all := make([]any, len(args))
			for i, a := range args {
				all[i] = a
			}
			return reflect.Call("apply", orig, this, js.ValueOf(all))
		}
		offset, length := args[2].Int(), args[3].Int()
		b := make([]byte, length)
		js.CopyBytesToGo(b, args[1].Call("subarray", offset, offset+length))
		w.Write(b)
		if args[0].Int() == 2 {
			// Also to the host's standard error: code that ends the whole
			// program (log.Fatal) leaves no report, and the page shows
			// this instead. Standard output stays the report's.
			if fsync := js.Global().Get("fs").Get("writeSync"); fsync.Type() == js.TypeFunction {
				js.Global().Get("fs").Call("writeSync", 2, args[1].Call("subarray", offset, offset+length))
			}
		}
		args[5].Invoke(js.Null(), length)
		return nil
	})
	fs.Set("write", write)
	return func() {
		fs.Set("write", orig)
		write.Release()
	}
}
