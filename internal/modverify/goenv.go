package modverify

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/build"
)

// goEnvKeys are the settings verify-mod reads from `go env`.
var goEnvKeys = []string{
	"GOVERSION", "GOROOT", "GOENV", "GOMODCACHE", "GOFLAGS", "GOPROXY", "GOSUMDB", "GONOSUMDB",
	"GOPRIVATE", "GONOPROXY", "GOINSECURE", "GOTOOLCHAIN",
}

// Setting is one Go setting: its effective value and where it came from.
type Setting struct {
	Key, Value string
	Source     string // "environment", "go env -w (<file>)", "$GOROOT/go.env" or "default"
}

// GoEnv is the Go configuration of the job: `go env` values with the
// source of each.
type GoEnv struct {
	settings map[string]Setting
}

// Get returns the setting; unknown keys are empty defaults.
func (e *GoEnv) Get(key string) Setting {
	if s, ok := e.settings[key]; ok {
		return s
	}
	return Setting{Key: key, Source: "default"}
}

// Value returns the setting's effective value.
func (e *GoEnv) Value(key string) string { return e.Get(key).Value }

// goCommand runs the go command: argv only, in dir, with env.
func goCommand(ctx context.Context, r build.Runner, dir string, env []string, args ...string) ([]byte, error) {
	return r.Run(ctx, build.Command{Dir: dir, Env: env, Args: append([]string{"go"}, args...)})
}

// baseEnv is the environment every go and git command gets: the allow-list
// the build uses (PATH, HOME, the Go module settings, proxies), GOFLAGS,
// GOWORK and a fixed language for messages we parse.
func baseEnv(getenv func(string) string) []string {
	env := build.Inherited(getenv)
	for _, k := range []string{"GOFLAGS", "GOWORK", "GOARCH", "GOOS"} {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return append(env, "LC_ALL=C")
}

// withEnv returns env with the KEY=VALUE overrides replacing earlier values.
func withEnv(env []string, overrides ...string) []string {
	out := slices.Clone(env)
	for _, kv := range overrides {
		k, _, _ := strings.Cut(kv, "=")
		out = slices.DeleteFunc(out, func(e string) bool { return strings.HasPrefix(e, k+"=") })
		out = append(out, kv)
	}
	return out
}

// modFlags replaces any -mod flag of the effective GOFLAGS with mode.
func modFlags(goflags, mode string) string {
	var fs []string
	for _, f := range strings.Fields(goflags) {
		if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
			fs = append(fs, f)
		}
	}
	if mode != "" {
		fs = append(fs, "-mod="+mode)
	}
	return strings.Join(fs, " ")
}

// ReadGoEnv runs `go env -json` and works out where each value came from:
// the process environment, the go env file (`go env -w`, GOENV) or
// $GOROOT/go.env, else the default.
func ReadGoEnv(ctx context.Context, r build.Runner, getenv func(string) string, dir string) (*GoEnv, error) {
	env := withEnv(baseEnv(getenv), "GOTOOLCHAIN=local", "GOWORK=off")
	out, err := goCommand(ctx, r, dir, env, append([]string{"env", "-json"}, goEnvKeys...)...)
	if err != nil {
		return nil, fmt.Errorf("reading the Go environment: %w", err)
	}
	var vals map[string]string
	if err := json.Unmarshal(out, &vals); err != nil {
		return nil, fmt.Errorf("reading the Go environment: decoding go env -json: %w", err)
	}
	var fileVals, rootVals map[string]string
	if f := vals["GOENV"]; f != "" && f != "off" {
		if fileVals, err = readEnvFile(f); err != nil {
			return nil, err
		}
	}
	if root := vals["GOROOT"]; root != "" {
		if rootVals, err = readEnvFile(filepath.Join(root, "go.env")); err != nil {
			return nil, err
		}
	}
	e := &GoEnv{settings: map[string]Setting{}}
	for _, k := range goEnvKeys {
		s := Setting{Key: k, Value: vals[k], Source: "default"}
		switch {
		case getenv(k) != "":
			s.Source = "environment"
		case fileVals[k] != "":
			s.Source = "go env -w (" + vals["GOENV"] + ")"
		case rootVals[k] != "":
			s.Source = "$GOROOT/go.env"
		}
		e.settings[k] = s
	}
	// GONOSUMCHECK is not a go command setting: only the environment has it.
	if v := getenv("GONOSUMCHECK"); v != "" {
		e.settings["GONOSUMCHECK"] = Setting{Key: "GONOSUMCHECK", Value: v, Source: "environment"}
	}
	return e, nil
}

// readEnvFile parses a go env file (KEY=VALUE lines); a missing file is
// empty.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the go env file: %w", err)
	}
	defer f.Close()
	vals := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			vals[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return vals, nil
}
