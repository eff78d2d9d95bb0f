package gha

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// value is one resolved input.
type value struct {
	set  bool   // the user gave a non-empty value
	text string // the trimmed user value, or the default
	b    bool
	list []string
	i    int
	d    time.Duration
}

// parseValue parses s under in.Kind. Errors are the bare reason; the caller
// names the input. Values of secret inputs are never quoted in errors.
func parseValue(in Input, s string) (value, error) {
	v := value{text: s}
	if s == "" {
		return v, nil // every kind's zero value
	}
	quoted := strconv.Quote(s)
	if in.Secret {
		quoted = "(secret)"
	}
	switch in.Kind {
	case KindString:
	case KindBool:
		b, ok := parseBool(s)
		if !ok {
			return value{}, fmt.Errorf("invalid boolean %s: want one of true, false, yes, no, on, off, 1, 0", quoted)
		}
		v.b = b
	case KindList:
		v.list = parseList(s)
	case KindInt:
		i, err := strconv.Atoi(s)
		if err != nil {
			return value{}, fmt.Errorf("invalid integer %s", quoted)
		}
		v.i = i
	case KindDuration:
		d, err := parseDuration(s)
		if err != nil {
			return value{}, fmt.Errorf("invalid duration %s: want a Go duration such as 90s or 5m, or a number of seconds", quoted)
		}
		v.d = d
	default:
		return value{}, fmt.Errorf("unknown kind %v", in.Kind)
	}
	return v, nil
}

// parseBool accepts true/false, yes/no, on/off and 1/0 in any case.
func parseBool(s string) (b, ok bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0":
		return false, true
	}
	return false, false
}

// parseDuration accepts a Go duration or a bare integer number of seconds.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		const maxSeconds = int64(1<<63-1) / int64(time.Second)
		if n > maxSeconds || n < -maxSeconds {
			return 0, errors.New("out of range")
		}
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}

// parseList splits s on newlines and commas, trims every item and drops empty
// items and comments: a line or item starting with "#", and a trailing
// " # comment" on a line.
func parseList(s string) []string {
	var items []string
	for line := range strings.Lines(s) {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if i := strings.Index(line, "\t#"); i >= 0 {
			line = line[:i]
		}
		for item := range strings.SplitSeq(line, ",") {
			item = strings.TrimSpace(item)
			if item == "" || strings.HasPrefix(item, "#") {
				continue
			}
			items = append(items, item)
		}
	}
	return items
}

// envName is the variable our composite actions set for an input:
// INPUT_KEY_PASSWORD for "key-password".
func envName(input string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(input, "-", "_"))
}

// runnerEnvName is the variable the runner itself sets for docker and
// JavaScript actions: INPUT_KEY-PASSWORD.
func runnerEnvName(input string) string {
	return "INPUT_" + strings.ToUpper(input)
}

// rawInputs is what the user gave, before typing: input name to text.
// Absent or blank values are missing.
type rawInputs map[string]string

// inputsFromEnv reads INPUT_* variables (Actions mode). Arguments are not
// accepted: the composite actions pass every input through env.
func inputsFromEnv(spec Spec, args []string, getenv func(string) string) (rawInputs, error) {
	if len(args) > 0 {
		return nil, &UsageError{Reason: fmt.Sprintf("unexpected argument %q: in GitHub Actions inputs are passed as INPUT_* environment variables", args[0])}
	}
	raw := make(rawInputs)
	for _, in := range spec.Inputs {
		for _, key := range []string{envName(in.Name), runnerEnvName(in.Name)} {
			if v := strings.TrimSpace(getenv(key)); v != "" {
				raw[in.Name] = v
				break
			}
		}
	}
	return raw, nil
}

// flagValue records the last text given for one flag.
type flagValue struct {
	raw    rawInputs
	name   string
	isBool bool
}

func (f *flagValue) String() string   { return f.raw[f.name] }
func (f *flagValue) IsBoolFlag() bool { return f.isBool }

func (f *flagValue) Set(s string) error {
	// Last one wins; an empty value (--name=) un-sets the input.
	if s = strings.TrimSpace(s); s == "" {
		delete(f.raw, f.name)
	} else {
		f.raw[f.name] = s
	}
	return nil
}

// inputsFromFlags parses args (CLI mode) into raw inputs and the output
// format. It returns ErrHelp for -h/--help. Values are typed later, by the
// same code as in Actions mode.
func inputsFromFlags(spec Spec, args []string) (rawInputs, string, error) {
	fs := flag.NewFlagSet(spec.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	raw := make(rawInputs)
	for _, in := range spec.Inputs {
		fs.Var(&flagValue{raw: raw, name: in.Name, isBool: in.Kind == KindBool}, in.Name, in.Description)
	}
	format := fs.String(flagOutputFormat, formatText, "output format")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, "", ErrHelp
		}
		return nil, "", flagError(err)
	}
	if fs.NArg() > 0 {
		return nil, "", &UsageError{Reason: fmt.Sprintf("unexpected argument %q: every input is a --flag", fs.Arg(0))}
	}
	switch f := strings.TrimSpace(*format); f {
	case formatText, formatJSON:
		return raw, f, nil
	default:
		return nil, "", &UsageError{Input: flagOutputFormat, Reason: fmt.Sprintf("invalid value %q: want text or json", f)}
	}
}

// flagError turns the flag package's errors into usage errors that name the
// flag the way our help does (--name).
func flagError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return &UsageError{Reason: fmt.Sprintf("unknown flag --%s", strings.TrimLeft(name, "-"))}
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		name = strings.TrimLeft(name, "-")
		return &UsageError{Input: name, Reason: fmt.Sprintf("--%s needs a value", name)}
	}
	return &UsageError{Reason: msg}
}

// resolveInputs types every declared input, applying defaults and checking
// required inputs. It returns every problem at once.
func resolveInputs(spec Spec, raw rawInputs, actions bool) (map[string]value, error) {
	values := make(map[string]value, len(spec.Inputs))
	var errs []error
	for _, in := range spec.Inputs {
		text, set := raw[in.Name]
		if !set {
			if in.Required {
				errs = append(errs, &UsageError{Input: in.Name, Reason: missingReason(in.Name, actions)})
				continue
			}
			text = in.Default
		}
		v, err := parseValue(in, text)
		if err != nil {
			errs = append(errs, &UsageError{Input: in.Name, Reason: err.Error()})
			continue
		}
		v.set = set
		values[in.Name] = v
	}
	return values, errors.Join(errs...)
}

func missingReason(name string, actions bool) string {
	if actions {
		return fmt.Sprintf("required input is not set (with: %s, passed to the step as %s)", name, envName(name))
	}
	return fmt.Sprintf("required input is not set (pass --%s)", name)
}
