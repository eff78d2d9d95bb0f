package build

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Source is what the build knows about the commit it builds.
type Source struct {
	RepoRoot   string    // "" when the module is not in a git work tree
	Commit     string    // full SHA, "" without git
	CommitTime time.Time // SOURCE_DATE_EPOCH when set, else the commit time, UTC
	Tag        string    // the release tag at HEAD ("v1.2.3", "tools/v1.2.3"), if any
	Version    string    // without the leading v: "1.2.3", "0.0.0-20261120100000-abcdef123456"
	Ref        string    // "refs/tags/v1.2.3", GITHUB_REF, or ""
	Dirty      bool      // tracked files differ from HEAD
}

var versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._+-]*$`)

// CheckVersion validates a version used in file names and -X values.
func CheckVersion(v string) error {
	if !versionRE.MatchString(v) || strings.Contains(v, "..") {
		return fmt.Errorf("%q is not a version (letters, digits, '.', '_', '+', '-'; for example 1.2.3 or v1.2.3-rc.1)", v)
	}
	return nil
}

// ReadSource reads commit, time and version of the module in dir. version
// overrides the tag-derived version; getenv supplies SOURCE_DATE_EPOCH,
// GITHUB_REF and GITHUB_SHA.
func ReadSource(ctx context.Context, r Runner, getenv func(string) string, dir, modPath, version string) (Source, error) {
	var s Source
	git := func(args ...string) (string, error) {
		out, err := r.Run(ctx, Command{Dir: dir, Env: gitEnv(getenv), Args: append([]string{"git"}, args...)})
		return strings.TrimSpace(string(out)), err
	}
	if out, err := git("rev-parse", "--show-toplevel", "HEAD"); err == nil {
		if root, sha, ok := strings.Cut(out, "\n"); ok {
			s.RepoRoot, s.Commit = filepath.Clean(root), strings.TrimSpace(sha)
		}
	}
	if s.Commit != "" {
		ct, err := git("log", "-1", "--format=%ct", "HEAD")
		if err != nil {
			return s, fmt.Errorf("reading commit time: %w", err)
		}
		sec, err := strconv.ParseInt(ct, 10, 64)
		if err != nil {
			return s, fmt.Errorf("reading commit time %q: %w", ct, err)
		}
		s.CommitTime = time.Unix(sec, 0).UTC()
		if st, err := git("status", "--porcelain", "--untracked-files=no"); err == nil && st != "" {
			s.Dirty = true
		}
	}
	commitTime := s.CommitTime
	if sde := getenv("SOURCE_DATE_EPOCH"); sde != "" {
		sec, err := strconv.ParseInt(sde, 10, 64)
		if err != nil {
			return s, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", sde)
		}
		s.CommitTime = time.Unix(sec, 0).UTC()
	}
	if s.Commit == "" && s.CommitTime.IsZero() {
		return s, errors.New("the module is not in a git work tree, so there is no commit time: set SOURCE_DATE_EPOCH (and version)")
	}

	prefix := tagPrefix(s.RepoRoot, dir)
	if s.Commit != "" {
		if out, err := git("tag", "--points-at", "HEAD"); err == nil {
			s.Tag = highestTag(strings.Fields(out), prefix)
		}
	}
	if ref := getenv("GITHUB_REF"); s.Tag == "" && strings.HasPrefix(ref, "refs/tags/"+prefix) && getenv("GITHUB_SHA") == s.Commit {
		if t := strings.TrimPrefix(ref, "refs/tags/"); semver.IsValid(strings.TrimPrefix(t, prefix)) {
			s.Tag = t
		}
	}
	switch {
	case s.Tag != "":
		s.Ref = "refs/tags/" + s.Tag
	case strings.HasPrefix(getenv("GITHUB_REF"), "refs/"):
		s.Ref = getenv("GITHUB_REF")
	}

	switch {
	case version != "":
		s.Version = strings.TrimPrefix(version, "v")
	case s.Tag != "":
		s.Version = strings.TrimPrefix(strings.TrimPrefix(s.Tag, prefix), "v")
	case s.Commit != "":
		older, _ := git("describe", "--tags", "--abbrev=0", "--match", prefix+"v[0-9]*", "HEAD")
		older = strings.TrimPrefix(older, prefix)
		if !semver.IsValid(older) || semver.Build(older) != "" {
			older = ""
		}
		_, major, _ := module.SplitPathVersion(modPath)
		major = strings.TrimPrefix(strings.TrimPrefix(major, "/"), ".")
		if major == "" || !strings.HasPrefix(major, "v") {
			major = "v0"
		}
		if older != "" && semver.Major(older) != major {
			older = ""
		}
		s.Version = strings.TrimPrefix(module.PseudoVersion(major, older, commitTime, s.Commit[:12]), "v")
	default:
		return s, errors.New("no git commit to derive a version from: set the version input")
	}
	if err := CheckVersion(s.Version); err != nil {
		return s, err
	}
	return s, nil
}

// tagPrefix is the tag prefix of a module in a subdirectory ("tools/" for
// tools/go.mod), as the go command expects.
func tagPrefix(root, dir string) string {
	if root == "" {
		return ""
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return ""
	}
	return filepath.ToSlash(rel) + "/"
}

// highestTag picks the highest semantic version among tags with the prefix.
func highestTag(tags []string, prefix string) string {
	best, bestV := "", ""
	for _, t := range tags {
		v, ok := strings.CutPrefix(t, prefix)
		if !ok || !semver.IsValid(v) {
			continue
		}
		if bestV == "" || semver.Compare(v, bestV) > 0 {
			best, bestV = t, v
		}
	}
	return best
}

// gitEnv is the environment for git: inherited settings that locate the user's
// configuration, without anything that changes output language.
func gitEnv(getenv func(string) string) []string {
	env := []string{"LC_ALL=C", "GIT_TERMINAL_PROMPT=0"}
	for _, k := range []string{"PATH", "HOME", "USERPROFILE", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "XDG_CONFIG_HOME"} {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}
