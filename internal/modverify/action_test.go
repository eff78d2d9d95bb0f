package modverify

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestWorkspace checks a multi-module repository: module-dir all finds every
// go.mod (tools/ is not in go.work) and the go.work's own lines.
func TestWorkspace(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	ws := workspace(t, "workspace")
	writeFile(t, filepath.Join(ws, "go.work"), string(testutil.ReadFile(t, filepath.Join(ws, "go.work")))+
		"\nreplace example.com/lib v1.1.0 => example.com/lib v1.2.0\n")
	r := w.run(t, ws, nil, "--output-format", "json", "--module-dir", "all", "--checks", "retracted,replace,toolchain,verify,sumdb")
	r.mustCode(t, gha.ExitFindings)
	want := []place{{RuleModuleReplace, "go.work", 8}, {RuleRetracted, "b/go.mod", 5}}
	if d := cmp.Diff(want, places(r.findings(t))); d != "" {
		t.Errorf("findings (-want +got):\n%s\n%s", d, r.stderr)
	}
	sec := moduleSection(t, filepath.Join(ws, "dist"))
	var dirs []string
	for _, m := range sec.Modules {
		dirs = append(dirs, m.Dir)
	}
	if d := cmp.Diff([]string{"a", "b", "tools"}, dirs); d != "" {
		t.Errorf("modules (-want +got):\n%s", d)
	}
	if sec.Work == nil || !slices.Equal(sec.Work.Use, []string{"./a", "./b"}) {
		t.Errorf("work = %+v", sec.Work)
	}
	if sec.Modules[1].Counts.Error != 1 || sec.Modules[0].Counts != (Counts{}) {
		t.Errorf("per-module counts: %+v", sec.Modules)
	}

	// A list of directories checks just those.
	r = w.run(t, ws, nil, "--output-format", "json", "--module-dir", "a", "--checks", "retracted")
	r.mustCode(t, gha.ExitOK)
}

// TestBadInput: bad inputs and unreadable module files are usage errors
// (exit 2) naming the input, with an annotation at the line, and nothing is
// written.
func TestBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mod    string
		setup  func(t *testing.T, ws string)
		args   []string
		stderr []string
	}{
		{name: "missing go.mod", mod: "good", setup: func(t *testing.T, ws string) { writeFile(t, filepath.Join(ws, "empty", "README"), "") },
			args: []string{"--module-dir", "empty"}, stderr: []string{`input "module-dir": empty: no go.mod`}},
		{name: "no go.mod anywhere", mod: "good", setup: func(t *testing.T, ws string) { os.Remove(filepath.Join(ws, "go.mod")) },
			args: []string{"--module-dir", "all"}, stderr: []string{`input "module-dir"`, "no go.mod anywhere"}},
		{name: "module-dir outside the workspace", mod: "good", args: []string{"--module-dir", "../elsewhere"},
			stderr: []string{`input "module-dir": "../elsewhere" must be a directory inside the workspace`}},
		{name: "unparsable go.mod", mod: "badgomod",
			stderr: []string{"error: go.mod:4: SLW-MOD-099 GoModParseError:", `input "module-dir": cannot parse go.mod:4:`}},
		{name: "malformed go.sum", mod: "good", setup: func(t *testing.T, ws string) { writeFile(t, filepath.Join(ws, "go.sum"), "\nexample.com/lib v1.0.0\n") },
			stderr: []string{"error: go.sum:2: SLW-MOD-099", "want three fields"}},
		{name: "unknown check", mod: "good", args: []string{"--checks", "verify,lint"},
			stderr: []string{`input "checks": "lint" is not a check: valid checks are all, environment, toolchain`}},
		{name: "no check left", mod: "good", args: []string{"--checks", "verify,-verify"}, stderr: []string{`input "checks"`}},
		{name: "bad fail-on", mod: "good", args: []string{"--fail-on", "critical"}, stderr: []string{`input "fail-on": "critical" is not error, warning or none`}},
		{name: "bad sumdb", mod: "good", args: []string{"--sumdb", "sum.example.com"}, stderr: []string{`input "sumdb"`, "needs its verifier key"}},
		{name: "all with a directory", mod: "good", args: []string{"--module-dir", "all,a"}, stderr: []string{`input "module-dir": all finds every module`}},
		{name: "dist outside the workspace", mod: "good", args: []string{"--dist", "/tmp"}, stderr: []string{`input "dist"`}},
		{name: "bad allow-replace pattern", mod: "good", args: []string{"--allow-replace", "example.com/["}, stderr: []string{`input "allow-replace"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, false)
			ws := workspace(t, tc.mod)
			if tc.setup != nil {
				tc.setup(t, ws)
			}
			r := w.run(t, ws, nil, tc.args...)
			r.mustCode(t, gha.ExitUsage)
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("outputs printed for a usage error: %s", r.stdout)
			}
			if _, err := os.Stat(filepath.Join(ws, "dist")); !os.IsNotExist(err) {
				t.Errorf("dist written for a usage error")
			}
		})
	}
}

// TestSARIF validates the SARIF 2.1.0 structure GitHub code scanning reads,
// and that the file is recorded in the manifest when it lies in dist.
func TestSARIF(t *testing.T) {
	t.Parallel()
	w := newWorld(t, false)
	ws := workspace(t, "replace")
	r := w.run(t, ws, nil, "--output-format", "json", "--checks", "replace,build-constraints", "--sarif", "dist/verify-mod.sarif")
	r.mustCode(t, gha.ExitFindings)
	if got := r.outputs(t)["sarif"]; got != "dist/verify-mod.sarif" {
		t.Errorf("sarif output = %q", got)
	}
	var log struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID                   string `json:"id"`
						ShortDescription     struct{ Text string }
						Help                 struct{ Text, Markdown string }
						DefaultConfiguration struct{ Level string }
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI, URIBaseID string }
						Region           struct{ StartLine int }
					}
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(testutil.ReadFile(t, filepath.Join(ws, "dist", "verify-mod.sarif")), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("version %q, $schema %q, %d runs", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	var ids []string
	for _, rule := range run.Tool.Driver.Rules {
		ids = append(ids, rule.ID)
		if rule.ShortDescription.Text == "" || rule.Help.Text == "" || rule.DefaultConfiguration.Level == "" {
			t.Errorf("rule %s lacks a description, help or level", rule.ID)
		}
	}
	var wantIDs []string
	for _, rule := range Rules() {
		wantIDs = append(wantIDs, rule.ID)
	}
	if d := cmp.Diff(wantIDs, ids); d != "" {
		t.Errorf("driver rules (-want +got):\n%s", d)
	}
	var got []place
	for _, res := range run.Results {
		if len(res.Locations) != 1 || res.Message.Text == "" || !slices.Contains([]string{"error", "warning", "note"}, res.Level) {
			t.Errorf("result %+v", res)
			continue
		}
		if ids[res.RuleIndex] != res.RuleID {
			t.Errorf("ruleIndex %d is %s, not %s", res.RuleIndex, ids[res.RuleIndex], res.RuleID)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("uriBaseId = %q", loc.ArtifactLocation.URIBaseID)
		}
		got = append(got, place{res.RuleID, loc.ArtifactLocation.URI, loc.Region.StartLine})
	}
	want := []place{{RuleLocalReplace, "go.mod", 12}, {RuleModuleReplace, "go.mod", 14}, {RuleExclude, "go.mod", 16}, {RuleRetractDirective, "go.mod", 19}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
	if run.Results[2].Level != "note" || run.Results[0].Level != "error" {
		t.Errorf("levels: %s, %s", run.Results[0].Level, run.Results[2].Level)
	}

	m, err := manifest.Load(filepath.Join(ws, "dist", manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if arts := m.ByKind(KindSARIF); len(arts) != 1 || arts[0].Path != "verify-mod.sarif" {
		t.Errorf("manifest artifacts: %+v", m.Artifacts)
	}
	if err := m.Verify(context.Background(), filepath.Join(ws, "dist")); err != nil {
		t.Error(err)
	}
}

// TestManifest: verify-mod adds its section to the manifest that is there,
// keeping everything else, and records what it checked.
func TestManifest(t *testing.T) {
	t.Parallel()
	w := newWorld(t, false)
	ws := filepath.Join(t.TempDir(), "repo")
	sha := testutil.GitRepo(t, filepath.Join("testdata", "mods", "good"), ws, "v1.2.3")

	r := w.run(t, ws, nil, "--output-format", "json", "--checks", "verify,tidy")
	r.mustCode(t, gha.ExitOK)
	m, err := manifest.Load(filepath.Join(ws, "dist", manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if m.Project.Name != "app" || m.Project.Module != "example.com/app" || m.Project.Version != "1.2.3" || m.Project.Commit != sha {
		t.Errorf("project = %+v: want what build-matrix computes for the same commit", m.Project)
	}
	sec := moduleSection(t, filepath.Join(ws, "dist"))
	sum := manifestHash(t, filepath.Join(ws, "go.sum"))
	want := Section{Checks: []string{"verify", "tidy"}, FailOn: "error", Passed: true, Go: sec.Go,
		Modules: []ModuleRecord{{Path: "example.com/app", Dir: ".", Go: "1.22", Requires: 2,
			GoSum: &SumRecord{Path: "go.sum", SHA256: sum, Lines: 4}}}}
	if d := cmp.Diff(want, sec); d != "" {
		t.Errorf("module section (-want +got):\n%s", d)
	}
	if !strings.HasPrefix(sec.Go, "go1.") {
		t.Errorf("go = %q", sec.Go)
	}

	// Another action's manifest: its project and artifacts are kept.
	bin := filepath.Join(ws, "dist", "app_linux_amd64", "app")
	writeFile(t, bin, "binary")
	h := manifestHash(t, bin)
	m.Add(manifest.Artifact{Name: "app", Kind: manifest.KindBinary, Path: "app_linux_amd64/app", GOOS: "linux", GOARCH: "amd64", SHA256: h, Size: 6})
	m.Project.Version = "9.9.9"
	if err := manifest.Save(filepath.Join(ws, "dist", manifest.FileName), m); err != nil {
		t.Fatal(err)
	}
	r = w.run(t, ws, nil, "--output-format", "json", "--checks", "replace")
	r.mustCode(t, gha.ExitOK)
	m2, err := manifest.Load(filepath.Join(ws, "dist", manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if m2.Project.Version != "9.9.9" || len(m2.Artifacts) != 1 || moduleSection(t, filepath.Join(ws, "dist")).Checks[0] != "replace" {
		t.Errorf("manifest after a second run: %+v", m2)
	}
}

func manifestHash(t *testing.T, p string) string {
	t.Helper()
	h, _, err := manifest.HashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestFailOn: the threshold decides the exit code and the passed output.
func TestFailOn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mod, failOn string
		code        int
	}{
		{"toolchain-ahead", "error", gha.ExitOK},
		{"toolchain-ahead", "warning", gha.ExitFindings},
		{"toolchain-ahead", "none", gha.ExitOK},
		{"replace", "none", gha.ExitOK},
		{"replace", "error", gha.ExitFindings},
		{"toolchain-fine", "warning", gha.ExitOK},
	} {
		t.Run(tc.mod+" "+tc.failOn, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, false)
			r := w.run(t, workspace(t, tc.mod), nil, "--output-format", "json", "--checks", "toolchain,replace", "--fail-on", tc.failOn)
			r.mustCode(t, tc.code)
			if got, want := r.outputs(t)["passed"], map[bool]string{true: "true", false: "false"}[tc.code == gha.ExitOK]; got != want {
				t.Errorf("passed = %s, want %s", got, want)
			}
		})
	}
}

// TestActionsMode runs as the runner would: inputs from INPUT_*, annotations
// as workflow commands on the go.mod line, outputs through GITHUB_OUTPUT and
// the summary in GITHUB_STEP_SUMMARY ending with the findings table.
func TestActionsMode(t *testing.T) {
	t.Parallel()
	w := newWorld(t, false)
	ws := workspace(t, "replace")
	out, sum := filepath.Join(t.TempDir(), "output"), filepath.Join(t.TempDir(), "summary")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws, "GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": sum,
		"INPUT_CHECKS": "replace\ntoolchain # comment", "INPUT_ALLOW_REPLACE": "example.com/lib", "INPUT_SARIF": "verify-mod.sarif"}
	r := w.run(t, ws, env)
	r.mustCode(t, gha.ExitFindings)
	if !strings.Contains(r.stdout, "::error file=go.mod,line=12,title=SLW-MOD-040 LocalPathReplace::replace example.com/local => ./localdep") ||
		!strings.Contains(r.stdout, "%0AFix: Remove the replace") {
		t.Errorf("no error annotation on go.mod line 12:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "SLW-MOD-041") {
		t.Errorf("allow-replace did not allow example.com/lib:\n%s", r.stdout)
	}
	outputs := string(testutil.ReadFile(t, out))
	for _, want := range []string{"findings<<ghadelimiter_", `"rule":"SLW-MOD-040"`, "passed<<ghadelimiter_", "\nfalse\n", "\nverify-mod.sarif\n", "\ndist/manifest.json\n"} {
		if !strings.Contains(outputs, want) {
			t.Errorf("GITHUB_OUTPUT lacks %q:\n%s", want, outputs)
		}
	}
	summary := string(testutil.ReadFile(t, sum))
	if !strings.Contains(summary, "## verify-mod: failed") || !strings.Contains(summary, "| error | SLW-MOD-040 | `go.mod:12` |") ||
		!strings.HasPrefix(summary[strings.LastIndex(summary, "### "):], "### Findings") {
		t.Errorf("summary:\n%s", summary)
	}

	// A usage error is an error annotation naming the input, and no output.
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	env["INPUT_CHECKS"] = "replace,vet"
	bad := w.run(t, ws, env)
	bad.mustCode(t, gha.ExitUsage)
	if !strings.Contains(bad.stdout, `::error::input "checks": "vet" is not a check`) {
		t.Errorf("no usage annotation:\n%s", bad.stdout)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("outputs written for a usage error")
	}
}

// TestEnvironmentSources: the environment check reads settings from both the
// process environment and the go env file, and says which.
func TestEnvironmentSources(t *testing.T) {
	t.Parallel()
	w := newWorld(t, false)
	ws := workspace(t, "good")
	goenv := filepath.Join(t.TempDir(), "go", "env")
	// Written by the real go env -w, with the variables unset in the
	// environment (an env var would win over the file).
	w.goCmd(t, ws, map[string]string{"GOENV": goenv}, "env", "-w", "GONOSUMDB=github.com", "GOPROXY=direct")
	extra := map[string]string{"GOENV": goenv, "GOINSECURE": "corp.example.com"}
	for _, k := range []string{"GONOSUMDB", "GOPROXY"} {
		extra[k] = ""
	}
	r := w.run(t, ws, extra, "--output-format", "json", "--checks", "environment")
	r.mustCode(t, gha.ExitOK) // warnings only
	msgs := map[string]string{}
	for _, f := range r.findings(t) {
		msgs[f.Rule] = f.Message + " | " + f.Fix
	}
	for rule, want := range map[string]string{
		RuleNoSumDBPublic: "GONOSUMDB=github.com (from go env -w (" + goenv + "))",
		RuleProxyDirect:   "GOPROXY=direct (from go env -w (" + goenv + "))",
		RuleInsecure:      "GOINSECURE=corp.example.com (from environment)",
	} {
		if !strings.Contains(msgs[rule], want) {
			t.Errorf("%s: %q lacks %q", rule, msgs[rule], want)
		}
	}
	if !strings.Contains(r.stderr, "warning: go.mod:1: SLW-MOD-072") {
		t.Errorf("no annotation on go.mod line 1:\n%s", r.stderr)
	}
}
