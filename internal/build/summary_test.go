package build

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestBuildSummaryGolden(t *testing.T) {
	t.Parallel()
	p := manifest.Project{Name: "hello", Version: "1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", CommitTime: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	sha := "80487733c9f485c2d4acbec62053368f2fb73ab81a2649e20750c7fe4f3707c6"
	rows := []Row{
		{Target: "linux/amd64", Binary: "hello", Size: 2142334, PrevSize: 2100000, SHA256: sha, Duration: 10200 * time.Millisecond},
		{Target: "linux/arm/7", Binary: "hello", Size: 2097278, PrevSize: 1500000, SHA256: sha, Duration: 38 * time.Second},
		{Target: "darwin/arm64", Binary: "hello", Size: 2235570, PrevSize: -1, SHA256: sha, Duration: 900 * time.Millisecond},
		{Target: "windows/amd64", Binary: "hello", Size: 512, PrevSize: 1024, SHA256: sha, Duration: time.Second},
	}
	testutil.Golden(t, "summary/build.md", []byte(BuildSummary(p, rows, []string{"freebsd/amd64"}, 15)))
	over := OverBudget(rows, 15)
	if len(over) != 1 || over[0] != "hello linux/arm/7 grew 1.43 MiB → 2.00 MiB (+39.8%), over the 15% size budget" {
		t.Errorf("OverBudget = %q", over)
	}
	m := Matrix{Include: []Shard{{Name: "linux-amd64", Runner: "ubuntu-latest", Targets: "linux/amd64"}, {Name: "macos-latest", Runner: "macos-latest", Targets: "darwin/amd64,darwin/arm64"}}}
	testutil.Golden(t, "summary/plan.md", []byte(PlanSummary(m)))
}
