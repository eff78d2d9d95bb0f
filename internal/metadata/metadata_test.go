package metadata

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestActionFiles keeps every actions/<name>/action.yml equal to what its Go
// declaration renders (go test -update rewrites them) and checks the parsed
// file against the declaration.
func TestActionFiles(t *testing.T) {
	t.Parallel()
	for _, a := range Actions() {
		t.Run(a.Spec.Name, func(t *testing.T) {
			t.Parallel()
			b, err := Render(a)
			if err != nil {
				t.Fatal(err)
			}
			testutil.GoldenFile(t, filepath.Join("..", "..", "actions", a.Spec.Name, "action.yml"), b)
			f, err := Parse(testutil.ReadFile(t, filepath.Join("..", "..", "actions", a.Spec.Name, "action.yml")))
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(f, a.Spec); err != nil {
				t.Errorf("action.yml disagrees with the declaration:\n%v", err)
			}
		})
	}
}

// TestCheckFindsDrift shows Check failing on each kind of drift.
func TestCheckFindsDrift(t *testing.T) {
	t.Parallel()
	spec := gha.Spec{
		Name: "demo", Description: "Demo.",
		Inputs:  []gha.Input{{Name: "dist", Description: "Output.", Default: "dist"}, {Name: "key", Description: "Key.", Required: true}},
		Outputs: []gha.Output{{Name: "digest", Description: "Digest."}},
	}
	good, err := Render(Action{Spec: spec, Branding: Branding{Icon: "box", Color: "blue"}, Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"default", `default: "dist"`, `default: "out"`, `input dist: default "out", declared "dist"`},
		{"required", "required: true", "required: false", "input key: required false, declared true"},
		{"description", "description: Output.", "description: Other.", `input dist: description "Other."`},
		{"extra input", "inputs:\n", "inputs:\n  extra:\n    description: x\n", "input extra is not declared in Go"},
		{"env", `INPUT_DIST: "${{ inputs.dist }}"`, `INPUT_DIST: "dist"`, "input dist does not reach the binary"},
		{"injection", `run: '"$SLIPWAY_BIN"'`, `run: '"$SLIPWAY_BIN" ${{ inputs.key }}'`, `step "run" puts an expression into its run: script`},
		{"output value", `value: "${{ steps.run.outputs.digest }}"`, `value: "x"`, "output digest: value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(string(good), tc.from) {
				t.Fatalf("rendered file lacks %q:\n%s", tc.from, good)
			}
			f, err := Parse([]byte(strings.Replace(string(good), tc.from, tc.to, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(f, spec); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check error = %v, want %q", err, tc.want)
			}
		})
	}
	f, err := Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(f, spec); err != nil {
		t.Errorf("the rendered file does not pass its own check: %v", err)
	}
}
