package gha

import (
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sync"
	"time"

	githubactions "github.com/sethvargo/go-githubactions"
)

// Env is everything an action takes from its process. main fills it from
// os; tests fill it by hand.
type Env struct {
	Args   []string // command-line arguments without the program name
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
	Dir    string    // the process working directory (absolute)
	Rand   io.Reader // randomness for heredoc delimiters; nil = crypto/rand
}

// ErrHelp is returned by New when --help or -h was given; the help text has
// already been written to Stdout.
var ErrHelp = errors.New("help requested")

// Output formats for CLI mode.
const (
	formatText = "text"
	formatJSON = "json"
)

// Action is one run of an action: its resolved inputs and the channels it
// reports through. Its methods are safe for concurrent use.
type Action struct {
	spec    Spec
	env     Env
	actions bool
	format  string // CLI mode: formatText or formatJSON
	values  map[string]value

	// gh writes workflow commands to Stdout. Its writer never fails, so the
	// library never panics; every string given to it is already redacted.
	gh *githubactions.Action

	mu      sync.Mutex        // guards everything below and serialises writes
	masks   []string          // longest first
	outputs map[string]string // CLI mode: recorded until Flush
	flushed bool              // CLI mode: Flush has printed once
}

// New resolves every declared input once, up front, so all usage errors are
// reported before any work.
//
// In Actions mode (GITHUB_ACTIONS=true) input "key-password" comes from
// INPUT_KEY_PASSWORD, or else INPUT_KEY-PASSWORD; an empty value means unset.
// Otherwise inputs come from flags named like the inputs (--key-password),
// plus --output-format text|json and -h/--help. Bad or missing inputs,
// unknown flags and positional arguments are reported as *UsageError (several
// are joined with errors.Join). --help writes the help to Stdout and returns
// ErrHelp. An invalid Spec or an Env without an absolute Dir is a plain error.
func New(spec Spec, env Env) (*Action, error) {
	a, err := newAction(spec, env)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// newAction is New, but returns the partly built Action along with a usage
// error so that Run can report it through the Action's masks.
func newAction(spec Spec, env Env) (*Action, error) {
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("invalid action declaration: %w", err)
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if env.Rand == nil {
		env.Rand = cryptorand.Reader
	}
	if !filepath.IsAbs(env.Dir) {
		return nil, fmt.Errorf("working directory %q is not absolute", env.Dir)
	}
	a := &Action{
		spec:    cloneSpec(spec),
		env:     env,
		actions: env.Getenv("GITHUB_ACTIONS") == "true",
		format:  formatText,
		outputs: make(map[string]string),
	}
	a.gh = githubactions.New(
		githubactions.WithWriter(neverFail{env.Stdout}),
		githubactions.WithGetenv(env.Getenv),
	)

	var raw rawInputs
	var err error
	if a.actions {
		raw, err = inputsFromEnv(spec, env.Args, env.Getenv)
	} else {
		raw, a.format, err = inputsFromFlags(spec, env.Args)
	}
	if errors.Is(err, ErrHelp) {
		if werr := spec.WriteHelp(env.Stdout); werr != nil {
			return a, werr
		}
		return a, ErrHelp
	}
	if err != nil {
		return a, err
	}
	for _, in := range spec.Inputs {
		if v, ok := raw[in.Name]; ok && in.Secret {
			a.Mask(v)
		}
	}
	a.values, err = resolveInputs(spec, raw, a.actions)
	return a, err
}

func cloneSpec(s Spec) Spec {
	s.Inputs = slices.Clone(s.Inputs)
	s.Outputs = slices.Clone(s.Outputs)
	return s
}

// neverFail drops write errors: logging is best effort (as with the log
// package), and go-githubactions panics when its writer fails.
type neverFail struct{ w io.Writer }

func (n neverFail) Write(p []byte) (int, error) {
	_, _ = n.w.Write(p)
	return len(p), nil
}

// Spec returns the declaration the Action was built from.
func (a *Action) Spec() Spec { return cloneSpec(a.spec) }

// InActions reports whether the action runs under GitHub Actions
// (GITHUB_ACTIONS=true).
func (a *Action) InActions() bool { return a.actions }

// IsSet reports whether the user gave a non-empty value for the input, as
// opposed to relying on its default.
func (a *Action) IsSet(name string) bool { return a.values[name].set }

// String returns the trimmed value of the input, or its default; "" for an
// undeclared name.
func (a *Action) String(name string) string { return a.values[name].text }

// Bool returns the value of a bool input; false for an undeclared name or
// another kind.
func (a *Action) Bool(name string) bool { return a.values[name].b }

// List returns the items of a list input; nil for an undeclared name or
// another kind. The slice is the caller's.
func (a *Action) List(name string) []string { return slices.Clone(a.values[name].list) }

// Int returns the value of an int input; 0 for an undeclared name or another
// kind.
func (a *Action) Int(name string) int { return a.values[name].i }

// Duration returns the value of a duration input; 0 for an undeclared name or
// another kind.
func (a *Action) Duration(name string) time.Duration { return a.values[name].d }

// Getenv returns the injected environment variable (SOURCE_DATE_EPOCH,
// GOFLAGS, ...).
func (a *Action) Getenv(key string) string { return a.env.Getenv(key) }

// Dir returns the process working directory given in Env.
func (a *Action) Dir() string { return a.env.Dir }

// Workspace returns GITHUB_WORKSPACE in Actions mode when it is set (resolved
// against Dir if relative), else Dir; always absolute and cleaned.
func (a *Action) Workspace() string {
	if ws := a.env.Getenv("GITHUB_WORKSPACE"); a.actions && ws != "" {
		if !filepath.IsAbs(ws) {
			ws = filepath.Join(a.env.Dir, ws)
		}
		return filepath.Clean(ws)
	}
	return filepath.Clean(a.env.Dir)
}

// GitHubContext is the part of the workflow run's context the actions use,
// read from the GITHUB_* variables; fields are empty when a variable is unset
// (as in most CLI runs).
type GitHubContext struct {
	Ref        string // GITHUB_REF, e.g. refs/tags/v1.2.3
	RefName    string // GITHUB_REF_NAME, e.g. v1.2.3
	RefType    string // GITHUB_REF_TYPE: branch or tag
	SHA        string // GITHUB_SHA
	Repository string // GITHUB_REPOSITORY: owner/name
	RunID      string // GITHUB_RUN_ID
	RunAttempt string // GITHUB_RUN_ATTEMPT
	ServerURL  string // GITHUB_SERVER_URL, e.g. https://github.com
	Workflow   string // GITHUB_WORKFLOW
	EventName  string // GITHUB_EVENT_NAME
	Actor      string // GITHUB_ACTOR
	Workspace  string // Action.Workspace
}

// GitHub returns the workflow run's context.
func (a *Action) GitHub() GitHubContext {
	get := a.env.Getenv
	return GitHubContext{
		Ref:        get("GITHUB_REF"),
		RefName:    get("GITHUB_REF_NAME"),
		RefType:    get("GITHUB_REF_TYPE"),
		SHA:        get("GITHUB_SHA"),
		Repository: get("GITHUB_REPOSITORY"),
		RunID:      get("GITHUB_RUN_ID"),
		RunAttempt: get("GITHUB_RUN_ATTEMPT"),
		ServerURL:  get("GITHUB_SERVER_URL"),
		Workflow:   get("GITHUB_WORKFLOW"),
		EventName:  get("GITHUB_EVENT_NAME"),
		Actor:      get("GITHUB_ACTOR"),
		Workspace:  a.Workspace(),
	}
}
