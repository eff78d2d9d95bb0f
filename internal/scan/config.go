package scan

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
)

// Config is the scan action's input, parsed and checked.
type Config struct {
	Workspace     string   // absolute
	Dist          string   // absolute, inside Workspace
	Paths         []string // absolute
	Images        []string
	ModuleDir     string // absolute
	ModuleDirSet  bool
	DB            DBOptions
	Reachability  string // ReachAuto, ReachOn, ReachOff
	VulnDB        string
	FailOn        []Severity
	Report        []Severity
	IgnoreUnfixed bool
	IgnoreFile    string // absolute, or "" for none
	IgnoreFileRel string // as reported in annotations
	LicAllowed    []string
	LicForbidden  []string
	SARIF         string // absolute
	SBOMFormats   []string
}

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// ParseConfig reads and checks the action's inputs.
func ParseConfig(a *gha.Action) (Config, error) {
	c := Config{
		Workspace:     a.Workspace(),
		Images:        a.List("images"),
		ModuleDirSet:  a.IsSet("module-dir"),
		Reachability:  strings.ToLower(a.String("reachability")),
		VulnDB:        a.String("vuln-db"),
		IgnoreUnfixed: a.Bool("ignore-unfixed"),
	}
	var err error
	if c.Dist, err = inside(c.Workspace, a.String("dist")); err != nil {
		return c, gha.Usagef("dist", "%v", err)
	}
	for _, p := range a.List("paths") {
		c.Paths = append(c.Paths, resolve(c.Workspace, p))
	}
	c.ModuleDir = resolve(c.Workspace, a.String("module-dir"))
	if fi, err := os.Stat(c.ModuleDir); c.ModuleDirSet && (err != nil || !fi.IsDir()) {
		return c, gha.Usagef("module-dir", "%s is not a directory", a.String("module-dir"))
	}
	for _, img := range c.Images {
		if img == "" || strings.ContainsAny(img, " \t") {
			return c, gha.Usagef("images", "%q is not an image reference", img)
		}
	}

	c.DB = DBOptions{Repositories: a.List("db-repository"), Digest: a.String("db-digest"), SkipUpdate: a.Bool("skip-db-update"), Attempts: 3, Backoff: time.Second}
	if len(c.DB.Repositories) == 0 {
		return c, gha.Usagef("db-repository", "no repository given: the default is %s", strings.Join(defaultDBRepositories, ","))
	}
	for _, r := range c.DB.Repositories {
		if strings.Contains(r, "://") || strings.ContainsAny(r, " \t") || !strings.Contains(r, "/") {
			return c, gha.Usagef("db-repository", "%q is not an OCI repository reference such as ghcr.io/aquasecurity/trivy-db:2", r)
		}
	}
	if c.DB.Digest != "" && !digestRE.MatchString(c.DB.Digest) {
		return c, gha.Usagef("db-digest", "%q is not a manifest digest: write sha256: and 64 lowercase hex digits (the db-digest output of an earlier run)", c.DB.Digest)
	}
	switch cd := a.String("cache-dir"); {
	case cd != "":
		c.DB.CacheDir = resolve(c.Workspace, cd)
	case a.Getenv("RUNNER_TOOL_CACHE") != "":
		c.DB.CacheDir = filepath.Join(a.Getenv("RUNNER_TOOL_CACHE"), "slipway-trivy")
	case a.Getenv("XDG_CACHE_HOME") != "":
		c.DB.CacheDir = filepath.Join(a.Getenv("XDG_CACHE_HOME"), "slipway", "trivy")
	case a.Getenv("HOME") != "":
		c.DB.CacheDir = filepath.Join(a.Getenv("HOME"), ".cache", "slipway", "trivy")
	default:
		return c, gha.Usagef("cache-dir", "no cache directory: set cache-dir (HOME is not set)")
	}

	if !slices.Contains([]string{ReachAuto, ReachOn, ReachOff}, c.Reachability) {
		return c, gha.Usagef("reachability", "%q is not auto, true or false", a.String("reachability"))
	}
	if u, err := url.Parse(c.VulnDB); err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "file") {
		return c, gha.Usagef("vuln-db", "%q is not an https:// or file:// URL", c.VulnDB)
	}

	if c.FailOn, err = ParseSeverities(a.List("fail-on")); err != nil {
		return c, gha.Usagef("fail-on", "%v", err)
	}
	if c.Report, err = ParseSeverities(a.List("report")); err != nil {
		return c, gha.Usagef("report", "%v", err)
	}
	if len(c.Report) == 0 {
		return c, gha.Usagef("report", "no severity given: use all or a list such as CRITICAL,HIGH,MEDIUM")
	}
	for _, s := range c.FailOn {
		if !slices.Contains(c.Report, s) {
			return c, gha.Usagef("fail-on", "%s fails the gate but is not reported: add it to report", s)
		}
	}

	switch f := a.String("ignore-file"); {
	case f != "":
		c.IgnoreFile = resolve(c.Workspace, f)
		if _, err := os.Stat(c.IgnoreFile); err != nil {
			return c, gha.Usagef("ignore-file", "%s does not exist", f)
		}
	default:
		for _, name := range []string{".trivyignore.yaml", ".trivyignore"} {
			if _, err := os.Stat(filepath.Join(c.Workspace, name)); err == nil {
				c.IgnoreFile = filepath.Join(c.Workspace, name)
				break
			}
		}
	}
	if c.IgnoreFile != "" {
		c.IgnoreFileRel = rel(c.Workspace, c.IgnoreFile)
	}

	if c.LicAllowed, err = ParseLicenses(a.List("licenses-allowed")); err != nil {
		return c, gha.Usagef("licenses-allowed", "%v", err)
	}
	if c.LicForbidden, err = ParseLicenses(a.List("licenses-forbidden")); err != nil {
		return c, gha.Usagef("licenses-forbidden", "%v", err)
	}
	for _, f := range c.LicForbidden {
		if slices.Contains(c.LicAllowed, f) {
			return c, gha.Usagef("licenses-forbidden", "%s is also in licenses-allowed", f)
		}
	}

	if s := a.String("sarif"); s != "" {
		if c.SARIF, err = inside(c.Workspace, s); err != nil {
			return c, gha.Usagef("sarif", "%v", err)
		}
	} else {
		c.SARIF = filepath.Join(c.Dist, "scan", "results.sarif")
	}

	for _, f := range a.List("sbom-formats") {
		f = strings.ToLower(f)
		switch f {
		case FormatCycloneDX, FormatSPDX:
			if !slices.Contains(c.SBOMFormats, f) {
				c.SBOMFormats = append(c.SBOMFormats, f)
			}
		case "none":
			if len(a.List("sbom-formats")) > 1 {
				return c, gha.Usagef("sbom-formats", "none cannot be combined with formats")
			}
		default:
			return c, gha.Usagef("sbom-formats", "%q is not cyclonedx, spdx or none", f)
		}
	}
	return c, nil
}

func resolve(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

// inside resolves p against the workspace and rejects anything outside it
// or the workspace itself.
func inside(ws, p string) (string, error) {
	abs := resolve(ws, p)
	r, err := filepath.Rel(ws, abs)
	if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%q must be inside the workspace %s", p, ws)
	}
	return abs, nil
}

// rel is p relative to the workspace in slash form, or p when outside it.
func rel(ws, p string) string {
	r, err := filepath.Rel(ws, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}
