// Command godocgen writes chapter 3's corpus: the package documentation
// of Go's standard library, one HTML page per package, rendered from the
// sources of the Go that runs it (go/doc, go/doc/comment, html/template),
// into one zip file. The same Go version writes the same bytes.
//
//	go run ./chapters/godocgen            # writes chapters/godoc.zip
//	go run ./chapters/godocgen -o FILE
package main

import (
	"flag"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"runtime"
)

func main() {
	out := flag.String("o", filepath.Join("chapters", "godoc.zip"), "the zip file to write")
	flag.Parse()
	data, n, err := Corpus(build.Default.GOROOT)
	if err != nil {
		fmt.Fprintln(os.Stderr, "godocgen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "godocgen:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d pages, %d bytes, from %s\n", *out, n, len(data), runtime.Version())
}
