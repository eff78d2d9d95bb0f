package gha

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"blank", " \n\t,\n", nil},
		{"commas", "linux/amd64,linux/arm64", []string{"linux/amd64", "linux/arm64"}},
		{"commas and spaces", " a , b ,c ", []string{"a", "b", "c"}},
		{"newlines", "a\nb\r\nc\n", []string{"a", "b", "c"}},
		{"mixed", "a, b\nc,d\n\n", []string{"a", "b", "c", "d"}},
		{"empty items dropped", "a,,b,\n,", []string{"a", "b"}},
		{"comment line", "# platforms\na\n  # indented comment\nb", []string{"a", "b"}},
		{"trailing comment", "a, b # the usual ones\nc\t# tab comment", []string{"a", "b", "c"}},
		{"comment item", "a,#b,c", []string{"a", "c"}},
		{"hash inside item kept", "a#b", []string{"a#b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, parseList(tt.in)); diff != "" {
				t.Errorf("parseList(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestInputKinds parses every kind, good and bad, in every way a value can
// arrive.
func TestInputKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind    Kind
		text    string
		want    any
		wantErr string // substring of the UsageError's reason
	}{
		{KindString, "hello", "hello", ""},
		{KindString, "  padded  ", "padded", ""},
		{KindString, "a=b,c", "a=b,c", ""},
		{KindBool, "true", true, ""},
		{KindBool, "TRUE", true, ""},
		{KindBool, "yes", true, ""},
		{KindBool, "On", true, ""},
		{KindBool, "1", true, ""},
		{KindBool, "false", false, ""},
		{KindBool, "No", false, ""},
		{KindBool, "off", false, ""},
		{KindBool, "0", false, ""},
		{KindBool, "maybe", nil, `invalid boolean "maybe": want one of true, false, yes, no, on, off, 1, 0`},
		{KindBool, "2", nil, "invalid boolean"},
		{KindList, "a, b\nc # comment", []string{"a", "b", "c"}, ""},
		{KindList, "single", []string{"single"}, ""},
		{KindInt, "42", 42, ""},
		{KindInt, "-3", -3, ""},
		{KindInt, "+7", 7, ""},
		{KindInt, "4.5", nil, `invalid integer "4.5"`},
		{KindInt, "ten", nil, `invalid integer "ten"`},
		{KindInt, "99999999999999999999", nil, "invalid integer"},
		{KindDuration, "90s", 90 * time.Second, ""},
		{KindDuration, "1h30m", 90 * time.Minute, ""},
		{KindDuration, "30", 30 * time.Second, ""},
		{KindDuration, "0", time.Duration(0), ""},
		{KindDuration, "-5", -5 * time.Second, ""},
		{KindDuration, "1.5", nil, `invalid duration "1.5"`},
		{KindDuration, "soon", nil, `invalid duration "soon"`},
		{KindDuration, "99999999999999", nil, "invalid duration"},
	}
	modes := []struct {
		name string
		env  func(t *testing.T, text string) *testEnv
	}{
		{"flag=value", func(t *testing.T, text string) *testEnv { return newTestEnv(t, nil, "--the-input="+text) }},
		{"single dash", func(t *testing.T, text string) *testEnv { return newTestEnv(t, nil, "-the-input="+text) }},
		{"INPUT_THE_INPUT", func(t *testing.T, text string) *testEnv {
			return newTestEnv(t, map[string]string{"GITHUB_ACTIONS": "true", "INPUT_THE_INPUT": text})
		}},
		{"INPUT_THE-INPUT", func(t *testing.T, text string) *testEnv {
			return newTestEnv(t, map[string]string{"GITHUB_ACTIONS": "true", "INPUT_THE-INPUT": text})
		}},
	}
	for _, tt := range tests {
		for _, mode := range modes {
			t.Run(tt.kind.String()+"/"+tt.text+"/"+mode.name, func(t *testing.T) {
				t.Parallel()
				in := Input{Name: "the-input", Description: "The input.", Kind: tt.kind}
				spec := Spec{Name: "kinds", Description: "Kinds.", Inputs: []Input{in}}
				te := mode.env(t, tt.text)
				a, err := New(spec, te.Env)
				if tt.wantErr != "" {
					var ue *UsageError
					if !errors.As(err, &ue) {
						t.Fatalf("New() error = %v, want a *UsageError", err)
					}
					if ue.Input != "the-input" || !strings.Contains(ue.Reason, tt.wantErr) {
						t.Errorf("New() error = %+v, want input %q and a reason containing %q", ue, "the-input", tt.wantErr)
					}
					if a != nil {
						t.Errorf("New() returned an Action with an error")
					}
					return
				}
				if err != nil {
					t.Fatalf("New() error = %v", err)
				}
				if diff := cmp.Diff(tt.want, getValue(a, in)); diff != "" {
					t.Errorf("value (-want +got):\n%s", diff)
				}
				if !a.IsSet("the-input") {
					t.Errorf("IsSet = false, want true")
				}
				if got, want := a.String("the-input"), strings.TrimSpace(tt.text); got != want {
					t.Errorf("String = %q, want %q", got, want)
				}
			})
		}
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	for _, te := range []*testEnv{
		newTestEnv(t, nil, "--module", "example.com/m"),
		newTestEnv(t, map[string]string{"GITHUB_ACTIONS": "true", "INPUT_MODULE": "example.com/m", "INPUT_TIMEOUT": "  ", "INPUT_TARGETS": ""}),
	} {
		a, err := New(testSpec(), te.Env)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]any{}
		set := map[string]bool{}
		for _, in := range testSpec().Inputs {
			got[in.Name] = getValue(a, in)
			set[in.Name] = a.IsSet(in.Name)
		}
		want := map[string]any{
			"module":              "example.com/m",
			"targets":             []string{"linux/amd64", "linux/arm64"},
			"verify-reproducible": false,
			"parallelism":         4,
			"timeout":             10 * time.Minute,
			"key-password":        "",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("InActions=%v: values (-want +got):\n%s", a.InActions(), diff)
		}
		wantSet := map[string]bool{"module": true}
		for k := range got {
			if set[k] != wantSet[k] {
				t.Errorf("InActions=%v: IsSet(%q) = %v, want %v", a.InActions(), k, set[k], wantSet[k])
			}
		}
		if a.String("targets") != "linux/amd64,linux/arm64" {
			t.Errorf("String(targets) = %q, want the default text", a.String("targets"))
		}
	}
}

func TestUndeclaredGetters(t *testing.T) {
	t.Parallel()
	a, err := New(testSpec(), newTestEnv(t, nil, "--module=m").Env)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{a.String("nope"), a.Bool("nope"), a.List("nope"), a.Int("nope"), a.Duration("nope"), a.IsSet("nope"), a.Int("module")}
	want := []any{"", false, []string(nil), 0, time.Duration(0), false, 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("getters of undeclared names (-want +got):\n%s", diff)
	}
	// List returns a copy.
	l := a.List("targets")
	l[0] = "changed"
	if a.List("targets")[0] != "linux/amd64" {
		t.Errorf("List returned the Action's own slice")
	}
}

func TestCLIFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want map[string]any // input name → typed value
	}{
		{"bool bare flag", []string{"--module=m", "--verify-reproducible"}, map[string]any{"verify-reproducible": true}},
		{"bool =false", []string{"--module=m", "--verify-reproducible=false"}, map[string]any{"verify-reproducible": false}},
		{"bool =yes", []string{"--module=m", "-verify-reproducible=yes"}, map[string]any{"verify-reproducible": true}},
		{"space-separated value", []string{"--module", "m", "--parallelism", "8"}, map[string]any{"parallelism": 8, "module": "m"}},
		{"last wins", []string{"--module=a", "--module=b", "--targets=x", "--targets", "y,z"}, map[string]any{"module": "b", "targets": []string{"y", "z"}}},
		{"empty value means default", []string{"--module=m", "--parallelism=4", "--parallelism="}, map[string]any{"parallelism": 4}},
		{"double dash ends flags", []string{"--module=m", "--"}, map[string]any{"module": "m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := New(testSpec(), newTestEnv(t, nil, tt.args...).Env)
			if err != nil {
				t.Fatalf("New(%q) error = %v", tt.args, err)
			}
			got := map[string]any{}
			for name := range tt.want {
				in, _ := a.Spec().Input(name)
				got[name] = getValue(a, in)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("New(%q) values (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want []UsageError // every usage error, in order
	}{
		{
			name: "required missing (CLI)",
			want: []UsageError{{Input: "module", Reason: "required input is not set (pass --module)"}},
		},
		{
			name: "required missing (Actions)",
			vars: map[string]string{"GITHUB_ACTIONS": "true", "INPUT_MODULE": " "},
			want: []UsageError{{Input: "module", Reason: "required input is not set (with: module, passed to the step as INPUT_MODULE)"}},
		},
		{
			name: "unknown flag",
			args: []string{"--module=m", "--bogus=1"},
			want: []UsageError{{Reason: "unknown flag --bogus"}},
		},
		{
			name: "unknown single-dash flag",
			args: []string{"-x"},
			want: []UsageError{{Reason: "unknown flag --x"}},
		},
		{
			name: "positional argument",
			args: []string{"--module=m", "extra"},
			want: []UsageError{{Reason: `unexpected argument "extra": every input is a --flag`}},
		},
		{
			name: "bool takes no separate value",
			args: []string{"--module=m", "--verify-reproducible", "false"},
			want: []UsageError{{Reason: `unexpected argument "false": every input is a --flag`}},
		},
		{
			name: "argument after double dash",
			args: []string{"--module=m", "--", "--targets=x"},
			want: []UsageError{{Reason: `unexpected argument "--targets=x": every input is a --flag`}},
		},
		{
			name: "flag needs a value",
			args: []string{"--module"},
			want: []UsageError{{Input: "module", Reason: "--module needs a value"}},
		},
		{
			name: "bad output format",
			args: []string{"--module=m", "--output-format=yaml"},
			want: []UsageError{{Input: "output-format", Reason: `invalid value "yaml": want text or json`}},
		},
		{
			name: "arguments in Actions mode",
			vars: map[string]string{"GITHUB_ACTIONS": "true", "INPUT_MODULE": "m"},
			args: []string{"--module=m"},
			want: []UsageError{{Reason: `unexpected argument "--module=m": in GitHub Actions inputs are passed as INPUT_* environment variables`}},
		},
		{
			name: "all input errors at once",
			args: []string{"--parallelism=many", "--timeout=later", "--verify-reproducible=perhaps"},
			want: []UsageError{
				{Input: "module", Reason: "required input is not set (pass --module)"},
				{Input: "verify-reproducible", Reason: `invalid boolean "perhaps": want one of true, false, yes, no, on, off, 1, 0`},
				{Input: "parallelism", Reason: `invalid integer "many"`},
				{Input: "timeout", Reason: `invalid duration "later": want a Go duration such as 90s or 5m, or a number of seconds`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			te := newTestEnv(t, tt.vars, tt.args...)
			a, err := New(testSpec(), te.Env)
			if a != nil || err == nil {
				t.Fatalf("New() = %v, %v; want nil and an error", a, err)
			}
			if ExitCode(err) != ExitUsage {
				t.Errorf("ExitCode(%v) = %d, want %d", err, ExitCode(err), ExitUsage)
			}
			var got []UsageError
			for _, e := range flatten(err) {
				var ue *UsageError
				if !errors.As(e, &ue) {
					t.Fatalf("error %v is not a *UsageError", e)
				}
				got = append(got, *ue)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("usage errors (-want +got):\n%s", diff)
			}
			if te.stdout.Len() != 0 || te.stderr.Len() != 0 {
				t.Errorf("New printed %q / %q; it should leave reporting to the caller", te.stdout, te.stderr)
			}
		})
	}
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestActionsEnvNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"underscore form", map[string]string{"INPUT_KEY_PASSWORD": "u"}, "u"},
		{"hyphen form", map[string]string{"INPUT_KEY-PASSWORD": "h"}, "h"},
		{"underscore wins", map[string]string{"INPUT_KEY_PASSWORD": "u", "INPUT_KEY-PASSWORD": "h"}, "u"},
		{"empty underscore falls back", map[string]string{"INPUT_KEY_PASSWORD": "", "INPUT_KEY-PASSWORD": "h"}, "h"},
		{"blank underscore falls back", map[string]string{"INPUT_KEY_PASSWORD": " \n", "INPUT_KEY-PASSWORD": "h"}, "h"},
		{"lower case is not read", map[string]string{"INPUT_key_password": "l"}, ""},
		{"flags are not read", map[string]string{"key-password": "f"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.vars["GITHUB_ACTIONS"] = "true"
			tt.vars["INPUT_MODULE"] = "m"
			a, err := New(testSpec(), newTestEnv(t, tt.vars).Env)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.String("key-password"); got != tt.want {
				t.Errorf("String(key-password) = %q, want %q", got, tt.want)
			}
		})
	}
}
