package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Shard is one manifest to merge, with a label (its directory) for error messages.
type Shard struct {
	Source   string
	Manifest *Manifest
}

// Merge unites shard manifests (fan-in) into a new manifest; the shards are
// not modified.
//
// Project fields must agree (module, name, version, commit, commitTime; ref
// may be empty in some shards). Checksums artifacts are dropped: each shard
// has its own and the caller writes one new file. Entries that are identical
// in several shards are kept once. The same key with a different sha256, or a
// different path or size, is a conflict, as are two different keys on one
// path. A raw section must be equal (ignoring insignificant whitespace) in
// every shard that has it. The result's artifacts are sorted by path and the
// result is validated. Conflicts wrap ErrConflict; all problems are joined.
func Merge(shards ...Shard) (*Manifest, error) {
	if len(shards) == 0 {
		return nil, errors.New("merging manifests: no shards given")
	}
	var errs []error
	for i, s := range shards {
		switch {
		case s.Manifest == nil:
			errs = append(errs, fmt.Errorf("%s: no manifest", sourceLabel(i, s)))
		default:
			if err := s.Manifest.Validate(); err != nil {
				errs = append(errs, fmt.Errorf("%s: invalid manifest: %w", sourceLabel(i, s), err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("merging manifests: %w", errors.Join(errs...))
	}

	project, errs := mergeProjects(shards)
	out := New(project)
	out.Artifacts, errs = mergeArtifacts(shards, errs)
	for _, s := range out.rawSections() {
		var err error
		*s.ptr, err = mergeRaw(shards, s.name)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("merging manifests: %w", errors.Join(errs...))
	}
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("merging manifests: invalid result: %w", err)
	}
	return out, nil
}

func sourceLabel(i int, s Shard) string {
	if s.Source == "" {
		return fmt.Sprintf("shards[%d]", i)
	}
	return s.Source
}

// mergeProjects checks that every shard's project agrees with the first.
func mergeProjects(shards []Shard) (Project, []error) {
	var errs []error
	first := shards[0].Manifest.Project
	firstSrc := sourceLabel(0, shards[0])
	out := first
	refSrc := firstSrc
	for i, s := range shards[1:] {
		i++
		p, src := s.Manifest.Project, sourceLabel(i, s)
		for _, f := range []struct{ name, a, b string }{
			{"module", first.Module, p.Module},
			{"name", first.Name, p.Name},
			{"version", first.Version, p.Version},
			{"commit", first.Commit, p.Commit},
		} {
			if f.a != f.b {
				errs = append(errs, mark(ErrConflict, "project.%s differs: %q in %s, %q in %s", f.name, f.a, firstSrc, f.b, src))
			}
		}
		if !first.CommitTime.Equal(p.CommitTime) {
			errs = append(errs, mark(ErrConflict, "project.commitTime differs: %s in %s, %s in %s",
				first.CommitTime.UTC().Format(time.RFC3339Nano), firstSrc, p.CommitTime.UTC().Format(time.RFC3339Nano), src))
		}
		switch {
		case p.Ref == "":
		case out.Ref == "":
			out.Ref, refSrc = p.Ref, src
		case out.Ref != p.Ref:
			errs = append(errs, mark(ErrConflict, "project.ref differs: %q in %s, %q in %s", out.Ref, refSrc, p.Ref, src))
		}
	}
	out.CommitTime = out.CommitTime.UTC()
	return out, errs
}

// mergeArtifacts unites the non-checksums artifacts of all shards, appending
// conflicts to errs.
func mergeArtifacts(shards []Shard, errs []error) ([]Artifact, []error) {
	type seen struct {
		a   Artifact
		src string
	}
	byKey := map[string]seen{}
	byPath := map[string]seen{}
	out := []Artifact{}
	for i, s := range shards {
		src := sourceLabel(i, s)
		for _, a := range s.Manifest.Artifacts {
			if a.Kind == KindChecksums {
				continue
			}
			k := a.Key()
			if prev, ok := byKey[k]; ok {
				switch {
				case prev.a == a:
					// The same file built in two shards: keep it once.
				case prev.a.SHA256 != a.SHA256:
					errs = append(errs, mark(ErrConflict, "%s: sha256 %s in %s (%s), sha256 %s in %s (%s)",
						k, prev.a.SHA256, prev.src, prev.a.Path, a.SHA256, src, a.Path))
				default:
					errs = append(errs, mark(ErrConflict, "%s: same sha256 but listed as %s (%d bytes) in %s and %s (%d bytes) in %s",
						k, prev.a.Path, prev.a.Size, prev.src, a.Path, a.Size, src))
				}
				continue
			}
			if prev, ok := byPath[a.Path]; ok {
				errs = append(errs, mark(ErrConflict, "%s: %q in %s, %q in %s: one path holds one file",
					a.Path, prev.a.Key(), prev.src, k, src))
				continue
			}
			byKey[k] = seen{a, src}
			byPath[a.Path] = seen{a, src}
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, compareArtifacts)
	return out, errs
}

// mergeRaw returns the one value a raw section has across the shards.
func mergeRaw(shards []Shard, name string) (json.RawMessage, error) {
	var (
		val json.RawMessage
		src string
	)
	for i, s := range shards {
		var raw json.RawMessage
		for _, r := range s.Manifest.rawSections() {
			if r.name == name {
				raw = *r.ptr
			}
		}
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, fmt.Errorf("%s: %s is not valid JSON: %w", sourceLabel(i, s), name, err)
		}
		if val == nil {
			val, src = buf.Bytes(), sourceLabel(i, s)
			continue
		}
		if !bytes.Equal(val, buf.Bytes()) {
			return nil, mark(ErrConflict, "section %q differs between %s and %s: it may be set in one shard only or be equal in all",
				name, src, sourceLabel(i, s))
		}
	}
	return val, nil
}
