package gha

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKindString(t *testing.T) {
	t.Parallel()
	got := []string{KindString.String(), KindBool.String(), KindList.String(), KindInt.String(), KindDuration.String(), Kind(9).String()}
	want := []string{"string", "bool", "list", "int", "duration", "Kind(9)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Kind.String (-want +got):\n%s", diff)
	}
}

func TestSpecValidate(t *testing.T) {
	t.Parallel()
	in := func(name string) Input { return Input{Name: name, Description: "An input."} }
	tests := []struct {
		name   string
		modify func(*Spec)
		want   []string // substrings of the error; nil = valid
	}{
		{name: "valid", modify: func(*Spec) {}},
		{name: "bad action name", modify: func(s *Spec) { s.Name = "Demo" }, want: []string{`action name "Demo" is not kebab-case`}},
		{name: "empty action description", modify: func(s *Spec) { s.Description = " " }, want: []string{"action description is empty"}},
		{name: "upper case", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("Key")) }, want: []string{`input "Key": name is not kebab-case`}},
		{name: "underscore", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("key_password")) }, want: []string{`input "key_password": name is not kebab-case`}},
		{name: "double hyphen", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("key--password")) }, want: []string{"not kebab-case"}},
		{name: "leading hyphen", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("-key")) }, want: []string{"not kebab-case"}},
		{name: "trailing hyphen", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("key-")) }, want: []string{"not kebab-case"}},
		{name: "empty name", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("")) }, want: []string{`input "": name is not kebab-case`}},
		{name: "digits ok", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("sha256-2")) }},
		{name: "reserved output-format", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("output-format")) }, want: []string{`input "output-format": name is reserved`}},
		{name: "reserved help", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("help")) }, want: []string{`input "help": name is reserved`}},
		{name: "reserved h", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("h")) }, want: []string{`input "h": name is reserved`}},
		{name: "duplicate input", modify: func(s *Spec) { s.Inputs = append(s.Inputs, in("targets")) }, want: []string{`input "targets": declared twice`}},
		{name: "empty input description", modify: func(s *Spec) { s.Inputs = append(s.Inputs, Input{Name: "x"}) }, want: []string{`input "x": description is empty`}},
		{name: "unknown kind", modify: func(s *Spec) { s.Inputs = append(s.Inputs, Input{Name: "x", Description: "X.", Kind: 42}) }, want: []string{`input "x": unknown kind Kind(42)`}},
		{name: "bad bool default", modify: func(s *Spec) {
			s.Inputs = append(s.Inputs, Input{Name: "x", Description: "X.", Kind: KindBool, Default: "maybe"})
		}, want: []string{`input "x": default: invalid boolean "maybe"`}},
		{name: "bad int default", modify: func(s *Spec) {
			s.Inputs = append(s.Inputs, Input{Name: "x", Description: "X.", Kind: KindInt, Default: "four"})
		}, want: []string{`input "x": default: invalid integer "four"`}},
		{name: "bad duration default", modify: func(s *Spec) {
			s.Inputs = append(s.Inputs, Input{Name: "x", Description: "X.", Kind: KindDuration, Default: "soon"})
		}, want: []string{`input "x": default: invalid duration "soon"`}},
		{name: "required with default", modify: func(s *Spec) {
			s.Inputs = append(s.Inputs, Input{Name: "x", Description: "X.", Required: true, Default: "y"})
		}, want: []string{`input "x": required input has a default`}},
		{name: "bad output name", modify: func(s *Spec) { s.Outputs = append(s.Outputs, Output{Name: "Out", Description: "O."}) }, want: []string{`output "Out": name is not kebab-case`}},
		{name: "duplicate output", modify: func(s *Spec) { s.Outputs = append(s.Outputs, Output{Name: "matrix", Description: "O."}) }, want: []string{`output "matrix": declared twice`}},
		{name: "empty output description", modify: func(s *Spec) { s.Outputs = append(s.Outputs, Output{Name: "o"}) }, want: []string{`output "o": description is empty`}},
		{name: "output may share an input name", modify: func(s *Spec) { s.Outputs = append(s.Outputs, Output{Name: "targets", Description: "O."}) }},
		{name: "all problems at once", modify: func(s *Spec) {
			s.Inputs = append(s.Inputs, in("Bad"), in("help"))
			s.Outputs = append(s.Outputs, Output{Name: "o"})
		}, want: []string{`input "Bad"`, `input "help"`, `output "o"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := testSpec()
			tt.modify(&s)
			err := s.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), `spec "`) {
				t.Errorf("Validate() = %q, want it to name the spec", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestSpecInput(t *testing.T) {
	t.Parallel()
	s := testSpec()
	got, ok := s.Input("timeout")
	if !ok || got.Kind != KindDuration || got.Default != "10m" {
		t.Errorf(`Input("timeout") = %+v, %v; want the duration input`, got, ok)
	}
	if got, ok := s.Input("nope"); ok || got != (Input{}) {
		t.Errorf(`Input("nope") = %+v, %v; want zero, false`, got, ok)
	}
}

func TestWriteHelp(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := testSpec().WriteHelp(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "help.golden", b.String())
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteHelpError(t *testing.T) {
	t.Parallel()
	err := testSpec().WriteHelp(failWriter{})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteHelp(failing writer) = %v, want the write error", err)
	}
}

func TestMarkdownTables(t *testing.T) {
	t.Parallel()
	s := testSpec()
	s.Inputs = append(s.Inputs,
		Input{Name: "pattern", Description: "A regexp.\nSecond line.", Default: "a|b"},
		Input{Name: "script", Description: "Shell to run.", Default: "echo `date`"},
	)
	golden(t, "markdown.golden", s.MarkdownTables())
}

func TestMarkdownTablesEmpty(t *testing.T) {
	t.Parallel()
	got := Spec{Name: "x", Description: "X."}.MarkdownTables()
	want := "## Inputs\n\nNone.\n\n## Outputs\n\nNone.\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MarkdownTables (-want +got):\n%s", diff)
	}
}
