package grade

import (
	"strings"
	"testing"
)

// TestParseManifest: the manifest's mistakes are refused with the file,
// and the line where there is one; ids and names select across packages.
func TestParseManifest(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`{"packages": [{"package": "a", "exercises": [{"id": 1, "name": "x", "file": "01_x.go"}]},
		  {"package": "b", "exercises": [{"id": 1, "name": "y", "file": "01_y.go"}]}]}`, "unique across packages"},
		{`{"packages": [{"package": "a", "exercises": [{"id": 1, "name": "x", "file": "01_x.go"}]},
		  {"package": "b", "exercises": [{"id": 2, "name": "X", "file": "02_x.go"}]}]}`, "unique across packages"},
		{`{"packages": [{"package": "a", "exercises": [{"id": 1, "name": "x"}]}]}`, "needs an id > 0, a name and a file"},
		{`{"packages": [{"package": "a", "exercises": [{"id": 1, "name": "x", "file": "01_x.go"}]},
		  {"package": "a", "exercises": []}]}`, "a name of its own"},
		{`{"packages": []}`, "no exercises"},
		{"{\n\"package\": \"redisbasics\"}", "m.json:2: json: unknown field"},
		{"{\"packages\": [\n{\"package\": 3}]}", "m.json:2:"},
	} {
		_, err := parseManifest("m.json", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "m.json") {
			t.Errorf("%s: error %v, want one saying %q", tc.src, err, tc.want)
		}
	}
	m, err := parseManifest("m.json", []byte(`{"packages": [
		{"package": "a", "exercises": [{"id": 1, "name": "x", "file": "01_x.go"}, {"id": 2, "name": "y", "file": "02_y.go"}]},
		{"package": "b", "exercises": [{"id": 3, "name": "z", "file": "03_z.go"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for arg, want := range map[string]string{"3": "b", "z": "b", "X": "a", "2": "a"} {
		ex, err := m.Select(arg)
		if err != nil || len(ex) != 1 || ex[0].Package != want {
			t.Errorf("Select(%q) = %v, %v; want one exercise of package %s", arg, ex, err, want)
		}
	}
	if _, err := m.Select("4"); err == nil || !strings.Contains(err.Error(), "1 x, 2 y, 3 z") {
		t.Errorf("Select(4): %v, want the list of exercises", err)
	}
	all, _ := m.Select("")
	sets := m.ByPackage(all)
	if len(sets) != 2 || len(sets[0].Exercises) != 2 || sets[1].Package != "b" {
		t.Errorf("ByPackage split %v into %v", all, sets)
	}
}
