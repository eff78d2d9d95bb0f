package build

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testPorts(t *testing.T) Ports {
	t.Helper()
	b, err := os.ReadFile("testdata/ports.json")
	if err != nil {
		t.Fatal(err)
	}
	var ps Ports
	if err := json.Unmarshal(b, &ps); err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	ports := testPorts(t)
	for _, tc := range []struct {
		in      string
		want    Target
		wantErr string
	}{
		{in: "linux/amd64", want: Target{GOOS: "linux", GOARCH: "amd64"}},
		{in: " darwin/arm64 ", want: Target{GOOS: "darwin", GOARCH: "arm64"}},
		{in: "linux/arm/7", want: Target{GOOS: "linux", GOARCH: "arm", Variant: "7"}},
		{in: "linux/amd64/v3", want: Target{GOOS: "linux", GOARCH: "amd64", Variant: "v3"}},
		{in: "linux/mips/softfloat", want: Target{GOOS: "linux", GOARCH: "mips", Variant: "softfloat"}},
		{in: "linux", wantErr: "is not goos/goarch"},
		{in: "linux/", wantErr: "empty GOARCH"},
		{in: "/amd64", wantErr: "empty GOOS"},
		{in: "linux/amd64/v3/x", wantErr: "is not goos/goarch"},
		{in: "linux/amd64/", wantErr: "empty variant"},
		{in: "plan9/arm64", wantErr: "not a port of this Go toolchain"},
		{in: "windows/mips", wantErr: "not a port"},
		{in: "linux/amd64/v9", wantErr: "GOAMD64 must be one of v1, v2, v3, v4"},
		{in: "linux/s390x/z15", wantErr: "has no variants"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTarget(tc.in, ports)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseTarget(%q) error = %v, want %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("ParseTarget(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseTargets(t *testing.T) {
	t.Parallel()
	ports := testPorts(t)
	ts, dups, err := ParseTargets([]string{"linux/amd64", "all", "linux/arm/7", "linux/amd64"}, ports)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range ts {
		got = append(got, tg.String())
	}
	want := []string{"linux/amd64", "darwin/amd64", "darwin/arm64", "linux/386", "linux/arm", "linux/arm64", "windows/386", "windows/amd64", "linux/arm/7"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("targets (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"linux/amd64", "linux/amd64"}, dups); d != "" {
		t.Errorf("duplicates (-want +got):\n%s", d)
	}
	if _, _, err := ParseTargets(nil, ports); err == nil {
		t.Error("no targets: want an error")
	}
}

func TestTargetNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		t              Target
		str, slug, exe string
	}{
		{Target{"linux", "amd64", ""}, "linux/amd64", "linux_amd64", ""},
		{Target{"linux", "arm", "7"}, "linux/arm/7", "linux_arm_7", ""},
		{Target{"windows", "arm64", ""}, "windows/arm64", "windows_arm64", ".exe"},
	} {
		if got := tc.t.String(); got != tc.str {
			t.Errorf("String() = %q, want %q", got, tc.str)
		}
		if got := tc.t.Slug(); got != tc.slug {
			t.Errorf("Slug() = %q, want %q", got, tc.slug)
		}
		if got := tc.t.Exe(); got != tc.exe {
			t.Errorf("Exe() = %q, want %q", got, tc.exe)
		}
	}
}
