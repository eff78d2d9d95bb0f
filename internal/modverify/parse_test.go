package modverify

import (
	"errors"
	"go/build/constraint"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSum(t *testing.T) {
	t.Parallel()
	sf, err := ParseSum("go.sum", []byte("a.example/m v1.0.0 h1:x=\n\na.example/m v1.0.0/go.mod h1:y=\nb.example/n v2.0.0+incompatible h1:z=\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []SumLine{
		{Line: 1, Path: "a.example/m", Version: "v1.0.0", Hash: "h1:x="},
		{Line: 3, Path: "a.example/m", Version: "v1.0.0", Mod: true, Hash: "h1:y="},
		{Line: 4, Path: "b.example/n", Version: "v2.0.0+incompatible", Hash: "h1:z="},
	}
	if d := cmp.Diff(want, sf.Lines); d != "" {
		t.Errorf("lines (-want +got):\n%s", d)
	}
	if l, ok := sf.Find("a.example/m", "v1.0.0", true); !ok || l.Line != 3 || l.Key() != "a.example/m@v1.0.0/go.mod" {
		t.Errorf("Find = %+v, %v", l, ok)
	}
	for _, tc := range []struct{ in, want string }{
		{"a.example/m v1.0.0\n", "want three fields"},
		{"a.example/m v1.0.0 h1:x= extra\n", "want three fields"},
		{"ok.example/m v1.0.0 h1:x=\nBAD PATH v1.0.0 h1:x=\n", "go.sum:2"},
		{"a.example/m v1.0.0 nohash\n", "no algorithm prefix"},
	} {
		_, err := ParseSum("go.sum", []byte(tc.in))
		var pe *SumParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSum(%q) = %v, want a SumParseError with %q", tc.in, err, tc.want)
		}
	}
}

func TestParseUnifiedDiff(t *testing.T) {
	t.Parallel()
	diff := `diff current/go.mod tidy/go.mod
--- current/go.mod
+++ tidy/go.mod
@@ -4,9 +4,6 @@
 
-require (
-	example.com/dep v1.0.0
-	example.com/old v1.0.0
-)
+require example.com/dep v1.0.0
 
 require example.com/lib v1.0.0 // indirect
diff current/go.sum tidy/go.sum
--- current/go.sum
+++ tidy/go.sum
@@ -3,5 +3,3 @@
 example.com/lib v1.0.0 h1:a=
 example.com/lib v1.0.0/go.mod h1:b=
-example.com/old v1.0.0 h1:c=
-example.com/old v1.0.0/go.mod h1:d=
`
	hunks, err := ParseUnifiedDiff(diff)
	if err != nil {
		t.Fatal(err)
	}
	want := []Hunk{
		{File: "go.mod", Line: 5, Removed: []string{"require (", "\texample.com/dep v1.0.0", "\texample.com/old v1.0.0", ")"}, Added: []string{"require example.com/dep v1.0.0"}},
		{File: "go.sum", Line: 5, Removed: []string{"example.com/old v1.0.0 h1:c=", "example.com/old v1.0.0/go.mod h1:d="}},
	}
	if d := cmp.Diff(want, hunks); d != "" {
		t.Errorf("hunks (-want +got):\n%s", d)
	}
	if got := describeHunk(want[0]); got != "remove `require (`, `example.com/dep v1.0.0`, `example.com/old v1.0.0`; add `require example.com/dep v1.0.0`" {
		t.Errorf("describeHunk = %s", got)
	}
	if _, err := ParseUnifiedDiff("--- a/go.mod\n@@ nonsense\n"); err == nil {
		t.Error("a malformed hunk header parsed")
	}
}

func TestCompareGo(t *testing.T) {
	t.Parallel()
	ordered := []string{"1.16", "1.21", "1.21rc1", "1.21rc2", "1.21.0", "go1.21.3", "1.22", "1.22.0", "go1.26.8", "1.27"}
	for i := range ordered {
		for k := range ordered {
			c, ok := compareGo(ordered[i], ordered[k])
			want := 0
			switch {
			case i < k:
				want = -1
			case i > k:
				want = 1
			}
			if ordered[i] == "1.22" && ordered[k] == "1.22.0" || ordered[i] == "1.22.0" && ordered[k] == "1.22" {
				continue // 1.22 (language version) < 1.22.0 (release): asserted by the order below
			}
			if !ok || c != want {
				t.Errorf("compareGo(%s, %s) = %d, %v; want %d", ordered[i], ordered[k], c, ok, want)
			}
		}
	}
	if _, ok := compareGo("devel go1.27-abc", "1.22"); ok {
		t.Error("a devel version compared")
	}
}

func TestParseChecks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      []string
		want    []string
		wantErr string
	}{
		{in: []string{"all"}, want: allChecks},
		{in: []string{"sumdb", "verify"}, want: []string{CheckVerify, CheckSumDB}},
		{in: []string{"all", "-sumdb", "-diff"}, want: []string{CheckEnvironment, CheckToolchain, CheckReplace, CheckBuildConstraints, CheckVerify, CheckTidy, CheckVendor, CheckRetracted}},
		{in: []string{"VERIFY"}, want: []string{CheckVerify}},
		{in: []string{"verify", "lint"}, wantErr: `"lint" is not a check`},
		{in: []string{"-all"}, wantErr: `"-all" is not a check`},
		{in: nil, wantErr: "no check given"},
		{in: []string{"verify", "-verify"}, wantErr: "leaves no check"},
	} {
		got, err := ParseChecks(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseChecks(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if d := cmp.Diff(tc.want, got); err != nil || d != "" {
			t.Errorf("ParseChecks(%q) = %v (-want +got):\n%s", tc.in, err, d)
		}
	}
}

func TestEquivalentConstraints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b    string
		same    bool
		witness string
	}{
		{"//go:build linux && amd64", "// +build linux,amd64", true, ""},
		{"//go:build linux || darwin", "// +build linux darwin", true, ""},
		{"//go:build !windows", "// +build !windows", true, ""},
		{"//go:build linux && amd64", "// +build linux", false, "linux"},
		{"//go:build ignore", "// +build !ignore", false, "(none)"},
	} {
		a, err := constraint.Parse(tc.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := constraint.Parse(tc.b)
		if err != nil {
			t.Fatal(err)
		}
		w, same := equivalent(a, b)
		if same != tc.same || w != tc.witness {
			t.Errorf("equivalent(%s, %s) = %q, %v; want %q, %v", tc.a, tc.b, w, same, tc.witness, tc.same)
		}
	}
}

func TestInsecureFlag(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{"-insecure": true, "-mod=mod --insecure": true, "-insecure=true": true, "-buildvcs=false": false, "": false, "-trimpath": false} {
		if got := hasInsecureFlag(in); got != want {
			t.Errorf("hasInsecureFlag(%q) = %v", in, got)
		}
	}
}
