package modverify

import (
	"fmt"
	"strings"

	"golang.org/x/mod/module"
)

// publicProbes are module paths on public hosts: a GONOSUMDB-style pattern
// that matches one covers public modules, not just your own.
var publicProbes = []string{
	"github.com/slipway-probe/probe", "gitlab.com/slipway-probe/probe", "bitbucket.org/slipway-probe/probe",
	"golang.org/x/text", "google.golang.org/protobuf", "gopkg.in/yaml.v3", "go.uber.org/zap",
	"k8s.io/api", "sigs.k8s.io/yaml", "cloud.google.com/go", "go.opentelemetry.io/otel",
}

// checkEnvironment reports Go settings that weaken module integrity, with
// where each came from. The findings sit on go.work, or the first module's
// module line: the settings apply to every module checked.
func checkEnvironment(j *job, mods []*Module, work *Work) []Finding {
	m := mods[0]
	file, line := m.GoMod, m.moduleLine()
	if work != nil {
		m, file, line = nil, work.File, 1
	}
	at := func(rule string, s Setting, format string, args ...any) Finding {
		return newFinding(rule, m, file, line, s.Key, "%s=%s (from %s): %s", s.Key, s.Value, s.Source, fmt.Sprintf(format, args...))
	}
	unset := func(s Setting) string {
		switch {
		case s.Source == "environment":
			return "remove " + s.Key + " from the job's environment"
		case strings.HasPrefix(s.Source, "go env -w"):
			return "run `go env -u " + s.Key + "`"
		}
		return "set " + s.Key + " in the job's environment"
	}
	var fs []Finding
	if s := j.env.Get("GOFLAGS"); hasInsecureFlag(s.Value) {
		fs = append(fs, at(RuleInsecureFlag, s, "-insecure turned off HTTPS and checksum checks in old Go; current Go rejects it and every go command fails").
			withFix("Drop -insecure from GOFLAGS: %s.", unset(s)))
	}
	if s := j.env.Get("GOINSECURE"); s.Value != "" {
		fs = append(fs, at(RuleInsecure, s, "modules matching it are fetched over plain HTTP or without certificate checks").
			withFix("Serve those modules over HTTPS and %s.", unset(s)))
	}
	if s := j.env.Get("GOSUMDB"); s.Value == "off" {
		fs = append(fs, at(RuleSumDBOff, s, "new go.sum lines are trusted on first use, never checked against the checksum database").
			withFix("%s; list private modules in GOPRIVATE instead.", capitalize(unset(s))))
	}
	nosumVars := []Setting{j.env.Get("GONOSUMDB"), j.env.Get("GONOSUMCHECK")}
	if nosumVars[0].Source == "default" {
		nosumVars[0] = j.env.Get("GOPRIVATE") // GONOSUMDB defaults to GOPRIVATE
	}
	for _, s := range nosumVars {
		if s.Value == "" {
			continue
		}
		var wide []string
		for _, p := range strings.Split(s.Value, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			for _, probe := range publicProbes {
				if module.MatchPrefixPatterns(p, probe) {
					wide = append(wide, fmt.Sprintf("%s (matches %s)", p, probe))
					break
				}
			}
		}
		if len(wide) == 0 {
			continue
		}
		extra := ""
		if s.Key == "GONOSUMCHECK" {
			extra = " (the go command itself does not read GONOSUMCHECK; verify-mod honours it)"
		}
		fs = append(fs, at(RuleNoSumDBPublic, s, "the patterns %s cover public modules, which are then never checked against the checksum database%s", strings.Join(wide, ", "), extra).
			withFix("Narrow %s to your own module paths, such as github.com/your-org/*.", s.Key))
	}
	proxy := j.env.Get("GOPROXY")
	entries := strings.FieldsFunc(proxy.Value, func(r rune) bool { return r == ',' || r == '|' })
	switch {
	case len(entries) > 0 && entries[0] == "off":
		fs = append(fs, at(RuleProxyDirect, proxy, "no module can be downloaded; any module missing from the cache fails the build").
			withFix("Set GOPROXY=https://proxy.golang.org,direct (or your organisation's proxy)."))
	case len(entries) > 0 && entries[0] == "direct":
		fs = append(fs, at(RuleProxyDirect, proxy, "every module is fetched straight from its VCS host: no immutable proxy copy, one more party to trust").
			withFix("Set GOPROXY=https://proxy.golang.org,direct (or your organisation's proxy first)."))
	}
	nosum := noSumPatterns(j.env)
	if np := j.env.Get("GONOPROXY"); np.Value != "" && containsDirect(entries[min(1, len(entries)):]) {
		var leak []string
		for _, p := range strings.Split(np.Value, ",") {
			if p = strings.TrimSpace(p); p != "" && !module.MatchPrefixPatterns(nosum, strings.ReplaceAll(p, "*", "x")) {
				leak = append(leak, p)
			}
		}
		if len(leak) > 0 {
			fs = append(fs, at(RulePrivateFallback, np, "GOPROXY=%s falls back to direct for %s, but GONOSUMDB does not cover them: the go command asks the public checksum database about these private paths", proxy.Value, strings.Join(leak, ", ")).
				withFix("Set GOPRIVATE=%s (it sets GONOPROXY and GONOSUMDB together).", strings.Join(leak, ",")))
		}
	}
	return fs
}

func hasInsecureFlag(goflags string) bool {
	for _, f := range strings.Fields(goflags) {
		f = strings.TrimPrefix(f, "-")
		if f == "-insecure" || f == "insecure" || strings.HasPrefix(f, "insecure=") || strings.HasPrefix(f, "-insecure=") {
			return true
		}
	}
	return false
}

func containsDirect(entries []string) bool {
	for _, e := range entries {
		if e == "direct" {
			return true
		}
	}
	return false
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
