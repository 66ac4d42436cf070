package main

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"os"
	"strings"

	"github.com/redis-notebook/tutorial/runner/autograder"
	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/grade"
)

func init() {
	register(command{
		name:    "autograder",
		args:    "gradescope|docker -o OUT",
		summary: "write a Gradescope programming assignment's autograder zip, or a grading image's Dockerfile and files",
		setup:   setupAutograder,
	})
}

func setupAutograder(fs *flag.FlagSet) func([]string) int {
	out := fs.String("o", "", "the zip to write (gradescope; default autograder.zip), or the new folder of the image's files (docker; default grader-image)")
	exercises := fs.String("exercises", "", "the exercises the assignment covers: ids, ranges and names, or a chapter's package (1-6, redisbasics, 7,8); default all")
	goSums := fs.String("go-sha256", "", "a `FILE` of the Go toolchain tarballs' SHA-256 sums, a line per tarball as sha256sum prints them "+
		"(the sums go.dev/dl lists): setup.sh installs the toolchain it downloads only if its sum is there")
	goTarball := fs.String("go-tarball", "", "the Go toolchain's tarball (`FILE`, go1.X.linux-ARCH.tar.gz), downloaded and checked already: "+
		"its SHA-256 is the one setup.sh requires of its download")
	return func(args []string) int {
		if len(args) != 1 || (args[0] != "gradescope" && args[0] != "docker") {
			fs.Usage()
			return exitBadArgs
		}
		root, err := moduleRoot()
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		m, err := grade.LoadManifest(root)
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		sel, err := autograder.Select(m, *exercises)
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "--exercises: %v", err)
		}
		sums := autograder.GoChecksums{}
		for _, read := range []struct {
			path string
			read func(string) (autograder.GoChecksums, error)
		}{{*goSums, autograder.ReadGoChecksums}, {*goTarball, autograder.TarballChecksum}} {
			if read.path == "" {
				continue
			}
			more, err := read.read(read.path)
			if err != nil {
				return fail(os.Stderr, exitBadArgs, "%v", err)
			}
			maps.Copy(sums, more)
		}
		var names []string
		points := 0
		for _, e := range sel {
			names = append(names, fmt.Sprint(e.ID))
			points += e.Points
		}
		if args[0] == "docker" {
			if *out == "" {
				*out = "grader-image"
			}
			if _, err := autograder.Docker(root, sel, sums, *out); err != nil {
				return fail(os.Stderr, exitFailed, "%v", err)
			}
			fmt.Printf("wrote %s: an image that grades exercises %s (%d points); build it with docker build -t redis-course-grader %s (see its Dockerfile)\n",
				displayDir(*out), strings.Join(names, ", "), points, displayDir(*out))
			return exitOK
		}
		if *out == "" {
			*out = "autograder.zip"
		}
		var b bytes.Buffer
		if err := autograder.Gradescope(root, sel, sums, &b); err != nil {
			return fail(os.Stderr, exitFailed, "%v", err)
		}
		if err := build.WriteFile(*out, b.Bytes()); err != nil {
			return fail(os.Stderr, exitFailed, "%v", err)
		}
		fmt.Printf("wrote %s: Gradescope grades exercises %s (%d points); upload it as the assignment's autograder\n",
			displayDir(*out), strings.Join(names, ", "), points)
		return exitOK
	}
}
