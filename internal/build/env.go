package build

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// passEnv are the variables a build inherits: what the go command, git and
// the OS need to run, and Go's module settings. Nothing else leaks in.
var passEnv = []string{
	"PATH", "HOME", "USER", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "SYSTEMROOT", "SYSTEMDRIVE",
	"COMSPEC", "PATHEXT", "TEMP", "TMP", "TMPDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
	"GOROOT", "GOPATH", "GOCACHE", "GOMODCACHE", "GOENV", "GOTOOLCHAIN", "GOEXPERIMENT", "GOTELEMETRY",
	"GOPROXY", "GOSUMDB", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GONOSUMCHECK", "GOINSECURE", "GOAUTH",
	"GOVCS", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_SSH_COMMAND",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"SSL_CERT_FILE", "SSL_CERT_DIR",
}

// cgoEnv are inherited only by targets built with cgo.
var cgoEnv = []string{
	"CC", "CXX", "AR", "PKG_CONFIG", "CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_FFLAGS", "CGO_LDFLAGS",
	"SDKROOT", "DEVELOPER_DIR", "MACOSX_DEPLOYMENT_TARGET",
}

// reservedEnv may not be set through the env input: targets and cgo own them.
var reservedEnv = []string{"GOOS", "GOARCH", "CGO_ENABLED", "GOARM", "GOAMD64", "GO386", "GOARM64", "GOMIPS", "GOMIPS64", "GOPPC64", "GORISCV64"}

var envKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseEnv reads KEY=VALUE lines.
func ParseEnv(lines []string) ([]string, error) {
	var out []string
	for _, l := range lines {
		k, _, ok := strings.Cut(l, "=")
		if !ok || !envKey.MatchString(k) {
			return nil, fmt.Errorf("%q is not KEY=VALUE", l)
		}
		if slices.Contains(reservedEnv, k) {
			return nil, fmt.Errorf("%q: %s is set from targets and cgo, not env", l, k)
		}
		out = append(out, l)
	}
	return out, nil
}

// Inherited is the allow-listed part of the caller's environment.
func Inherited(getenv func(string) string) []string {
	var env []string
	for _, k := range passEnv {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// EnvOptions are the parts of a build environment that do not depend on the target.
type EnvOptions struct {
	CGO     bool     // CGO_ENABLED=1 and the C toolchain variables inherited
	Vendor  bool     // -mod=vendor instead of -mod=readonly
	GOCACHE string   // overrides the inherited cache ("" keeps it)
	Extra   []string // KEY=VALUE from the env input, applied last
	GOFLAGS string   // the effective GOFLAGS (`go env GOFLAGS`: environment or go env -w)
}

// Environ is the complete, sorted environment for building t: the inherited
// allow-list, the effective GOFLAGS without any -mod flag plus -mod=readonly (or vendor),
// the target, CGO_ENABLED and the user's extra variables.
func Environ(getenv func(string) string, t Target, o EnvOptions) []string {
	vars := map[string]string{}
	inherit := passEnv
	if o.CGO {
		inherit = append(slices.Clip(inherit), cgoEnv...)
	}
	for _, k := range inherit {
		if v := getenv(k); v != "" {
			vars[k] = v
		}
	}
	mod := "-mod=readonly"
	if o.Vendor {
		mod = "-mod=vendor"
	}
	var flags []string
	for _, f := range strings.Fields(o.GOFLAGS) {
		if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
			flags = append(flags, f)
		}
	}
	vars["GOFLAGS"] = strings.Join(append(flags, mod), " ")
	if o.GOCACHE != "" {
		vars["GOCACHE"] = o.GOCACHE
	}
	vars["GOOS"], vars["GOARCH"] = t.GOOS, t.GOARCH
	if t.Variant != "" {
		vars[variantEnv[t.GOARCH].name] = t.Variant
	}
	vars["CGO_ENABLED"] = "0"
	if o.CGO {
		vars["CGO_ENABLED"] = "1"
	}
	for _, kv := range o.Extra {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return env
}
