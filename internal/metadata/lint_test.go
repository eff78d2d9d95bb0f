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

// rootInputWorkflow uses the root action with all of its inputs set and
// reads all of its outputs.
func rootInputWorkflow(r Root) string {
	var b strings.Builder
	b.WriteString("name: root every input\non: workflow_dispatch\npermissions:\n  contents: read\njobs:\n  all:\n    runs-on: ubuntu-latest\n    steps:\n")
	b.WriteString("      - id: slipway\n        uses: ./\n        with:\n")
	for _, in := range r.Spec().Inputs {
		fmt.Fprintf(&b, "          %s: %s\n", in.Name, sampleValue(in))
	}
	b.WriteString("      - env:\n")
	for _, out := range r.Outputs {
		fmt.Fprintf(&b, "          OUT_%s: ${{ steps.slipway.outputs.%s }}\n", EnvName(out.Name)[len("INPUT_"):], out.Name)
	}
	b.WriteString("        run: env | grep '^OUT_' | sort\n")
	return b.String()
}

// TestActionlint runs the pinned actionlint (with Debian's shellcheck when
// installed) over the example workflows, this repository's own workflows
// (.github/workflows) and workflows that use every action, and the root
// action, with every input.
func TestActionlint(t *testing.T) {
	t.Parallel()
	lint := testutil.Tool(t, "actionlint")
	root := testutil.RepoRoot(t)
	proj := t.TempDir()
	testutil.Git(t, proj, "init", "-q") // actionlint finds the project by its .git
	testutil.CopyDir(t, filepath.Join(root, "actions"), filepath.Join(proj, "actions"))
	// go-release.yml runs the actions from a checkout of Slipway in .slipway.
	testutil.CopyDir(t, filepath.Join(root, "actions"), filepath.Join(proj, ".slipway", "actions"))
	if err := os.WriteFile(filepath.Join(proj, "action.yml"), testutil.ReadFile(t, filepath.Join(root, "action.yml")), 0o644); err != nil {
		t.Fatal(err)
	}
	wf := filepath.Join(proj, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	examples, _ := filepath.Glob(filepath.Join(root, "examples", "workflows", "*.yml"))
	own, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if len(examples) == 0 || len(own) == 0 {
		t.Fatalf("no workflows found: %d examples, %d in .github/workflows", len(examples), len(own))
	}
	for _, e := range examples {
		if err := os.WriteFile(filepath.Join(wf, "example-"+filepath.Base(e)), testutil.ReadFile(t, e), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range own {
		if err := os.WriteFile(filepath.Join(wf, filepath.Base(w)), testutil.ReadFile(t, w), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(wf, "every-input.yml"), []byte(everyInputWorkflow(Actions())), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wf, "root-every-input.yml"), []byte(rootInputWorkflow(RootAction())), 0o644); err != nil {
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

	// And it reads the root action.yml too.
	badRoot := strings.Replace(bad, "./actions/build-matrix", "./", 1)
	if err := os.WriteFile(filepath.Join(wf, "bad-root.yml"), []byte(badRoot), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(lint, append(args, filepath.Join(".github", "workflows", "bad-root.yml"))...)
	cmd.Dir = proj
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "no-such-input") {
		t.Errorf("actionlint accepted an undeclared input of the root action: %v\n%s", err, out)
	}
}
