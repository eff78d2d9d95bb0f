package modverify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/testutil"
)

const badHash = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

// TestRules shows each rule firing on bad input, at its file and line, and
// staying quiet on good input. Every case runs against a fresh module proxy,
// checksum database and module cache.
func TestRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		mod   string
		http  bool                                                      // serve the proxy over HTTP instead of file://
		setup func(t *testing.T, w *world, ws string) map[string]string // returns extra env
		args  []string
		want  []place
	}{
		{name: "good module passes every check", mod: "good"},
		{name: "good module over an HTTP proxy", mod: "good", http: true},

		{name: "verify: zip hash rewritten", mod: "good", args: []string{"--checks", "verify"},
			setup: func(t *testing.T, w *world, ws string) map[string]string {
				replaceIn(t, filepath.Join(ws, "go.sum"), w.hash(t, "example.com/lib", "v1.0.0").ZipHash, badHash)
				return nil
			},
			want: []place{{RuleGoSumZipMismatch, "go.sum", 3}}},
		{name: "verify: go.mod hash rewritten", mod: "good", args: []string{"--checks", "verify"},
			setup: func(t *testing.T, w *world, ws string) map[string]string {
				replaceIn(t, filepath.Join(ws, "go.sum"), "example.com/dep v1.0.0/go.mod "+w.hash(t, "example.com/dep", "v1.0.0").ModHash, "example.com/dep v1.0.0/go.mod "+badHash)
				return nil
			},
			want: []place{{RuleGoSumModMismatch, "go.sum", 2}}},
		{name: "verify: extracted file changed in the module cache", mod: "good", args: []string{"--checks", "verify"},
			setup: func(t *testing.T, w *world, ws string) map[string]string {
				w.goCmd(t, ws, nil, "mod", "download")
				dir := filepath.Join(w.modcache, "example.com", "lib@v1.0.0")
				testutil.MakeWritable(t, dir)
				writeFile(t, filepath.Join(dir, "lib.go"), "package lib\n\nfunc Version() string { return \"evil\" }\n")
				return nil
			},
			want: []place{{RuleModuleFilesModified, "go.sum", 3}}},
		{name: "verify: module gone from the proxy", mod: "good", args: []string{"--checks", "verify"},
			setup: func(t *testing.T, w *world, ws string) map[string]string {
				writeFile(t, filepath.Join(ws, "go.sum"), string(testutil.ReadFile(t, filepath.Join(ws, "go.sum")))+
					"example.com/lib v1.9.9 "+badHash+"\n")
				return nil
			},
			want: []place{{RuleModuleUnavailable, "go.sum", 5}}},
		{name: "verify: no go.sum", mod: "nogosum", args: []string{"--checks", "verify"},
			want: []place{{RuleGoSumMissing, "go.mod", 5}}},

		{name: "sumdb: versions the database does not have", mod: "good", args: []string{"--checks", "sumdb"},
			setup: func(t *testing.T, w *world, ws string) map[string]string {
				db := testutil.StartSumDB(t, "partial.slipway.test", []testutil.ModuleHash{w.hash(t, "example.com/lib", "v1.0.0")})
				return map[string]string{"GOSUMDB": db.GOSUMDB()}
			},
			want: []place{{RuleSumDBNotFound, "go.sum", 1}, {RuleSumDBNotFound, "go.sum", 2}}},
		{name: "sumdb: GONOSUMDB skips private paths", mod: "good", args: []string{"--checks", "sumdb"},
			setup: func(t *testing.T, w *world, ws string) map[string]string {
				db := testutil.StartSumDB(t, "partial.slipway.test", []testutil.ModuleHash{w.hash(t, "example.com/lib", "v1.0.0")})
				return map[string]string{"GOSUMDB": db.GOSUMDB(), "GONOSUMDB": "example.com/dep"}
			}},
		{name: "sumdb: GONOSUMCHECK skips private paths", mod: "good", args: []string{"--checks", "sumdb"},
			setup: func(t *testing.T, w *world, ws string) map[string]string {
				db := testutil.StartSumDB(t, "partial.slipway.test", []testutil.ModuleHash{w.hash(t, "example.com/lib", "v1.0.0")})
				return map[string]string{"GOSUMDB": db.GOSUMDB(), "GONOSUMCHECK": "example.com/dep"}
			}},

		{name: "tidy: unused requirement", mod: "untidy", args: []string{"--checks", "tidy"},
			want: []place{{RuleGoModNotTidy, "go.mod", 5}, {RuleGoSumNotTidy, "go.sum", 5}}},

		{name: "vendor: fresh vendor directory", mod: "good", args: []string{"--checks", "vendor"},
			setup: func(t *testing.T, w *world, ws string) map[string]string {
				w.goCmd(t, ws, nil, "mod", "vendor")
				return nil
			}},
		{name: "vendor: edited vendored file", mod: "good", args: []string{"--checks", "vendor"},
			setup: func(t *testing.T, w *world, ws string) map[string]string {
				w.goCmd(t, ws, nil, "mod", "vendor")
				replaceIn(t, filepath.Join(ws, "vendor", "example.com", "lib", "lib.go"), `"v1.0.0"`, `"patched"`)
				writeFile(t, filepath.Join(ws, "vendor", "example.com", "lib", "extra.go"), "package lib\n")
				return nil
			},
			want: []place{{RuleVendorFiles, "vendor/example.com/lib/extra.go", 1}, {RuleVendorFiles, "vendor/example.com/lib/lib.go", 1}}},
		{name: "vendor: stale modules.txt and a missing file", mod: "good", args: []string{"--checks", "vendor"},
			setup: func(t *testing.T, w *world, ws string) map[string]string {
				w.goCmd(t, ws, nil, "mod", "vendor")
				replaceIn(t, filepath.Join(ws, "vendor", "modules.txt"), "# example.com/lib v1.0.0", "# example.com/lib v1.1.0")
				if err := os.Remove(filepath.Join(ws, "vendor", "example.com", "dep", "dep.go")); err != nil {
					t.Fatal(err)
				}
				return nil
			},
			want: []place{{RuleVendorFiles, "vendor/modules.txt", 1}, {RuleVendorModulesTxt, "vendor/modules.txt", 4}}},

		{name: "replace: local, module, exclude and retract", mod: "replace", args: []string{"--checks", "replace"},
			want: []place{{RuleLocalReplace, "go.mod", 12}, {RuleModuleReplace, "go.mod", 14}, {RuleExclude, "go.mod", 16}, {RuleRetractDirective, "go.mod", 19}}},
		{name: "replace: allowed", mod: "replace", args: []string{"--checks", "replace", "--allow-replace", "example.com/local,example.com/lib"},
			want: []place{{RuleExclude, "go.mod", 16}, {RuleRetractDirective, "go.mod", 19}}},
		{name: "replace: none", mod: "good", args: []string{"--checks", "replace"}},

		{name: "toolchain: go line newer than the runner", mod: "toolchain-gonew", args: []string{"--checks", "toolchain"},
			want: []place{{RuleGoLineNewer, "go.mod", 3}}},
		{name: "toolchain: toolchain line newer than the runner", mod: "toolchain-ahead", args: []string{"--checks", "toolchain"},
			want: []place{{RuleToolchainNewer, "go.mod", 5}}},
		{name: "toolchain: toolchain line older than the go line", mod: "toolchain-behind", args: []string{"--checks", "toolchain"},
			want: []place{{RuleToolchainOlder, "go.mod", 5}}},
		{name: "toolchain: no go line", mod: "toolchain-nogo", args: []string{"--checks", "toolchain"},
			want: []place{{RuleNoGoLine, "go.mod", 1}}},
		{name: "toolchain: lines the runner satisfies", mod: "toolchain-fine", args: []string{"--checks", "toolchain"}},
		{name: "toolchain: go line too new skips go commands", mod: "toolchain-gonew", args: []string{"--checks", "toolchain,verify,tidy"},
			want: []place{{RuleGoLineNewer, "go.mod", 3}}},

		{name: "retracted: file proxy", mod: "retracted", args: []string{"--checks", "retracted"},
			want: []place{{RuleRetracted, "go.mod", 6}, {RuleDeprecated, "go.mod", 7}}},
		{name: "retracted: HTTP proxy", mod: "retracted", http: true, args: []string{"--checks", "retracted"},
			want: []place{{RuleRetracted, "go.mod", 6}, {RuleDeprecated, "go.mod", 7}}},
		{name: "retracted: none", mod: "good", http: true, args: []string{"--checks", "retracted"}},

		{name: "build constraints", mod: "buildtags", args: []string{"--checks", "build-constraints"},
			want: []place{{RuleConstraintsDisagree, "disagree.go", 3}, {RulePlusBuildOnly, "plusonly.go", 1}}},
		{name: "build constraints: none", mod: "good", args: []string{"--checks", "build-constraints"}},

		{name: "environment: clean", mod: "good", args: []string{"--checks", "environment"},
			setup: env(map[string]string{"GOPRIVATE": "github.com/my-org/*", "GOPROXY": "https://proxy.golang.org,direct"})},
		{name: "environment: GOSUMDB=off", mod: "good", args: []string{"--checks", "environment"},
			setup: env(map[string]string{"GOSUMDB": "off"}), want: []place{{RuleSumDBOff, "go.mod", 1}}},
		{name: "environment: GONOSUMDB covers a public host", mod: "good", args: []string{"--checks", "environment"},
			setup: env(map[string]string{"GONOSUMDB": "corp.example.com,github.com"}), want: []place{{RuleNoSumDBPublic, "go.mod", 1}}},
		{name: "environment: GOPRIVATE covers everything", mod: "good", args: []string{"--checks", "environment"},
			setup: env(map[string]string{"GOPRIVATE": "*"}), want: []place{{RuleNoSumDBPublic, "go.mod", 1}}},
		{name: "environment: GONOSUMCHECK covers golang.org/x", mod: "good", args: []string{"--checks", "environment"},
			setup: env(map[string]string{"GONOSUMCHECK": "golang.org/x"}), want: []place{{RuleNoSumDBPublic, "go.mod", 1}}},
		{name: "environment: GOPROXY=direct", mod: "good", args: []string{"--checks", "environment"},
			setup: env(map[string]string{"GOPROXY": "direct"}), want: []place{{RuleProxyDirect, "go.mod", 1}}},
		{name: "environment: GOPROXY=off", mod: "good", args: []string{"--checks", "environment"},
			setup: env(map[string]string{"GOPROXY": "off"}), want: []place{{RuleProxyDirect, "go.mod", 1}}},
		{name: "environment: private fallback to direct", mod: "good", args: []string{"--checks", "environment"},
			setup: env(map[string]string{"GOPROXY": "https://proxy.example.com,direct", "GONOPROXY": "corp.example.com", "GONOSUMDB": "other.example.com"}),
			want:  []place{{RulePrivateFallback, "go.mod", 1}}},
		{name: "environment: GOINSECURE", mod: "good", args: []string{"--checks", "environment"},
			setup: env(map[string]string{"GOINSECURE": "corp.example.com"}), want: []place{{RuleInsecure, "go.mod", 1}}},
		{name: "environment: GOFLAGS=-insecure", mod: "good", args: []string{"--checks", "environment"},
			setup: env(map[string]string{"GOFLAGS": "-insecure"}), want: []place{{RuleInsecureFlag, "go.mod", 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, tc.http)
			ws := workspace(t, tc.mod)
			var extra map[string]string
			if tc.setup != nil {
				extra = tc.setup(t, w, ws)
			}
			r := w.run(t, ws, extra, append([]string{"--output-format", "json"}, tc.args...)...)
			want := gha.ExitOK
			for _, p := range tc.want {
				if ruleOf(p.Rule).Severity == SeverityError {
					want = gha.ExitFindings
				}
			}
			r.mustCode(t, want)
			fs := r.findings(t)
			if d := cmp.Diff(tc.want, places(fs), cmpEmpty); d != "" {
				t.Errorf("findings (-want +got):\n%s\nstderr:\n%s", d, r.stderr)
			}
			for _, f := range fs {
				if f.Message == "" || f.Fix == "" || f.Severity == "" || f.Check == "" {
					t.Errorf("finding lacks message, fix, severity or check: %+v", f)
				}
				if !strings.Contains(r.stderr, f.Rule) {
					t.Errorf("no annotation for %s on stderr", f.Rule)
				}
			}
			if r.outputs(t)["passed"] != map[bool]string{true: "true", false: "false"}[want == gha.ExitOK] {
				t.Errorf("passed = %q with exit %d", r.outputs(t)["passed"], r.code)
			}
		})
	}
}

var cmpEmpty = cmp.Transformer("nilToEmpty", func(p []place) []place {
	if p == nil {
		return []place{}
	}
	return p
})

// env is a setup that only sets environment variables.
func env(vars map[string]string) func(*testing.T, *world, string) map[string]string {
	return func(*testing.T, *world, string) map[string]string { return vars }
}
