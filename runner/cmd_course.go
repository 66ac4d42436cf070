package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/redis-notebook/tutorial/runner/course"
)

func init() {
	register(command{
		name:    "course",
		args:    "publish DIR",
		summary: "write the student-facing copy of the course into DIR: no solutions/, with a GitHub Classroom workflow",
		setup:   setupCourse,
	})
}

func setupCourse(fs *flag.FlagSet) func([]string) int {
	return func(args []string) int {
		if len(args) != 2 || args[0] != "publish" {
			fs.Usage()
			return exitBadArgs
		}
		root, err := moduleRoot()
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		files, err := course.Publish(root, args[1])
		if err != nil {
			return fail(os.Stderr, exitBadArgs, "%v", err)
		}
		fmt.Printf("wrote %d files into %s, without solutions/; GitHub Classroom grades it with %s\n",
			len(files), displayDir(args[1]), course.ClassroomWorkflow)
		return exitOK
	}
}
