package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Validate checks m against schema version 1. It reports every problem,
// joined with errors.Join; each names the field, or artifacts[i] and its path,
// and says what to fix.
func (m *Manifest) Validate() error {
	var errs []error
	if err := checkVersion(m.SchemaVersion); err != nil {
		errs = append(errs, err)
	}
	if m.Project.Name == "" {
		errs = append(errs, errors.New("project.name is empty: set it to the project's name"))
	}
	for _, s := range m.rawSections() {
		if len(*s.ptr) > 0 && !json.Valid(*s.ptr) {
			errs = append(errs, fmt.Errorf("%s is not valid JSON", s.name))
		}
	}

	paths := make(map[string]int, len(m.Artifacts)) // path → first index
	keys := make(map[string]int, len(m.Artifacts))  // key → first index, binaries and archives only
	for i, a := range m.Artifacts {
		for _, err := range checkArtifact(a) {
			errs = append(errs, fmt.Errorf("%s: %w", artifactLabel(i, a), err))
		}
		if a.Path != "" {
			if j, ok := paths[a.Path]; ok {
				errs = append(errs, fmt.Errorf("%s: same path as artifacts[%d]: each file is listed once", artifactLabel(i, a), j))
			} else {
				paths[a.Path] = i
			}
		}
		if a.Kind == KindBinary || a.Kind == KindArchive {
			k := a.Key()
			if j, ok := keys[k]; ok {
				errs = append(errs, fmt.Errorf("%s: %q is also artifacts[%d] (%s): one %s per name and platform",
					artifactLabel(i, a), k, j, m.Artifacts[j].Path, a.Kind))
			} else {
				keys[k] = i
			}
		}
	}
	return errors.Join(errs...)
}

// checkVersion rejects every schemaVersion but SchemaVersion.
func checkVersion(v int) error {
	switch {
	case v == SchemaVersion:
		return nil
	case v > SchemaVersion:
		return mark(ErrUnsupportedVersion, "unsupported schemaVersion %d: this Slipway reads %d; upgrade Slipway", v, SchemaVersion)
	default:
		return mark(ErrUnsupportedVersion, "schemaVersion %d is not valid: this Slipway reads %d", v, SchemaVersion)
	}
}

func artifactLabel(i int, a Artifact) string {
	if a.Path == "" {
		return fmt.Sprintf("artifacts[%d]", i)
	}
	return fmt.Sprintf("artifacts[%d] (%s)", i, a.Path)
}

// checkArtifact returns the problems of one artifact, without its label.
func checkArtifact(a Artifact) []error {
	var errs []error
	if a.Name == "" {
		errs = append(errs, errors.New("name is empty: set the binary (or, for checksums, project) name"))
	}
	if a.Kind == "" {
		errs = append(errs, fmt.Errorf("kind is empty: set %q, %q or %q", KindBinary, KindArchive, KindChecksums))
	}
	if err := checkPath(a.Path); err != nil {
		errs = append(errs, err)
	}
	if !isSHA256Hex(a.SHA256) {
		errs = append(errs, fmt.Errorf("sha256 %q is not 64 lowercase hex digits", a.SHA256))
	}
	if a.Size < 0 {
		errs = append(errs, fmt.Errorf("size %d is negative", a.Size))
	}
	switch {
	case a.GOOS != "" && a.GOARCH == "":
		errs = append(errs, fmt.Errorf("goos %q is set without goarch: set both or neither", a.GOOS))
	case a.GOOS == "" && a.GOARCH != "":
		errs = append(errs, fmt.Errorf("goarch %q is set without goos: set both or neither", a.GOARCH))
	case a.Variant != "" && a.GOARCH == "":
		errs = append(errs, fmt.Errorf("variant %q is set without goos and goarch", a.Variant))
	}
	return errs
}

// checkPath reports the first problem with an artifact path: it must be a
// clean, relative, slash-separated path naming a file inside dist.
func checkPath(p string) error {
	switch {
	case p == "":
		return errors.New("path is empty: set it relative to dist")
	case strings.Contains(p, `\`):
		return fmt.Errorf("path %q contains a backslash: use forward slashes", p)
	case path.IsAbs(p):
		return fmt.Errorf("path %q is absolute: make it relative to dist", p)
	case slices.Contains(strings.Split(p, "/"), ".."):
		return fmt.Errorf("path %q has a \"..\" element: paths stay inside dist", p)
	case path.Clean(p) != p:
		return fmt.Errorf("path %q is not clean: write %q", p, path.Clean(p))
	case p == "." || !filepath.IsLocal(filepath.FromSlash(p)):
		return fmt.Errorf("path %q does not name a file inside dist", p)
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
