package build

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

func mustTargets(t *testing.T, ports Ports, list ...string) []Target {
	t.Helper()
	ts, _, err := ParseTargets(list, ports)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestPlanGolden(t *testing.T) {
	t.Parallel()
	ports := testPorts(t)
	six := []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}
	for _, tc := range []struct {
		name    string
		targets []string
		runners []string
		cgo     []string
		shards  int
	}{
		{name: "one-per-target", targets: six},
		{name: "cap-keeps-runners", targets: six, shards: 4},
		{name: "cap-groups-pure-go", targets: six, shards: 2},
		{name: "cap-one", targets: six, shards: 1},
		{name: "cgo-stays-native", targets: six, cgo: []string{"darwin/arm64", "linux/arm64"}, shards: 3},
		{name: "custom-runners", targets: []string{"linux/amd64", "linux/arm/7", "linux/riscv64", "freebsd/amd64"}, runners: []string{"linux/arm=self-hosted-arm", "*=ubuntu-24.04"}, shards: 3},
		{name: "all", targets: []string{"all"}, shards: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runners, err := ParseRunners(tc.runners)
			if err != nil {
				t.Fatal(err)
			}
			var cgo []Target
			if len(tc.cgo) > 0 {
				cgo = mustTargets(t, ports, tc.cgo...)
			}
			c := Config{CGOTargets: cgo}
			m, err := Plan(mustTargets(t, ports, tc.targets...), runners, c.CGO, tc.shards)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.MarshalIndent(m, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, "plan/"+tc.name+".json", append(b, '\n'))
			// Every target appears in exactly one shard, and no shard is empty.
			seen := map[string]int{}
			for _, s := range m.Include {
				if s.Targets == "" {
					t.Errorf("shard %s is empty", s.Name)
				}
				for _, tg := range strings.Split(s.Targets, ",") {
					seen[tg]++
				}
			}
			for _, tg := range mustTargets(t, ports, tc.targets...) {
				if seen[tg.String()] != 1 {
					t.Errorf("target %s is in %d shards", tg, seen[tg.String()])
				}
			}
			if tc.shards > 0 && len(m.Include) > tc.shards {
				t.Errorf("%d shards, cap was %d", len(m.Include), tc.shards)
			}
		})
	}
}

func TestPlanErrors(t *testing.T) {
	t.Parallel()
	ports := testPorts(t)
	runners, _ := ParseRunners(nil)
	c := Config{CGOAll: true}
	_, err := Plan(mustTargets(t, ports, "linux/amd64", "darwin/arm64", "windows/amd64"), runners, c.CGO, 2)
	if err == nil || !strings.Contains(err.Error(), "allow at least 3 shards") {
		t.Errorf("cgo on three runners with two shards: error = %v", err)
	}
	for _, bad := range []string{"linux/amd64", "=ubuntu-latest", "linux/amd64=", "/linux=x", "a/b/c/d=x"} {
		if _, err := ParseRunners([]string{bad}); err == nil {
			t.Errorf("ParseRunners(%q): want an error", bad)
		}
	}
}

func TestRunnerFor(t *testing.T) {
	t.Parallel()
	m, err := ParseRunners([]string{"linux/arm/7=pi", "linux=ubuntu-22.04"})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[Target]string{
		{GOOS: "linux", GOARCH: "arm", Variant: "7"}: "pi",
		{GOOS: "linux", GOARCH: "arm", Variant: "6"}: "ubuntu-22.04",
		{GOOS: "linux", GOARCH: "arm64"}:             "ubuntu-24.04-arm",
		{GOOS: "darwin", GOARCH: "amd64"}:            "macos-latest",
		{GOOS: "windows", GOARCH: "arm64"}:           "windows-latest",
		{GOOS: "freebsd", GOARCH: "amd64"}:           "ubuntu-latest",
	} {
		if got := m.For(in); got != want {
			t.Errorf("For(%s) = %q, want %q", in, got, want)
		}
	}
}
