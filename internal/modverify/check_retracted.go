package modverify

import (
	"context"
	"fmt"
	"strings"
)

// listedModule is one module of `go list -m -u -retracted -json all`.
type listedModule struct {
	Path       string
	Version    string
	Main       bool
	Indirect   bool
	Retracted  []string
	Deprecated string
	Update     *struct{ Path, Version string }
	Replace    *struct{ Path, Version string }
	Error      *struct{ Err string }
}

// checkRetracted asks the module proxy (through the go command, with the
// job's GOPROXY) which build-list versions are retracted and which modules
// deprecated.
func checkRetracted(ctx context.Context, j *job, m *Module) ([]Finding, error) {
	env := withEnv(j.base, "GOWORK=off", "GOFLAGS="+modFlags(j.env.Value("GOFLAGS"), "readonly"))
	out, err := goCommand(ctx, j.d.Runner, m.Dir, env, "list", "-m", "-e", "-u", "-retracted", "-json", "all")
	if err != nil {
		return nil, fmt.Errorf("go list -m -u -retracted in %s: %w", m.Rel, err)
	}
	mods, err := decodeJSONStream[listedModule](out)
	if err != nil {
		return nil, fmt.Errorf("go list -m -u -retracted in %s: decoding: %w", m.Rel, err)
	}
	var fs []Finding
	for _, lm := range mods {
		if lm.Main {
			continue
		}
		if lm.Error != nil {
			j.a.Warnf("%s: %s %s: %s", m.Rel, lm.Path, lm.Version, lm.Error.Err)
		}
		file, line := m.place(lm.Path, lm.Version)
		subject := lm.Path + "@" + lm.Version
		how := "direct"
		if lm.Indirect {
			how = "indirect"
		}
		if len(lm.Retracted) > 0 {
			target := "latest"
			if lm.Update != nil && lm.Update.Version != "" {
				target = lm.Update.Version
			}
			fs = append(fs, newFinding(RuleRetracted, m, file, line, subject,
				"%s %s (%s) is retracted by its author: %s", lm.Path, lm.Version, how, strings.Join(lm.Retracted, "; ")).
				withFix("Run `go get %s@%s && go mod tidy` in `%s`.", lm.Path, target, m.Rel))
		}
		if lm.Deprecated != "" {
			fs = append(fs, newFinding(RuleDeprecated, m, file, line, lm.Path,
				"%s (%s) is deprecated: %s", lm.Path, how, strings.TrimSpace(lm.Deprecated)).
				withFix("Move off %s as its deprecation says (%s), then run `go mod tidy` in `%s`.", lm.Path, strings.TrimRight(strings.TrimSpace(lm.Deprecated), "."), m.Rel))
		}
	}
	return fs, nil
}
