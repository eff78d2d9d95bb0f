package modverify

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestDiff changes the dependencies of a git work tree and diffs them
// against the committed go.mod (base-ref main).
func TestDiff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		base    func(t *testing.T, w *world, ws string) // changes committed as the base
		change  func(t *testing.T, w *world, ws string)
		want    []place
		changes []Change
	}{
		{name: "indirect upgrade nobody asks for",
			change:  func(t *testing.T, w *world, ws string) { w.goCmd(t, ws, nil, "get", "example.com/lib@v1.2.0") },
			want:    []place{{RuleUnexplainedUpgrade, "go.mod", 7}},
			changes: []Change{{Path: "example.com/lib", From: "v1.0.0", To: "v1.2.0", Change: ChangeUpgraded, Unexplained: true}}},
		{name: "indirect upgrade a dependency asks for",
			change: func(t *testing.T, w *world, ws string) { w.goCmd(t, ws, nil, "get", "example.com/dep@v1.1.0") },
			changes: []Change{
				{Path: "example.com/dep", From: "v1.0.0", To: "v1.1.0", Change: ChangeUpgraded, Direct: true},
				{Path: "example.com/lib", From: "v1.0.0", To: "v1.2.0", Change: ChangeUpgraded},
			}},
		{name: "major version",
			change: func(t *testing.T, w *world, ws string) {
				replaceIn(t, filepath.Join(ws, "go.mod"), "example.com/lib v1.0.0 // indirect", "example.com/lib/v2 v2.0.0 // indirect")
			},
			want: []place{{RuleMajorChange, "go.mod", 7}},
			changes: []Change{
				{Path: "example.com/lib", From: "v1.0.0", Change: ChangeRemoved},
				{Path: "example.com/lib/v2", From: "example.com/lib@v1.0.0", To: "v2.0.0", Change: ChangeAdded, Major: true},
			}},
		{name: "downgrade and removal",
			base: func(t *testing.T, w *world, ws string) {
				w.goCmd(t, ws, nil, "get", "example.com/dep@v1.1.0", "example.com/old@v1.0.0")
			},
			change: func(t *testing.T, w *world, ws string) {
				w.goCmd(t, ws, nil, "get", "example.com/dep@v1.0.0", "example.com/lib@v1.2.0", "example.com/old@none")
			},
			want: []place{{RuleDowngrade, "go.mod", 5}},
			changes: []Change{
				{Path: "example.com/dep", From: "v1.1.0", To: "v1.0.0", Change: ChangeDowngraded, Direct: true},
				{Path: "example.com/old", From: "v1.0.0", Change: ChangeRemoved},
			}},
		{name: "nothing changed", change: func(*testing.T, *world, string) {}, changes: []Change{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, false)
			ws := filepath.Join(t.TempDir(), "repo")
			testutil.GitRepo(t, filepath.Join("testdata", "mods", "good"), ws)
			if tc.base != nil {
				tc.base(t, w, ws)
				testutil.Git(t, ws, "commit", "-q", "-am", "base")
			}
			tc.change(t, w, ws)
			r := w.run(t, ws, nil, "--output-format", "json", "--checks", "diff", "--base-ref", "main")
			want := gha.ExitOK
			for _, p := range tc.want {
				if ruleOf(p.Rule).Severity == SeverityError {
					want = gha.ExitFindings
				}
			}
			r.mustCode(t, want)
			if d := cmp.Diff(tc.want, places(r.findings(t)), cmpEmpty); d != "" {
				t.Errorf("findings (-want +got):\n%s\n%s", d, r.stderr)
			}
			var diffs []ModuleDiff
			if err := json.Unmarshal([]byte(r.outputs(t)["diff"]), &diffs); err != nil {
				t.Fatalf("diff output: %v\n%s", err, r.stdout)
			}
			if d := cmp.Diff([]ModuleDiff{{Module: ".", Base: "main", Changes: tc.changes}}, diffs); d != "" {
				t.Errorf("diff output (-want +got):\n%s", d)
			}
			if len(tc.changes) > 0 && !strings.Contains(r.stderr, "| "+tc.changes[0].Path+" | "+tc.changes[0].Change+" |") {
				t.Errorf("summary lacks the change table:\n%s", r.stderr)
			}
		})
	}
}

// TestDiffBaseRef covers where base-ref comes from and when it is missing.
func TestDiffBaseRef(t *testing.T) {
	t.Parallel()
	w := newWorld(t, false)
	ws := filepath.Join(t.TempDir(), "repo")
	testutil.GitRepo(t, filepath.Join("testdata", "mods", "good"), ws)
	w.goCmd(t, ws, nil, "get", "example.com/lib@v1.2.0")

	t.Run("outside a pull request the diff is skipped", func(t *testing.T) {
		r := w.run(t, ws, nil, "--output-format", "json", "--checks", "diff")
		r.mustCode(t, gha.ExitOK)
		if !strings.Contains(r.stderr, "notice: verify-mod diff skipped") || r.outputs(t)["diff"] != "" {
			t.Errorf("want a notice and no diff output:\n%s\n%s", r.stderr, r.stdout)
		}
	})
	t.Run("a base-ref that does not exist", func(t *testing.T) {
		r := w.run(t, ws, nil, "--checks", "diff", "--base-ref", "no-such-branch")
		r.mustCode(t, gha.ExitUsage)
		if !strings.Contains(r.stderr, `input "base-ref": "no-such-branch" is not a commit`) {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
	t.Run("a base-ref that looks like a flag", func(t *testing.T) {
		r := w.run(t, ws, nil, "--checks", "diff", "--base-ref", "--output=x")
		r.mustCode(t, gha.ExitUsage)
	})
	t.Run("in a pull request the base is origin/GITHUB_BASE_REF", func(t *testing.T) {
		testutil.Git(t, ws, "update-ref", "refs/remotes/origin/main", "HEAD")
		out := filepath.Join(t.TempDir(), "output")
		r := w.run(t, ws, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws, "GITHUB_OUTPUT": out,
			"GITHUB_BASE_REF": "main", "INPUT_CHECKS": "diff"})
		r.mustCode(t, gha.ExitOK)
		if got := string(testutil.ReadFile(t, out)); !strings.Contains(got, `"base":"origin/main"`) || !strings.Contains(got, `"unexplained":true`) {
			t.Errorf("GITHUB_OUTPUT:\n%s", got)
		}
		if !strings.Contains(r.stdout, "::warning file=go.mod,line=7,title=SLW-MOD-081 UnexplainedIndirectUpgrade::") {
			t.Errorf("no warning annotation on go.mod line 7:\n%s", r.stdout)
		}
	})
}
