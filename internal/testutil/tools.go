package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// toolBuilds remembers, per test binary, the outcome of building each tool.
var toolBuilds sync.Map // name → *toolBuild

type toolBuild struct {
	once sync.Once
	path string
	err  string
}

// RepoRoot returns the root of the Slipway repository (the directory holding
// tools/install.sh), found by walking up from the test's directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "tools", "install.sh")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no tools/install.sh above %s", dir)
		}
	}
}

// Tool returns the path of a third-party CLI pinned in tools/go.mod (by
// binary name: "registry", "crane", "regctl", "ko"), building it with
// `bash tools/install.sh NAME` once per test binary into the shared cache
// (.cache/tools/bin, or $SLIPWAY_TOOLS_DIR). Some take minutes to build cold,
// so tests that need one skip under -short.
func Tool(t testing.TB, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("needs the pinned tool %s (built by tools/install.sh); skipped with -short", name)
	}
	v, _ := toolBuilds.LoadOrStore(name, &toolBuild{})
	b := v.(*toolBuild)
	b.once.Do(func() {
		root := RepoRoot(t)
		cmd := exec.Command("bash", filepath.Join(root, "tools", "install.sh"), name)
		cmd.Dir = root
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			b.err = "tools/install.sh " + name + ": " + err.Error() + "\n" + stderr.String()
			return
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		b.path = filepath.Join(lines[len(lines)-1], name)
	})
	if b.err != "" {
		t.Fatal(b.err)
	}
	return b.path
}

// DebianTool returns the path of a CLI installed from Debian packages, or
// skips the test saying how to install it.
func DebianTool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found: install the Debian package %s (apt-get install -y %s) to run this test", name, pkg, pkg)
	}
	return p
}
