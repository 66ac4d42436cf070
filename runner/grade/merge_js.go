//go:build js

package grade

// planMerge merges nothing in the page: the in-page check links package
// grade for its manifest and generated sources, never builds a class,
// and its download need not carry go/types and go/importer.
func planMerge(root, name string, variants []*Package, index []int) *mergePlan { return nil }
