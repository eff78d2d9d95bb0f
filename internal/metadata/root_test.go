package metadata

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestRootActionFile keeps action.yml at the repository root equal to what
// RootAction renders (go test -update rewrites it), and checks the parsed
// file: every input it passes to a binary is an input of that binary's
// action, every root input reaches a step, every output is a real output.
func TestRootActionFile(t *testing.T) {
	t.Parallel()
	r := RootAction()
	if err := r.Validate(specsByName()); err != nil {
		t.Fatalf("RootAction disagrees with the sub-actions:\n%v", err)
	}
	b, err := RenderRoot(r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "action.yml")
	testutil.GoldenFile(t, path, b)
	f, err := Parse(testutil.ReadFile(t, path))
	if err != nil {
		t.Fatalf("action.yml does not parse: %v", err)
	}
	if err := CheckRoot(f, r, specsByName()); err != nil {
		t.Errorf("action.yml disagrees with the declarations:\n%v", err)
	}
	// Every sub-action runs, each binary is resolved before it runs.
	ran := map[string]bool{}
	resolved := map[string]bool{}
	for _, st := range f.Runs.Steps {
		if a, ok := strings.CutPrefix(st.ID, "resolve-"); ok {
			resolved[a] = true
		}
		if m := binRef.FindStringSubmatch(st.Env["SLIPWAY_BIN"]); m != nil {
			if !resolved[m[1]] {
				t.Errorf("step %s runs %s before resolving it", st.ID, m[1])
			}
			ran[m[1]] = true
		}
	}
	for _, a := range Actions() {
		if !ran[a.Spec.Name] {
			t.Errorf("the root action never runs %s", a.Spec.Name)
		}
	}
}

// TestCheckRootFindsDrift shows CheckRoot failing on each kind of drift in
// the rendered file.
func TestCheckRootFindsDrift(t *testing.T) {
	t.Parallel()
	good, err := RenderRoot(RootAction())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"undeclared sub-input", `INPUT_FAIL_ON: "${{ inputs.fail-on }}"`, `INPUT_FAIL_ON: "${{ inputs.fail-on }}"` + "\n        INPUT_NO_SUCH: \"x\"", "passes INPUT_NO_SUCH, which scan does not declare"},
		{"feed not passed", `INPUT_DB_DIGEST: "${{ inputs.db-digest }}"`, `INPUT_DB_DIGEST: ""`, "input db-digest is not passed to scan as INPUT_DB_DIGEST"},
		{"input reaches nothing", `INPUT_BASE: "${{ inputs.base }}"`, `INPUT_BASE: "x"`, "input base reaches no step"},
		{"undeclared root input", `INPUT_MAIN: "${{ inputs.main }}"`, `INPUT_MAIN: "${{ inputs.mains }}"`, "refers to inputs.mains, which is not an input"},
		{"extra root input", "inputs:\n", "inputs:\n  extra:\n    description: x\n", "input extra is not declared in RootAction"},
		{"injection", `run: '"$SLIPWAY_BIN"'`, `run: '"$SLIPWAY_BIN" ${{ inputs.key }}'`, "puts an expression into its run: script"},
		{"output of no such output", `value: "${{ steps.scan.outputs.counts }}"`, `value: "${{ steps.scan.outputs.count }}"`, "output scan-counts comes from scan output count, which scan does not declare"},
		{"output of no binary step", `value: "${{ steps.publish.outputs.digest }}"`, `value: "${{ steps.resolve-publish.outputs.digest }}"`, "runs no Slipway binary"},
		{"bin from elsewhere", `SLIPWAY_BIN: "${{ steps.resolve-scan.outputs.bin`, `SLIPWAY_BIN: "${{ steps.other.outputs.bin`, "does not come from a resolve step"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(string(good), tc.from) {
				t.Fatalf("rendered file lacks %q", tc.from)
			}
			f, err := Parse([]byte(strings.ReplaceAll(string(good), tc.from, tc.to)))
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckRoot(f, RootAction(), specsByName()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CheckRoot error = %v, want %q", err, tc.want)
			}
		})
	}
}

// inputIndex is the index of the root input name.
func inputIndex(t *testing.T, r *Root, name string) int {
	t.Helper()
	i := slices.IndexFunc(r.Inputs, func(in RootInput) bool { return in.Name == name })
	if i < 0 {
		t.Fatalf("RootAction has no input %s", name)
	}
	return i
}

// TestRootValidateFindsBadDeclarations shows Validate refusing declarations
// that point at inputs and outputs the sub-actions do not have.
func TestRootValidateFindsBadDeclarations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*Root)
		want   string
	}{
		{"feed to no input", func(r *Root) { r.Inputs[0].Feeds = append(r.Inputs[0].Feeds, Feed{"scan", "no-such"}) }, "input module-dir feeds scan.no-such, which is not declared"},
		{"feed to no action", func(r *Root) { r.Inputs[0].Feeds = []Feed{{"deploy", "module-dir"}} }, "feeds deploy.module-dir, which is not declared"},
		{"kind", func(r *Root) { r.Inputs[0].Kind = gha.KindBool; r.Inputs[0].Default = "" }, "input module-dir is a bool but feeds verify-mod.module-dir"},
		{"secret", func(r *Root) { r.Inputs[inputIndex(t, r, "key-password")].Secret = false }, "input key-password feeds the secret sign.key-password but is not secret"},
		{"reaches nothing", func(r *Root) { r.Inputs[inputIndex(t, r, "main")].Feeds = nil }, "input main reaches nothing"},
		{"setting", func(r *Root) { r.Stages[0].Set = []Setting{{"colour", "red"}} }, "stage verify-mod sets colour, which verify-mod does not declare"},
		{"output", func(r *Root) { r.Outputs[0].From = "versions" }, "output version comes from build.versions, which build-matrix does not declare"},
		{"output stage", func(r *Root) { r.Outputs[0].Stage = "nowhere" }, "output version comes from unknown stage nowhere"},
		{"stage action", func(r *Root) { r.Stages[0].Action = "deploy" }, "stage verify-mod runs unknown action deploy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := RootAction()
			tc.change(&r)
			if err := r.Validate(specsByName()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate error = %v, want %q", err, tc.want)
			}
			if _, err := RenderRoot(r); err == nil {
				t.Error("RenderRoot rendered an invalid declaration")
			}
		})
	}
}

// TestRootDocsTables keeps the root action's tables in docs/getting-started.md
// equal to its declaration; go test -update rewrites them.
func TestRootDocsTables(t *testing.T) {
	t.Parallel()
	testutil.DocsTables(t, filepath.Join("..", "..", "docs", "getting-started.md"), RootAction().Spec().MarkdownTables())
}
