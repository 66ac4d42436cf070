package site

import "testing"

// Go in an exercise's prose is set as code; prose that only looks a bit
// like Go is left alone.
func TestGoInProse(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Turn v into JSON with json.Marshal and store it", "Turn v into JSON with <code>json.Marshal</code> and store it"},
		{"return json.Marshal's error", "return <code>json.Marshal</code>&#39;s error"},
		{"with SET (rdb.Set(ctx, key, b, 0)).", "with SET (<code>rdb.Set(ctx, key, b, 0)</code>)."},
		{"errors.Is(err, redis.Nil) sees it", "<code>errors.Is(err, redis.Nil)</code> sees it"},
		{"Count into a map[string]int first", "Count into a <code>map[string]int</code> first"},
		{"wrapped with %w, so", "wrapped with <code>%w</code>, so"},
		{"SaveJSON stores v, e.g. a map", "<code>SaveJSON</code> stores v, e.g. a map"},
		{"OtherName stays prose, and so does go-redis < 9", "OtherName stays prose, and so does go-redis &lt; 9"},
	} {
		if got := string(proseHTML(c.in, []string{"SaveJSON"})); got != c.want {
			t.Errorf("proseHTML(%q)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestDocHTML(t *testing.T) {
	got := string(docHTML("SaveJSON stores v.\n\nSteps:\n  - call json.Marshal\n  - SET it\n\nThen:\n\n\tcode := 1\n", []string{"SaveJSON"}))
	want := "<p><code>SaveJSON</code> stores v.</p>\n<p>Steps:</p>\n<ul>\n<li>call <code>json.Marshal</code></li>\n<li>SET it</li>\n</ul>\n<p>Then:</p>\n<pre>code := 1\n</pre>\n"
	if got != want {
		t.Errorf("docHTML gave\n%s\nwant\n%s", got, want)
	}
}
