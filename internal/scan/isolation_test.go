package scan

import (
	"os/exec"
	"strings"
	"testing"
)

// TestRootModuleLinksNoTrivy keeps Trivy out of every package of the root
// module (the other actions' binaries): only the nested modules
// internal/scan/trivy and cmd/scan link it.
func TestRootModuleLinksNoTrivy(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-deps", "-test", "github.com/slipway-dev/slipway/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 50 || !containsPkg(pkgs, "github.com/slipway-dev/slipway/internal/scan") {
		t.Fatalf("go list listed %d packages, not the root module's dependency graph", len(pkgs))
	}
	for _, p := range pkgs {
		if strings.HasPrefix(p, "github.com/aquasecurity/") || p == "github.com/slipway-dev/slipway/internal/scan/trivy" || strings.HasPrefix(p, "golang.org/x/vuln") {
			t.Errorf("the root module depends on %s: Trivy and govulncheck belong in the nested modules", p)
		}
	}
}

func containsPkg(pkgs []string, p string) bool {
	for _, x := range pkgs {
		if x == p {
			return true
		}
	}
	return false
}
