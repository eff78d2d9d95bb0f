package metadata

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/slipway-dev/slipway/internal/gha"
)

// File is the part of an action.yml this package checks.
type File struct {
	Name        string                `yaml:"name"`
	Description string                `yaml:"description"`
	Inputs      map[string]FileInput  `yaml:"inputs"`
	Outputs     map[string]FileOutput `yaml:"outputs"`
	Runs        struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID   string            `yaml:"id"`
			If   string            `yaml:"if"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// FileInput is one input of an action.yml.
type FileInput struct {
	Description string `yaml:"description"`
	Required    bool   `yaml:"required"`
	Default     string `yaml:"default"`
}

// FileOutput is one output of an action.yml.
type FileOutput struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

// Parse reads an action.yml.
func Parse(b []byte) (*File, error) {
	var f File
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

var inputExpr = regexp.MustCompile(`\$\{\{[^}]*\b(inputs|github\.event)\.`)

// Check lists every way f disagrees with spec: missing, extra or different
// inputs and outputs, an input not passed to the binary through env, or an
// expression inside a run: script.
func Check(f *File, spec gha.Spec) error {
	var errs []error
	if f.Runs.Using != "composite" {
		errs = append(errs, fmt.Errorf("runs.using is %q, want composite", f.Runs.Using))
	}
	env := map[string]string{}
	for _, st := range f.Runs.Steps {
		if inputExpr.MatchString(st.Run) {
			errs = append(errs, fmt.Errorf("step %q puts an expression into its run: script; pass it through env:", st.ID))
		}
		if st.ID == "run" {
			env = st.Env
		}
	}
	for _, in := range spec.Inputs {
		got, ok := f.Inputs[in.Name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("input %s is declared in Go but missing", in.Name))
			continue
		case got.Description != in.Description:
			errs = append(errs, fmt.Errorf("input %s: description %q, declared %q", in.Name, got.Description, in.Description))
		case got.Default != in.Default:
			errs = append(errs, fmt.Errorf("input %s: default %q, declared %q", in.Name, got.Default, in.Default))
		case got.Required != in.Required:
			errs = append(errs, fmt.Errorf("input %s: required %s, declared %s", in.Name, strconv.FormatBool(got.Required), strconv.FormatBool(in.Required)))
		}
		if want := "${{ inputs." + in.Name + " }}"; env[EnvName(in.Name)] != want {
			errs = append(errs, fmt.Errorf("input %s does not reach the binary as %s: %s", in.Name, EnvName(in.Name), want))
		}
	}
	for name := range f.Inputs {
		if _, ok := spec.Input(name); !ok {
			errs = append(errs, fmt.Errorf("input %s is not declared in Go", name))
		}
	}
	declared := map[string]bool{}
	for _, out := range spec.Outputs {
		declared[out.Name] = true
		got, ok := f.Outputs[out.Name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("output %s is declared in Go but missing", out.Name))
		case got.Description != out.Description:
			errs = append(errs, fmt.Errorf("output %s: description %q, declared %q", out.Name, got.Description, out.Description))
		case got.Value != "${{ steps.run.outputs."+out.Name+" }}":
			errs = append(errs, fmt.Errorf("output %s: value %q does not come from the run step", out.Name, got.Value))
		}
	}
	for name := range f.Outputs {
		if !declared[name] {
			errs = append(errs, fmt.Errorf("output %s is not declared in Go", name))
		}
	}
	return errors.Join(errs...)
}
