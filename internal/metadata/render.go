package metadata

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/slipway-dev/slipway/internal/gha"
)

// Branding is the Marketplace icon and colour of an action.
type Branding struct {
	Icon  string
	Color string
}

// Action is what renders one composite action: its declaration and branding.
type Action struct {
	Spec     gha.Spec
	Branding Branding
	Source   string // Go package holding the declaration, named in the header
}

// EnvName is the variable a composite step passes an input in.
func EnvName(input string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(input, "-", "_"))
}

// Render writes the composite action.yml of a: every input passed to the
// binary through env (never interpolated into a run: script), every output
// mapped from the run step. The binary is resolved by ../resolve.sh: the
// tool cache, a release asset checked against actions/checksums.txt, or a
// build from the action's own source, cached with actions/cache.
func Render(a Action) ([]byte, error) {
	s := a.Spec
	if err := s.Validate(); err != nil {
		return nil, err
	}
	inputs := inputsNode(s)
	outputs := mapping()
	for _, out := range s.Outputs {
		m := mapping()
		add(m, "description", str(out.Description))
		add(m, "value", quoted("${{ steps.run.outputs."+out.Name+" }}"))
		add(outputs, out.Name, m)
	}
	runEnv := mapping()
	for _, in := range s.Inputs {
		add(runEnv, EnvName(in.Name), quoted("${{ inputs."+in.Name+" }}"))
	}
	add(runEnv, "SLIPWAY_BIN", quoted("${{ steps.resolve.outputs.bin || steps.build.outputs.bin }}"))

	resolveEnv := mapping()
	add(resolveEnv, "SLIPWAY_ACTION", str(s.Name))
	add(resolveEnv, "SLIPWAY_ACTION_PATH", quoted("${{ github.action_path }}"))
	add(resolveEnv, "SLIPWAY_ACTION_REF", quoted("${{ github.action_ref }}"))

	steps := &yaml.Node{Kind: yaml.SequenceNode}
	steps.Content = append(steps.Content,
		step("Resolve the "+s.Name+" binary", "resolve", "", resolveEnv, `bash "$SLIPWAY_ACTION_PATH/../resolve.sh" resolve`),
		cacheStep(),
		step("Build "+s.Name+" from the action's source", "build", "steps.resolve.outputs.bin == ''", resolveEnv, `bash "$SLIPWAY_ACTION_PATH/../resolve.sh" build`),
		step("Run "+s.Name, "run", "", runEnv, `"$SLIPWAY_BIN"`),
	)
	return encode("the declaration in "+a.Source, actionDoc("Slipway "+s.Name, s.Description, a.Branding, inputs, outputs, steps))
}

// actionDoc is an action.yml's document: name, description, branding,
// inputs, outputs and the composite steps, in that order.
func actionDoc(name, description string, b Branding, inputs, outputs, steps *yaml.Node) *yaml.Node {
	runs := mapping()
	add(runs, "using", str("composite"))
	add(runs, "steps", steps)

	branding := mapping()
	add(branding, "icon", str(b.Icon))
	add(branding, "color", str(b.Color))

	root := mapping()
	add(root, "name", str(name))
	add(root, "description", str(description))
	add(root, "author", str("Slipway"))
	add(root, "branding", branding)
	add(root, "inputs", inputs)
	add(root, "outputs", outputs)
	add(root, "runs", runs)
	return root
}

// inputsNode is the inputs: mapping of an action.yml.
func inputsNode(s gha.Spec) *yaml.Node {
	inputs := mapping()
	for _, in := range s.Inputs {
		m := mapping()
		add(m, "description", str(in.Description))
		add(m, "required", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(in.Required)})
		if in.Default != "" {
			add(m, "default", quoted(in.Default))
		}
		add(inputs, in.Name, m)
	}
	return inputs
}

// encode writes an action.yml: the generated-file header naming source, then root.
func encode(source string, root *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Generated from %s by `go test ./internal/metadata -update`.\n# Edit the declaration, not this file: a test fails when they differ.\n", source)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// cacheStep keeps source-built binaries between runs, keyed on the source
// tree, the Go version, the OS and the architecture.
func cacheStep() *yaml.Node {
	with := mapping()
	add(with, "path", quoted("${{ steps.resolve.outputs.cache-path }}"))
	add(with, "key", quoted("${{ steps.resolve.outputs.cache-key }}"))
	m := mapping()
	add(m, "name", str("Cache the source-built binary"))
	add(m, "if", str("steps.resolve.outputs.bin == ''"))
	add(m, "uses", str(CacheAction))
	add(m, "with", with)
	return m
}

// CacheAction is actions/cache pinned by full commit SHA (v4.2.3).
const CacheAction = "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684"

func step(name, id, cond string, env *yaml.Node, run string) *yaml.Node {
	m := mapping()
	add(m, "name", str(name))
	add(m, "id", str(id))
	if cond != "" {
		add(m, "if", str(cond))
	}
	add(m, "shell", str("bash"))
	add(m, "env", env)
	add(m, "run", str(run))
	return m
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func quoted(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Style: yaml.DoubleQuotedStyle}
}

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

// RenderRoot writes the umbrella action.yml: for each sub-action, before the
// first stage that runs it, the steps that resolve its binary (as the
// sub-action does, from actions/<name> inside this action's tree); then each
// stage's binary with its inputs in env (never in a run: script).
func RenderRoot(r Root) ([]byte, error) {
	specs := specsByName()
	if err := r.Validate(specs); err != nil {
		return nil, err
	}
	s := r.Spec()
	inputs := inputsNode(s)
	outputs := mapping()
	for _, out := range r.Outputs {
		m := mapping()
		add(m, "description", str(out.Description))
		add(m, "value", quoted("${{ steps."+out.Stage+".outputs."+out.From+" }}"))
		add(outputs, out.Name, m)
	}

	steps := &yaml.Node{Kind: yaml.SequenceNode}
	resolved := map[string]bool{}
	for _, st := range r.Stages {
		if !resolved[st.Action] {
			resolved[st.Action] = true
			steps.Content = append(steps.Content, rootResolveSteps(st.Action, r.resolveIf(st.Action))...)
		}
		env := mapping()
		for _, kv := range r.stageEnv(st, specs[st.Action]) {
			add(env, kv[0], quoted(kv[1]))
		}
		add(env, "SLIPWAY_BIN", quoted(binExpr(st.Action)))
		steps.Content = append(steps.Content, step(st.Title, st.ID, st.If, env, `"$SLIPWAY_BIN"`))
	}
	return encode("RootAction in internal/metadata/root.go", actionDoc("Slipway", s.Description, r.Branding, inputs, outputs, steps))
}

// resolveID is the id of the step resolving an action's binary.
func resolveID(action string) string { return "resolve-" + action }

func binExpr(action string) string {
	return "${{ steps." + resolveID(action) + ".outputs.bin || steps.build-" + action + ".outputs.bin }}"
}

// rootResolveSteps resolve one sub-action's binary the way its own
// action.yml does, with actions/<name> of this action's tree as its path.
func rootResolveSteps(action, cond string) []*yaml.Node {
	env := mapping()
	add(env, "SLIPWAY_ACTION", str(action))
	add(env, "SLIPWAY_ACTION_PATH", quoted("${{ github.action_path }}/actions/"+action))
	add(env, "SLIPWAY_ACTION_REF", quoted("${{ github.action_ref }}"))
	id := resolveID(action)
	missing := "steps." + id + ".outputs.bin == ''"

	with := mapping()
	add(with, "path", quoted("${{ steps."+id+".outputs.cache-path }}"))
	add(with, "key", quoted("${{ steps."+id+".outputs.cache-key }}"))
	cache := mapping()
	add(cache, "name", str("Cache the source-built "+action))
	add(cache, "if", str(and(cond, missing)))
	add(cache, "uses", str(CacheAction))
	add(cache, "with", with)

	return []*yaml.Node{
		step("Resolve the "+action+" binary", id, cond, env, `bash "$SLIPWAY_ACTION_PATH/../resolve.sh" resolve`),
		cache,
		step("Build "+action+" from the action's source", "build-"+action, and(cond, missing), env, `bash "$SLIPWAY_ACTION_PATH/../resolve.sh" build`),
	}
}
