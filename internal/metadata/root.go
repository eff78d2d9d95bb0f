package metadata

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
)

// Feed names a sub-action input that a root input is passed to.
type Feed struct{ Action, Input string }

// RootInput is one input of the umbrella action (action.yml at the
// repository root). It is passed to the sub-action inputs in Feeds, or to the
// environment variable Env of the stages running EnvActions, or (Switch) it
// only decides which stages run.
type RootInput struct {
	gha.Input
	Feeds      []Feed
	Env        string
	EnvActions []string
	Switch     bool
}

// RootOutput is an output of the umbrella action, taken from a stage's output.
type RootOutput struct {
	gha.Output
	Stage, From string
}

// Setting is a sub-action input a stage sets itself (a literal or an
// expression), over any root input fed to it.
type Setting struct{ Input, Value string }

// Stage is one run of a sub-action's binary in the umbrella action.
type Stage struct {
	ID, Action, Title string
	If                string // step condition, without ${{ }}
	Set               []Setting
}

// Root is the umbrella action: the whole pipeline in one job.
type Root struct {
	Name, Description string
	Branding          Branding
	Inputs            []RootInput
	Outputs           []RootOutput
	Stages            []Stage
}

// Spec is the root action's interface as a gha.Spec (for validation and
// the docs tables).
func (r Root) Spec() gha.Spec {
	s := gha.Spec{Name: r.Name, Description: r.Description}
	for _, in := range r.Inputs {
		s.Inputs = append(s.Inputs, in.Input)
	}
	for _, out := range r.Outputs {
		s.Outputs = append(s.Outputs, out.Output)
	}
	return s
}

// RootAction is the declaration of action.yml at the repository root: the
// inputs most releases set, each passed to the sub-actions it belongs to.
// Order: verify-mod, build-matrix, publish's OCI layout (so that the scan
// sees the images), scan, sign the files, publish (push and release, with
// the signatures), then sign the pushed images by digest.
func RootAction() Root {
	specs := specsByName()
	desc := func(action, input string) string {
		in, _ := specs[action].Input(input)
		return in.Description
	}
	def := func(action, input string) string {
		in, _ := specs[action].Input(input)
		return in.Default
	}
	all := func(input string) []Feed {
		var fs []Feed
		for _, a := range Actions() {
			if _, ok := a.Spec.Input(input); ok {
				fs = append(fs, Feed{a.Spec.Name, input})
			}
		}
		return fs
	}
	const (
		images     = "inputs.repository != ''"
		signing    = "inputs.signer != 'none'"
		publishing = "inputs.publish == 'true' && (inputs.repository != '' || inputs.release == 'true')"
	)
	return Root{
		Name:        "slipway",
		Description: "Release a Go module in one job: verify go.mod and go.sum, cross-compile reproducibly, scan, sign, and publish multi-arch images and a GitHub Release. No Docker needed.",
		Branding:    Branding{Icon: "anchor", Color: "blue"},
		Inputs: []RootInput{
			{Input: gha.Input{Name: "module-dir", Description: "Directory holding the go.mod of the module to release, relative to the workspace.", Default: "."},
				Feeds: []Feed{{"verify-mod", "module-dir"}, {"build-matrix", "module-dir"}, {"scan", "module-dir"}}},
			{Input: gha.Input{Name: "main", Description: desc("build-matrix", "main"), Default: def("build-matrix", "main")},
				Feeds: []Feed{{"build-matrix", "main"}}},
			{Input: gha.Input{Name: "targets", Description: desc("build-matrix", "targets"), Default: def("build-matrix", "targets"), Kind: gha.KindList},
				Feeds: []Feed{{"build-matrix", "targets"}}},
			{Input: gha.Input{Name: "dist", Description: "Output directory inside the workspace, shared by every step.", Default: "dist"},
				Feeds: all("dist")},
			{Input: gha.Input{Name: "verify-fail-on", Description: "verify-mod: " + desc("verify-mod", "fail-on"), Default: def("verify-mod", "fail-on")},
				Feeds: []Feed{{"verify-mod", "fail-on"}}},
			{Input: gha.Input{Name: "fail-on", Description: "scan: " + desc("scan", "fail-on"), Default: def("scan", "fail-on"), Kind: gha.KindList},
				Feeds: []Feed{{"scan", "fail-on"}}},
			{Input: gha.Input{Name: "db-digest", Description: "scan: " + desc("scan", "db-digest")},
				Feeds: []Feed{{"scan", "db-digest"}}},
			{Input: gha.Input{Name: "db-repository", Description: "scan: " + desc("scan", "db-repository"), Default: def("scan", "db-repository"), Kind: gha.KindList},
				Feeds: []Feed{{"scan", "db-repository"}}},
			{Input: gha.Input{Name: "vuln-db", Description: "scan: " + desc("scan", "vuln-db"), Default: def("scan", "vuln-db")},
				Feeds: []Feed{{"scan", "vuln-db"}}},
			{Input: gha.Input{Name: "signer", Description: "keyless (GitHub OIDC → Fulcio → Rekor; needs id-token: write), key (a cosign key in key), kms (a KMS key URI in key) or none (do not sign).", Default: "keyless"},
				Feeds: []Feed{{"sign", "signer"}}, Switch: true},
			{Input: gha.Input{Name: "key", Description: desc("sign", "key"), Secret: true},
				Feeds: []Feed{{"sign", "key"}}},
			{Input: gha.Input{Name: "key-password", Description: desc("sign", "key-password"), Secret: true},
				Feeds: []Feed{{"sign", "key-password"}}},
			{Input: gha.Input{Name: "repository", Description: "Image repository to push the multi-arch image to (ghcr.io/owner/name); empty: no images."},
				Feeds: []Feed{{"publish", "repository"}}, Switch: true},
			{Input: gha.Input{Name: "base", Description: desc("publish", "base"), Default: def("publish", "base")},
				Feeds: []Feed{{"publish", "base"}}},
			{Input: gha.Input{Name: "publish", Description: "Push the image and upload the release; false stops after signing (a dry run that still builds, scans and signs).", Default: "true", Kind: gha.KindBool},
				Switch: true},
			{Input: gha.Input{Name: "release", Description: desc("publish", "release"), Default: def("publish", "release"), Kind: gha.KindBool},
				Feeds: []Feed{{"publish", "release"}}, Switch: true},
			{Input: gha.Input{Name: "token", Description: "GitHub token for the release upload and for ghcr.io (GITHUB_TOKEN of publish and sign).", Default: "${{ github.token }}", Secret: true},
				Env: "GITHUB_TOKEN", EnvActions: []string{"publish", "sign"}},
		},
		Outputs: []RootOutput{
			{Output: gha.Output{Name: "version", Description: "The version built."}, Stage: "build", From: "version"},
			{Output: gha.Output{Name: "checksums", Description: "Path of the checksums file."}, Stage: "build", From: "checksums"},
			{Output: gha.Output{Name: "manifest", Description: "Path of dist/manifest.json."}, Stage: "build", From: "manifest"},
			{Output: gha.Output{Name: "sarif", Description: "Path of the scan's SARIF file (for github/codeql-action/upload-sarif)."}, Stage: "scan", From: "sarif"},
			{Output: gha.Output{Name: "scan-counts", Description: "Vulnerabilities per severity found by the scan, as compact JSON."}, Stage: "scan", From: "counts"},
			{Output: gha.Output{Name: "signatures", Description: "The file signatures written, as compact JSON."}, Stage: "sign", From: "signatures"},
			{Output: gha.Output{Name: "digest", Description: "Digest of the image index pushed."}, Stage: "publish", From: "digest"},
			{Output: gha.Output{Name: "refs", Description: "JSON array of the digest-pinned image references pushed."}, Stage: "publish", From: "refs"},
		},
		Stages: []Stage{
			{ID: "verify-mod", Action: "verify-mod", Title: "Verify go.mod and go.sum"},
			{ID: "build", Action: "build-matrix", Title: "Build every target"},
			{ID: "images", Action: "publish", Title: "Build the images into an OCI layout for the scan", If: images,
				Set: []Setting{{"mode", "build"}, {"release", "false"}}},
			{ID: "scan", Action: "scan", Title: "Scan binaries, module and images"},
			{ID: "sign", Action: "sign", Title: "Sign the files", If: signing,
				Set: []Setting{{"images", "none"}}},
			{ID: "publish", Action: "publish", Title: "Publish", If: publishing},
			{ID: "sign-images", Action: "sign", Title: "Sign the pushed images", If: signing + " && inputs.publish == 'true' && " + images,
				// Only the images: a dist without a manifest keeps the files' signatures as they are.
				Set: []Setting{{"images", "${{ inputs.repository }}@${{ steps.publish.outputs.digest }}"}, {"dist", "${{ inputs.dist }}/sig/images"}}},
		},
	}
}

func specsByName() map[string]gha.Spec {
	m := map[string]gha.Spec{}
	for _, a := range Actions() {
		m[a.Spec.Name] = a.Spec
	}
	return m
}

// compatible reports whether a root input of kind root may feed an input of
// kind sub: the same kind, or one string into a list.
func compatible(root, sub gha.Kind) bool {
	return root == sub || (root == gha.KindString && sub == gha.KindList)
}

// Validate checks the declaration against the sub-actions' declarations:
// every feed and setting names a real input of a real action, kinds agree,
// secrets stay secret, every output comes from a real output of its stage,
// and every root input reaches something.
func (r Root) Validate(specs map[string]gha.Spec) error {
	errs := []error{r.Spec().Validate()}
	stages := map[string]Stage{}
	runs := map[string]bool{}
	for _, st := range r.Stages {
		spec, ok := specs[st.Action]
		if !ok {
			errs = append(errs, fmt.Errorf("stage %s runs unknown action %s", st.ID, st.Action))
			continue
		}
		if _, dup := stages[st.ID]; dup {
			errs = append(errs, fmt.Errorf("stage %s declared twice", st.ID))
		}
		stages[st.ID] = st
		runs[st.Action] = true
		for _, s := range st.Set {
			if _, ok := spec.Input(s.Input); !ok {
				errs = append(errs, fmt.Errorf("stage %s sets %s, which %s does not declare", st.ID, s.Input, st.Action))
			}
		}
	}
	for _, in := range r.Inputs {
		if len(in.Feeds) == 0 && in.Env == "" && !in.Switch {
			errs = append(errs, fmt.Errorf("input %s reaches nothing: no feed, no env, not a switch", in.Name))
		}
		for _, f := range in.Feeds {
			sub, ok := specs[f.Action].Input(f.Input)
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("input %s feeds %s.%s, which is not declared", in.Name, f.Action, f.Input))
				continue
			case !runs[f.Action]:
				errs = append(errs, fmt.Errorf("input %s feeds %s, which no stage runs", in.Name, f.Action))
			case !compatible(in.Kind, sub.Kind):
				errs = append(errs, fmt.Errorf("input %s is a %s but feeds %s.%s, a %s", in.Name, in.Kind, f.Action, f.Input, sub.Kind))
			case sub.Secret && !in.Secret:
				errs = append(errs, fmt.Errorf("input %s feeds the secret %s.%s but is not secret", in.Name, f.Action, f.Input))
			}
		}
		for _, a := range in.EnvActions {
			if !runs[a] {
				errs = append(errs, fmt.Errorf("input %s sets %s for %s, which no stage runs", in.Name, in.Env, a))
			}
		}
	}
	for _, out := range r.Outputs {
		st, ok := stages[out.Stage]
		if !ok {
			errs = append(errs, fmt.Errorf("output %s comes from unknown stage %s", out.Name, out.Stage))
			continue
		}
		if !hasOutput(specs[st.Action], out.From) {
			errs = append(errs, fmt.Errorf("output %s comes from %s.%s, which %s does not declare", out.Name, out.Stage, out.From, st.Action))
		}
	}
	return errors.Join(errs...)
}

func hasOutput(s gha.Spec, name string) bool {
	for _, o := range s.Outputs {
		if o.Name == name {
			return true
		}
	}
	return false
}

// stageEnv is the env of a stage's run step, in the sub-action's input order:
// the stage's own settings, else the root inputs fed to that input; then the
// environment variables root inputs set for this action.
func (r Root) stageEnv(st Stage, spec gha.Spec) [][2]string {
	var env [][2]string
	for _, sub := range spec.Inputs {
		val := ""
		for _, s := range st.Set {
			if s.Input == sub.Name {
				val = s.Value
			}
		}
		for _, in := range r.Inputs {
			for _, f := range in.Feeds {
				if val == "" && f.Action == st.Action && f.Input == sub.Name {
					val = "${{ inputs." + in.Name + " }}"
				}
			}
		}
		if val != "" {
			env = append(env, [2]string{EnvName(sub.Name), val})
		}
	}
	for _, in := range r.Inputs {
		for _, a := range in.EnvActions {
			if a == st.Action {
				env = append(env, [2]string{in.Env, "${{ inputs." + in.Name + " }}"})
			}
		}
	}
	return env
}

// resolveIf is the condition under which action's binary is needed: when
// any stage running it runs.
func (r Root) resolveIf(action string) string {
	var conds []string
	for _, st := range r.Stages {
		if st.Action != action {
			continue
		}
		if st.If == "" {
			return ""
		}
		conds = append(conds, st.If)
	}
	if len(conds) == 1 {
		return conds[0]
	}
	return "(" + strings.Join(conds, ") || (") + ")"
}

func and(a, b string) string {
	if a == "" {
		return b
	}
	return "(" + a + ") && " + b
}

var (
	inputRef = regexp.MustCompile(`\binputs\.([a-z0-9-]+)`)
	binRef   = regexp.MustCompile(`^\$\{\{ steps\.resolve-([a-z0-9-]+)\.outputs\.bin \|\| `)
	outRef   = regexp.MustCompile(`^\$\{\{ steps\.([a-z0-9-]+)\.outputs\.([a-z0-9-]+) \}\}$`)
)

// CheckRoot lists every way the parsed root action.yml f disagrees with the
// declaration r and the sub-actions' declarations: a step running a binary
// with an INPUT_* variable its action does not declare, an expression inside
// a run: script, a reference to an undeclared input, a declared input that
// reaches no step, a feed that is not passed, or an output taken from an
// output the step's action does not have.
func CheckRoot(f *File, r Root, specs map[string]gha.Spec) error {
	var errs []error
	if f.Runs.Using != "composite" {
		errs = append(errs, fmt.Errorf("runs.using is %q, want composite", f.Runs.Using))
	}
	for name := range f.Inputs {
		if _, ok := r.Spec().Input(name); !ok {
			errs = append(errs, fmt.Errorf("input %s is not declared in RootAction", name))
		}
	}
	used := map[string]bool{}
	stepAction := map[string]string{} // step id → the action whose binary it runs
	passed := map[Feed][]string{}     // sub-action input → the values steps pass
	for _, st := range f.Runs.Steps {
		if strings.Contains(st.Run, "${{") {
			errs = append(errs, fmt.Errorf("step %q puts an expression into its run: script; pass it through env:", st.ID))
		}
		for _, m := range inputRef.FindAllStringSubmatch(st.If, -1) {
			used[m[1]] = true
		}
		for _, v := range st.Env {
			for _, m := range inputRef.FindAllStringSubmatch(v, -1) {
				used[m[1]] = true
			}
		}
		bin, ok := st.Env["SLIPWAY_BIN"]
		if !ok {
			continue
		}
		m := binRef.FindStringSubmatch(bin)
		if m == nil {
			errs = append(errs, fmt.Errorf("step %q: SLIPWAY_BIN %q does not come from a resolve step", st.ID, bin))
			continue
		}
		action := m[1]
		spec, ok := specs[action]
		if !ok {
			errs = append(errs, fmt.Errorf("step %q runs unknown action %s", st.ID, action))
			continue
		}
		stepAction[st.ID] = action
		envOf := map[string]string{}
		for _, in := range spec.Inputs {
			envOf[EnvName(in.Name)] = in.Name
		}
		for k, v := range st.Env {
			if !strings.HasPrefix(k, "INPUT_") {
				continue
			}
			in, ok := envOf[k]
			if !ok {
				errs = append(errs, fmt.Errorf("step %q passes %s, which %s does not declare", st.ID, k, action))
				continue
			}
			passed[Feed{action, in}] = append(passed[Feed{action, in}], v)
		}
	}
	for _, in := range r.Inputs {
		if _, ok := f.Inputs[in.Name]; !ok {
			errs = append(errs, fmt.Errorf("input %s is declared in RootAction but missing", in.Name))
		}
		if !used[in.Name] {
			errs = append(errs, fmt.Errorf("input %s reaches no step", in.Name))
		}
		for _, fd := range in.Feeds {
			if want := "${{ inputs." + in.Name + " }}"; !slices.Contains(passed[fd], want) {
				errs = append(errs, fmt.Errorf("input %s is not passed to %s as %s: %s", in.Name, fd.Action, EnvName(fd.Input), want))
			}
		}
	}
	for name := range used {
		if _, ok := f.Inputs[name]; !ok {
			errs = append(errs, fmt.Errorf("a step refers to inputs.%s, which is not an input", name))
		}
	}
	for name, out := range f.Outputs {
		m := outRef.FindStringSubmatch(out.Value)
		if m == nil {
			errs = append(errs, fmt.Errorf("output %s: value %q is not a step output", name, out.Value))
			continue
		}
		action, ok := stepAction[m[1]]
		if !ok {
			errs = append(errs, fmt.Errorf("output %s comes from step %s, which runs no Slipway binary", name, m[1]))
			continue
		}
		if !hasOutput(specs[action], m[2]) {
			errs = append(errs, fmt.Errorf("output %s comes from %s output %s, which %s does not declare", name, m[1], m[2], action))
		}
	}
	return errors.Join(errs...)
}
