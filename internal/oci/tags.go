package oci

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Tag strategies.
const (
	StrategySemver = "semver" // version tags for releases, branch/PR tags otherwise, plus sha-<short>
	StrategyNone   = "none"   // only the tags given
)

var tagRE = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

// CheckTag reports whether t follows the OCI distribution tag grammar.
func CheckTag(t string) error {
	if !tagRE.MatchString(t) {
		return fmt.Errorf("%q is not a valid tag: up to 128 of [A-Za-z0-9_.-], not starting with . or -", t)
	}
	return nil
}

// TagInput is what tags are derived from.
type TagInput struct {
	Version  string   // the project version: 1.2.3, v1.2.3, 1.3.0-rc.1 or a Go pseudo-version
	Commit   string   // full commit SHA
	Ref      string   // refs/tags/v1.2.3, refs/heads/main, refs/pull/42/merge; may be empty
	Existing []string // tags the repositories already hold: a higher version there keeps latest, X and X.Y
}

// IsRelease reports whether version is a release version: semver, not a Go
// pseudo-version.
func IsRelease(version string) bool {
	v := "v" + strings.TrimPrefix(version, "v")
	return semver.IsValid(v) && !module.IsPseudoVersion(v) && strings.Count(strings.SplitN(strings.SplitN(v, "-", 2)[0], "+", 2)[0], ".") == 2
}

// SemverTags derives tags the way docker/metadata-action's semver and ref
// types do, with one difference it cannot make without a registry: latest,
// X and X.Y move only when no higher release is already tagged.
//
//   - release v1.2.3 → 1.2.3, 1.2, 1 and latest (each unless a higher version
//     in its range exists); a 0.x version gets no bare 0;
//   - prerelease v1.3.0-rc.1 → 1.3.0-rc.1 only;
//   - a branch → its name made tag-safe; a pull request → pr-<number>;
//     another tag → its name made tag-safe;
//   - always sha-<first 7 of the commit>.
func SemverTags(in TagInput) []string {
	var tags []string
	v := "v" + strings.TrimPrefix(in.Version, "v")
	refTag, isTagRef := strings.CutPrefix(in.Ref, "refs/tags/")
	release := IsRelease(in.Version) && (in.Ref == "" || isTagRef)
	switch {
	case release:
		tags = append(tags, sanitizeTag(strings.TrimPrefix(v, "v")))
		if semver.Prerelease(v) == "" {
			tags = append(tags, floatingTags(v, in.Existing)...)
		}
	case strings.HasPrefix(in.Ref, "refs/heads/"):
		tags = append(tags, sanitizeTag(strings.TrimPrefix(in.Ref, "refs/heads/")))
	case strings.HasPrefix(in.Ref, "refs/pull/"):
		n, _, _ := strings.Cut(strings.TrimPrefix(in.Ref, "refs/pull/"), "/")
		tags = append(tags, "pr-"+sanitizeTag(n))
	case isTagRef:
		tags = append(tags, sanitizeTag(refTag))
	}
	if len(in.Commit) >= 7 {
		tags = append(tags, "sha-"+in.Commit[:7])
	}
	var out []string
	for _, t := range tags {
		if t != "" && CheckTag(t) == nil && !contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// floatingTags returns X.Y, X (not for 0) and latest for release v, each
// only when no higher release among existing falls in its range.
func floatingTags(v string, existing []string) []string {
	major, minor := semver.Major(v), semver.MajorMinor(v)
	higherMinor, higherMajor, higherAny := false, false, false
	for _, e := range existing {
		ev := "v" + strings.TrimPrefix(e, "v")
		if !IsRelease(e) || semver.Prerelease(ev) != "" || semver.Compare(ev, v) <= 0 {
			continue
		}
		higherAny = true
		if semver.Major(ev) == major {
			higherMajor = true
		}
		if semver.MajorMinor(ev) == minor {
			higherMinor = true
		}
	}
	var out []string
	if !higherMinor {
		out = append(out, strings.TrimPrefix(minor, "v"))
	}
	if !higherMajor && major != "v0" {
		out = append(out, strings.TrimPrefix(major, "v"))
	}
	if !higherAny {
		out = append(out, "latest")
	}
	return out
}

// sanitizeTag makes a ref name a tag: characters outside [A-Za-z0-9_.-]
// become -, leading . and - go, and it is cut to 128 characters.
func sanitizeTag(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '_' || r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	t := strings.TrimLeft(b.String(), ".-")
	if len(t) > 128 {
		t = t[:128]
	}
	return t
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
