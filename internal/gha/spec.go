package gha

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Kind is the type of an input's value; it decides how the textual value
// (flag, INPUT_* variable or default) is parsed.
type Kind int

// The input kinds.
const (
	KindString   Kind = iota
	KindBool          // true/false, yes/no, 1/0, on/off (case-insensitive)
	KindList          // items separated by commas or newlines; "#" starts a comment
	KindInt           // a decimal integer
	KindDuration      // a Go duration ("90s", "5m") or a bare number of seconds
)

// String returns the lower-case name of the kind as shown in --help.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindBool:
		return "bool"
	case KindList:
		return "list"
	case KindInt:
		return "int"
	case KindDuration:
		return "duration"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

func (k Kind) valid() bool { return k >= KindString && k <= KindDuration }

// Input declares one input of an action.
type Input struct {
	Name        string // kebab-case, e.g. "key-password"
	Description string // one sentence
	Default     string // textual default, parsed with Kind
	Required    bool
	Kind        Kind
	Secret      bool // value is masked (::add-mask::) as soon as it is read
}

// Output declares one output of an action.
type Output struct{ Name, Description string }

// Spec is the single declaration of an action's interface: action.yml, CLI
// flags, --help and docs tables all come from (or are tested against) it.
type Spec struct {
	Name        string // "build-matrix"
	Description string
	Inputs      []Input
	Outputs     []Output
}

// Names that every action's CLI defines itself and that inputs cannot take.
const (
	flagOutputFormat = "output-format"
	flagHelp         = "help"
	flagHelpShort    = "h"
)

func reserved(name string) bool {
	return name == flagOutputFormat || name == flagHelp || name == flagHelpShort
}

// Validate reports every problem with the declaration: names that are not
// kebab-case ([a-z0-9]+(-[a-z0-9]+)*) or are reserved (output-format, help,
// h), duplicate input or output names, empty descriptions, unknown kinds,
// defaults that do not parse under their kind, and required inputs with a
// default.
func (s Spec) Validate() error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(format, args...))
	}
	if !kebab(s.Name) {
		add("action name %q is not kebab-case", s.Name)
	}
	if strings.TrimSpace(s.Description) == "" {
		add("action description is empty")
	}
	seen := make(map[string]bool)
	for _, in := range s.Inputs {
		switch {
		case !kebab(in.Name):
			add("input %q: name is not kebab-case", in.Name)
		case reserved(in.Name):
			add("input %q: name is reserved", in.Name)
		case seen[in.Name]:
			add("input %q: declared twice", in.Name)
		}
		seen[in.Name] = true
		if strings.TrimSpace(in.Description) == "" {
			add("input %q: description is empty", in.Name)
		}
		if !in.Kind.valid() {
			add("input %q: unknown kind %v", in.Name, in.Kind)
			continue
		}
		if in.Required && in.Default != "" {
			add("input %q: required input has a default", in.Name)
		}
		if in.Default != "" {
			if _, err := parseValue(in, in.Default); err != nil {
				add("input %q: default: %w", in.Name, err)
			}
		}
	}
	seen = make(map[string]bool)
	for _, out := range s.Outputs {
		switch {
		case !kebab(out.Name):
			add("output %q: name is not kebab-case", out.Name)
		case seen[out.Name]:
			add("output %q: declared twice", out.Name)
		}
		seen[out.Name] = true
		if strings.TrimSpace(out.Description) == "" {
			add("output %q: description is empty", out.Name)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("spec %q: %w", s.Name, err)
	}
	return nil
}

// kebab reports whether name matches [a-z0-9]+(-[a-z0-9]+)*.
func kebab(name string) bool {
	if name == "" {
		return false
	}
	for part := range strings.SplitSeq(name, "-") {
		if part == "" {
			return false
		}
		for _, r := range part {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}

// Input returns the declared input called name.
func (s Spec) Input(name string) (Input, bool) {
	for _, in := range s.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

func (s Spec) declaresOutput(name string) bool {
	for _, out := range s.Outputs {
		if out.Name == name {
			return true
		}
	}
	return false
}

// WriteHelp writes the CLI usage: a usage line, the description, one line per
// input flag ("--name (kind)  description (default: X) [required]") and the
// flags every action has. The text is stable: it is golden-tested.
func (s Spec) WriteHelp(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s [flags]\n", s.Name)
	if d := strings.TrimSpace(s.Description); d != "" {
		fmt.Fprintf(&b, "\n%s\n", d)
	}
	b.WriteString("\nflags:\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, in := range s.Inputs {
		line := fmt.Sprintf("  --%s (%s)\t%s", in.Name, in.Kind, oneLine(in.Description))
		if in.Default != "" {
			line += fmt.Sprintf(" (default: %s)", helpDefault(in))
		}
		if in.Required {
			line += " [required]"
		}
		if in.Secret {
			line += " [secret]"
		}
		fmt.Fprintln(tw, line)
	}
	fmt.Fprintf(tw, "  --%s (string)\tHow outputs are printed: text (name=value lines) or json. (default: text)\n", flagOutputFormat)
	fmt.Fprintf(tw, "  -h, --%s\tPrint this help and exit.\n", flagHelp)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("formatting help: %w", err)
	}
	b.WriteString("\nIn GitHub Actions (GITHUB_ACTIONS=true) inputs are read from INPUT_<NAME>\n" +
		"environment variables instead of flags, and outputs go to $GITHUB_OUTPUT.\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing help: %w", err)
	}
	return nil
}

// helpDefault renders a default on one line; list defaults are shown as their
// comma-separated items.
func helpDefault(in Input) string {
	if in.Kind == KindList {
		return strings.Join(parseList(in.Default), ",")
	}
	return oneLine(in.Default)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// MarkdownTables renders the "## Inputs" and "## Outputs" sections used in
// docs/<action>.md. Pipes are escaped and newlines become <br> so that every
// row stays one table row.
func (s Spec) MarkdownTables() string {
	var b strings.Builder
	b.WriteString("## Inputs\n\n")
	if len(s.Inputs) == 0 {
		b.WriteString("None.\n")
	} else {
		b.WriteString("| Name | Description | Default | Required |\n")
		b.WriteString("|------|-------------|---------|----------|\n")
		for _, in := range s.Inputs {
			def := ""
			if in.Default != "" {
				def = mdCode(in.Default)
			}
			req := "no"
			if in.Required {
				req = "yes"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCode(in.Name), mdCell(in.Description), def, req)
		}
	}
	b.WriteString("\n## Outputs\n\n")
	if len(s.Outputs) == 0 {
		b.WriteString("None.\n")
	} else {
		b.WriteString("| Name | Description |\n")
		b.WriteString("|------|-------------|\n")
		for _, out := range s.Outputs {
			fmt.Fprintf(&b, "| %s | %s |\n", mdCode(out.Name), mdCell(out.Description))
		}
	}
	return b.String()
}

// mdCell makes text safe for one markdown table cell.
func mdCell(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", "<br>")
}

// mdCode renders s as a code span inside a table cell; double backticks
// delimit a value that contains one. A multi-line value cannot be one code
// span and is rendered as text.
func mdCode(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return mdCell(s)
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}
