package metadata

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// sampleValue is a value of the input's kind, for workflows that set every input.
func sampleValue(in gha.Input) string {
	switch in.Kind {
	case gha.KindBool:
		return "true"
	case gha.KindInt:
		return "1"
	case gha.KindDuration:
		return "30s"
	case gha.KindList:
		return "|\n            first\n            second"
	}
	return "value"
}

// everyInputWorkflow uses each action with all of its inputs set and reads
// all of its outputs: actionlint checks a composite action.yml only through a
// workflow that uses it.
func everyInputWorkflow(actions []Action) string {
	var b strings.Builder
	b.WriteString("name: every input\non: workflow_dispatch\npermissions:\n  contents: read\njobs:\n  all:\n    runs-on: ubuntu-latest\n    steps:\n")
	for _, a := range actions {
		id := strings.ReplaceAll(a.Spec.Name, "-", "_")
		fmt.Fprintf(&b, "      - id: %s\n        uses: ./actions/%s\n        with:\n", id, a.Spec.Name)
		for _, in := range a.Spec.Inputs {
			fmt.Fprintf(&b, "          %s: %s\n", in.Name, sampleValue(in))
		}
		fmt.Fprintf(&b, "      - env:\n")
		for _, out := range a.Spec.Outputs {
			fmt.Fprintf(&b, "          OUT_%s: ${{ steps.%s.outputs.%s }}\n", EnvName(out.Name)[len("INPUT_"):], id, out.Name)
		}
		b.WriteString("        run: env | grep '^OUT_' | sort\n")
	}
	return b.String()
}

// TestActionlint runs the pinned actionlint (with Debian's shellcheck when
// installed) over the example workflows and a workflow that uses every
// action with every input.
func TestActionlint(t *testing.T) {
	t.Parallel()
	lint := testutil.Tool(t, "actionlint")
	root := testutil.RepoRoot(t)
	proj := t.TempDir()
	testutil.Git(t, proj, "init", "-q") // actionlint finds the project by its .git
	testutil.CopyDir(t, filepath.Join(root, "actions"), filepath.Join(proj, "actions"))
	wf := filepath.Join(proj, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	examples, _ := filepath.Glob(filepath.Join(root, "examples", "workflows", "*.yml"))
	if len(examples) == 0 {
		t.Fatal("no example workflows found")
	}
	for _, e := range examples {
		if err := os.WriteFile(filepath.Join(wf, "example-"+filepath.Base(e)), testutil.ReadFile(t, e), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(wf, "every-input.yml"), []byte(everyInputWorkflow(Actions())), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-no-color"}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		args = append(args, "-shellcheck", sc)
	} else {
		t.Log("shellcheck not installed (Debian package shellcheck): run: scripts are not checked")
		args = append(args, "-shellcheck", "")
	}
	cmd := exec.Command(lint, args...)
	cmd.Dir = proj
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}

	// The same check fails on a workflow that passes an input the action
	// does not declare: actionlint really reads our action.yml.
	bad := "name: bad\non: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./actions/build-matrix\n        with:\n          no-such-input: x\n"
	if err := os.WriteFile(filepath.Join(wf, "bad.yml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(lint, append(args, filepath.Join(".github", "workflows", "bad.yml"))...)
	cmd.Dir = proj
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "no-such-input") {
		t.Errorf("actionlint accepted an undeclared input: %v\n%s", err, out)
	}
}
