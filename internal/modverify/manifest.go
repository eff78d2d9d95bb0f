package modverify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/slipway-dev/slipway/internal/build"
	"github.com/slipway-dev/slipway/internal/manifest"
)

// KindSARIF is the manifest artifact kind of a SARIF report verify-mod
// wrote inside dist.
const KindSARIF manifest.Kind = "sarif"

// Section is the manifest's module section, owned by verify-mod.
type Section struct {
	Checks  []string       `json:"checks"` // the checks that ran
	FailOn  string         `json:"failOn"`
	Passed  bool           `json:"passed"`
	Counts  Counts         `json:"counts"`
	Go      string         `json:"go"` // the runner's Go version
	SumDB   *SumDBStats    `json:"sumdb,omitempty"`
	Modules []ModuleRecord `json:"modules"`
	Work    *WorkRecord    `json:"work,omitempty"`
}

// ModuleRecord is one checked module.
type ModuleRecord struct {
	Path      string     `json:"path"`
	Dir       string     `json:"dir"` // workspace-relative
	Go        string     `json:"go,omitempty"`
	Toolchain string     `json:"toolchain,omitempty"`
	Requires  int        `json:"requires"`
	GoSum     *SumRecord `json:"goSum,omitempty"`
	Counts    Counts     `json:"counts"`
}

// SumRecord is a go.sum by digest.
type SumRecord struct {
	Path   string `json:"path"` // workspace-relative
	SHA256 string `json:"sha256"`
	Lines  int    `json:"lines"`
}

// WorkRecord is the workspace's go.work.
type WorkRecord struct {
	Path  string     `json:"path"`
	Go    string     `json:"go,omitempty"`
	Use   []string   `json:"use"`
	GoSum *SumRecord `json:"goWorkSum,omitempty"`
}

// newSection describes a run for the manifest.
func newSection(j *job, mods []*Module, work *Work, fs []Finding, passed bool) Section {
	s := Section{Checks: nonNilStrings(j.ran), FailOn: j.c.FailOn, Passed: passed, Counts: countFindings(fs),
		Go: j.goVersion, SumDB: j.sumdb, Modules: []ModuleRecord{}}
	for _, m := range mods {
		r := ModuleRecord{Path: m.Path, Dir: m.Rel, Requires: len(m.File.Require)}
		if m.File.Go != nil {
			r.Go = m.File.Go.Version
		}
		if m.File.Toolchain != nil {
			r.Toolchain = m.File.Toolchain.Name
		}
		if m.Sum != nil {
			r.GoSum = &SumRecord{Path: m.Sum.File, SHA256: m.Sum.SHA256, Lines: len(m.Sum.Lines)}
		}
		var own []Finding
		for _, f := range fs {
			if f.Module == m.Rel {
				own = append(own, f)
			}
		}
		r.Counts = countFindings(own)
		s.Modules = append(s.Modules, r)
	}
	if work != nil && work.Work != nil {
		w := &WorkRecord{Path: work.File, Use: []string{}}
		if work.Work.Go != nil {
			w.Go = work.Work.Go.Version
		}
		for _, u := range work.Work.Use {
			w.Use = append(w.Use, u.Path)
		}
		if work.Sum != nil {
			w.GoSum = &SumRecord{Path: work.Sum.File, SHA256: work.Sum.SHA256, Lines: len(work.Sum.Lines)}
		}
		s.Work = w
	}
	return s
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeManifest records the module section in dist/manifest.json: into the
// manifest that is there, or a new one for the first module's project (its
// commit and version worked out as build-matrix does, so that build-matrix
// keeps the section when it writes the same project).
func writeManifest(ctx context.Context, j *job, mods []*Module, work *Work, fs []Finding, passed bool) (string, error) {
	file := filepath.Join(j.c.Dist, manifest.FileName)
	m, err := manifest.Load(file)
	if errors.Is(err, os.ErrNotExist) {
		first := mods[0]
		p := manifest.Project{Module: first.Path, Name: build.DefaultBinary(first.Path)}
		src, serr := build.ReadSource(ctx, j.d.Runner, j.a.Getenv, first.Dir, first.Path, "")
		if serr == nil {
			p.Version, p.Commit, p.CommitTime, p.Ref = src.Version, src.Commit, src.CommitTime, src.Ref
		} else {
			j.a.Debugf("manifest project without a version: %v", serr)
		}
		m = manifest.New(p)
	} else if err != nil {
		return "", fmt.Errorf("%s exists but cannot be read (remove it or fix it): %w", file, err)
	}
	sec, err := json.Marshal(newSection(j, mods, work, fs, passed))
	if err != nil {
		return "", err
	}
	m.Module = sec
	if rel, ok := sarifInDist(j.c); ok {
		sum, size, err := manifest.HashFile(j.c.SARIF)
		if err != nil {
			return "", err
		}
		m.Artifacts = slices.DeleteFunc(m.Artifacts, func(a manifest.Artifact) bool { return a.Kind == KindSARIF && a.Name == "verify-mod" })
		m.Add(manifest.Artifact{Name: "verify-mod", Kind: KindSARIF, Path: rel, SHA256: sum, Size: size})
	}
	if err := os.MkdirAll(j.c.Dist, 0o755); err != nil {
		return "", err
	}
	if err := manifest.Save(file, m); err != nil {
		return "", err
	}
	return file, nil
}
