package build

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEnviron(t *testing.T) {
	t.Parallel()
	host := map[string]string{
		"PATH": "/usr/bin", "HOME": "/home/u", "GOPROXY": "https://proxy.example", "GOCACHE": "/cache",
		"AWS_SECRET_ACCESS_KEY": "leak", "GITHUB_TOKEN": "leak", "CC": "clang", "GOFLAGS": "ignored: effective flags come from EnvOptions",
	}
	getenv := func(k string) string { return host[k] }
	for _, tc := range []struct {
		name string
		t    Target
		o    EnvOptions
		want []string
	}{
		{
			name: "pure",
			t:    Target{GOOS: "linux", GOARCH: "amd64"},
			want: []string{"CGO_ENABLED=0", "GOARCH=amd64", "GOCACHE=/cache", "GOFLAGS=-mod=readonly", "GOOS=linux", "GOPROXY=https://proxy.example", "HOME=/home/u", "PATH=/usr/bin"},
		},
		{
			name: "variant, user flags without -mod, vendor, own cache, extra",
			t:    Target{GOOS: "linux", GOARCH: "arm", Variant: "7"},
			o:    EnvOptions{Vendor: true, GOCACHE: "/empty", Extra: []string{"GOEXPERIMENT=jsonv2"}, GOFLAGS: "-mod=mod -buildvcs=false"},
			want: []string{"CGO_ENABLED=0", "GOARCH=arm", "GOARM=7", "GOCACHE=/empty", "GOEXPERIMENT=jsonv2", "GOFLAGS=-buildvcs=false -mod=vendor", "GOOS=linux", "GOPROXY=https://proxy.example", "HOME=/home/u", "PATH=/usr/bin"},
		},
		{
			name: "cgo inherits the C toolchain",
			t:    Target{GOOS: "darwin", GOARCH: "arm64"},
			o:    EnvOptions{CGO: true},
			want: []string{"CC=clang", "CGO_ENABLED=1", "GOARCH=arm64", "GOCACHE=/cache", "GOFLAGS=-mod=readonly", "GOOS=darwin", "GOPROXY=https://proxy.example", "HOME=/home/u", "PATH=/usr/bin"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Environ(getenv, tc.t, tc.o)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Environ (-want +got):\n%s", d)
			}
			if slices.ContainsFunc(got, func(kv string) bool { return strings.Contains(kv, "leak") }) {
				t.Error("a secret from the caller's environment reached the build")
			}
		})
	}
}

func TestParseEnv(t *testing.T) {
	t.Parallel()
	got, err := ParseEnv([]string{"A=1", "B_2=x=y", "EMPTY="})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"A=1", "B_2=x=y", "EMPTY="}, got); d != "" {
		t.Error(d)
	}
	for _, bad := range []string{"NOEQUALS", "=v", "1A=x", "A B=x", "GOOS=linux", "CGO_ENABLED=1", "$(touch pwned)=1"} {
		if _, err := ParseEnv([]string{bad}); err == nil {
			t.Errorf("ParseEnv(%q): want an error", bad)
		}
	}
}
