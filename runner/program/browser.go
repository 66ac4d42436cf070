package program

import (
	"strconv"
	"strings"
)

// embedFiles declares chapterFiles, the embedded data files a Browser
// program hands to kernel.StartBrowser: a browser has no folder to read
// them from. With no files it is an empty file system.
func embedFiles(names []string) string {
	if len(names) == 0 {
		return "var chapterFiles embed.FS // the chapter's folder has no data files\n\n"
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	return "//go:embed " + strings.Join(quoted, " ") + "\nvar chapterFiles embed.FS\n\n"
}
