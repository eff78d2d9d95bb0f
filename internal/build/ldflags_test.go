package build

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDetectLinkVars(t *testing.T) {
	t.Parallel()
	got, err := DetectLinkVars("testdata/linkvars", []string{"main.go"})
	if err != nil {
		t.Fatal(err)
	}
	want := []LinkVar{
		{LinkDate, "main.BuildDate"},
		{LinkCommit, "main.Commit"},
		{LinkDate, "main.buildTime"},
		{LinkBuiltBy, "main.builtBy"},
		{LinkDate, "main.date"},
		{LinkVersion, "main.version"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("DetectLinkVars (-want +got):\n%s", d)
	}
	if _, err := DetectLinkVars("testdata/linkvars", []string{"missing.go"}); err == nil {
		t.Error("missing file: want an error")
	}
}

func TestLdflags(t *testing.T) {
	t.Parallel()
	vals := LinkValues{Version: "1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-11-20T10:00:00Z"}
	for _, tc := range []struct {
		name    string
		vars    []LinkVar
		vals    LinkValues
		extra   string
		want    string
		wantErr string
	}{
		{name: "no vars", want: "-s -w -buildid="},
		{
			name: "all keys",
			vars: []LinkVar{{LinkVersion, "main.version"}, {LinkCommit, "main.commit"}, {LinkShortCommit, "example.com/x/internal/v.Short"}, {LinkDate, "main.date"}, {LinkBuiltBy, "main.builtBy"}},
			vals: vals,
			want: "-s -w -buildid= -X main.version=1.2.3 -X main.commit=0123456789abcdef0123456789abcdef01234567 -X example.com/x/internal/v.Short=0123456789ab -X main.date=2026-11-20T10:00:00Z -X main.builtBy=slipway",
		},
		{name: "unknown values are skipped", vars: []LinkVar{{LinkVersion, "main.version"}, {LinkCommit, "main.commit"}}, vals: LinkValues{Version: "1.0.0"}, want: "-s -w -buildid= -X main.version=1.0.0"},
		{name: "user flags last", vars: []LinkVar{{LinkVersion, "main.version"}}, vals: vals, extra: " -X main.version=override -linkmode=internal ", want: "-s -w -buildid= -X main.version=1.2.3 -X main.version=override -linkmode=internal"},
		{name: "value with space is quoted", vars: []LinkVar{{LinkVersion, "main.version"}}, vals: LinkValues{Version: "1.0 beta"}, want: "-s -w -buildid= -X 'main.version=1.0 beta'"},
		{name: "both quotes", vars: []LinkVar{{LinkVersion, "main.version"}}, vals: LinkValues{Version: `a'b"c d`}, wantErr: "both quote kinds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Ldflags(tc.vars, tc.vals, tc.extra)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Ldflags =\n %q\nwant\n %q", got, tc.want)
			}
		})
	}
}

func TestParseLinkVars(t *testing.T) {
	t.Parallel()
	got, err := ParseLinkVars([]string{"version=example.com/x/internal/buildinfo.Version", " date = main.BuildDate "})
	if err != nil {
		t.Fatal(err)
	}
	want := []LinkVar{{LinkVersion, "example.com/x/internal/buildinfo.Version"}, {LinkDate, "main.BuildDate"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
	for _, bad := range []string{"version", "color=main.color", "version=main", "version=main.", "version=.x", "version=main.v x", "version=main.v'$(touch pwned)'"} {
		if _, err := ParseLinkVars([]string{bad}); err == nil {
			t.Errorf("ParseLinkVars(%q): want an error", bad)
		}
	}
}

func TestSplitFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: "", want: nil},
		{in: "  -race   -v ", want: []string{"-race", "-v"}},
		{in: `-gcflags='all=-N -l' -tags "a b"`, want: []string{"-gcflags='all=-N", "-l'", "-tags", "a b"}},
		{in: `'-gcflags=all=-N -l' -v`, want: []string{"-gcflags=all=-N -l", "-v"}},
		{in: `$(touch pwned) ;rm -rf x`, want: []string{"$(touch", "pwned)", ";rm", "-rf", "x"}},
		{in: `'unterminated`, wantErr: true},
		{in: `'a'b`, wantErr: true},
	} {
		got, err := SplitFlags(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("SplitFlags(%q) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("SplitFlags(%q) (-want +got):\n%s", tc.in, d)
		}
	}
}

func TestDefaultBinaryAndCheck(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"example.com/hello":             "hello",
		"github.com/x/tool/v2":          "tool",
		"github.com/x/tool/v2/cmd/tool": "tool",
		"github.com/x/y/cmd/z":          "z",
		"gopkg.in/yaml.v3":              "yaml.v3",
	} {
		if got := DefaultBinary(in); got != want {
			t.Errorf("DefaultBinary(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", `a\b`, "../x", "x..y", "-flag", "c:x"} {
		if CheckBinary(bad) == nil {
			t.Errorf("CheckBinary(%q): want an error", bad)
		}
	}
	if err := CheckBinary("hello-world_2.exe"); err != nil {
		t.Error(err)
	}
}
