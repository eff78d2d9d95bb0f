package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/gha"
)

// TestActionsMode runs plan and a failing build as the runner would: inputs
// from INPUT_* variables, outputs through GITHUB_OUTPUT, workflow commands on
// stdout and the summary in GITHUB_STEP_SUMMARY.
func TestActionsMode(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	outFile, sumFile := filepath.Join(ws, "output"), filepath.Join(ws, "summary")
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws, "GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": sumFile,
		"INPUT_MODE": "plan", "INPUT_TARGETS": "linux/amd64\nlinux/arm64 # the arm runner\nlinux/amd64\n", "INPUT_SHARDS": "0",
	}
	r := runCLI(t, ws, env)
	r.mustCode(t, 0)
	out := string(readFile(t, outFile))
	want := `{"include":[{"shard":"linux-amd64","runner":"ubuntu-latest","targets":"linux/amd64"},{"shard":"linux-arm64","runner":"ubuntu-24.04-arm","targets":"linux/arm64"}]}`
	lines := strings.Split(out, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "matrix<<ghadelimiter_") || lines[1] != want || lines[2] != strings.TrimPrefix(lines[0], "matrix<<") {
		t.Errorf("GITHUB_OUTPUT =\n%s\nwant matrix<<DELIM, %s, DELIM", out, want)
	}
	if !strings.Contains(r.stdout, "::notice title=duplicate targets::dropped duplicate targets: linux/amd64") {
		t.Errorf("no notice for the duplicate target on stdout:\n%s", r.stdout)
	}
	if !strings.Contains(string(readFile(t, sumFile)), "| linux-arm64 | ubuntu-24.04-arm | linux/arm64 |") {
		t.Errorf("summary:\n%s", readFile(t, sumFile))
	}

	// A usage error is an error annotation naming the input, exit 2, and no output.
	if err := os.Remove(outFile); err != nil {
		t.Fatal(err)
	}
	env["INPUT_TARGETS"] = "linux/"
	bad := runCLI(t, ws, env)
	bad.mustCode(t, gha.ExitUsage)
	if !strings.Contains(bad.stdout, `::error::input "targets": "linux/" has an empty GOARCH`) {
		t.Errorf("no error annotation naming the input:\n%s", bad.stdout)
	}
	if _, err := os.Stat(outFile); !os.IsNotExist(err) {
		t.Error("outputs were written for a usage error")
	}
}
