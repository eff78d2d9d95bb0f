package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
)

// Deps are the scan action's outside world.
type Deps struct {
	// NewBackend opens the scanner (Trivy and govulncheck).
	NewBackend func(ctx context.Context) (Backend, error)
	Now        func() time.Time // wall clock: ignore-rule expiry, the fallback timestamp
	Version    string           // the action's version, recorded in reports
}

// Report is the JSON report: everything the gate saw and decided.
type Report struct {
	SchemaVersion int       `json:"schemaVersion"`
	CreatedAt     time.Time `json:"createdAt"`
	DB            DBInfo    `json:"db"`
	Passed        bool      `json:"passed"`
	Counts        Counts    `json:"counts"`
	Results       []Result  `json:"results"`
}

// Run executes the scan action.
func Run(ctx context.Context, a *gha.Action, d Deps) error {
	c, err := ParseConfig(a)
	if err != nil {
		return err
	}
	var m *manifest.Manifest
	mpath := filepath.Join(c.Dist, manifest.FileName)
	if _, err := os.Stat(mpath); err == nil {
		if m, err = manifest.Load(mpath); err != nil {
			return gha.Usagef("dist", "%v", err)
		}
	}
	subjects, err := Subjects(c, m)
	if err != nil {
		return err
	}
	policy := Policy{FailOn: c.FailOn, Report: c.Report, IgnoreUnfixed: c.IgnoreUnfixed, LicensesAllowed: c.LicAllowed, LicensesForbidden: c.LicForbidden, Now: d.Now()}
	if c.IgnoreFile != "" {
		b, err := os.ReadFile(c.IgnoreFile)
		if err != nil {
			return gha.Usagef("ignore-file", "%v", err)
		}
		if policy.Ignore, err = ParseIgnoreFile(c.IgnoreFileRel, b); err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				a.Annotate(gha.Annotation{Level: gha.LevelError, File: pe.File, Line: pe.Line, Title: "ignore file", Message: pe.Msg})
			}
			return gha.Usagef("ignore-file", "%v", err)
		}
	}
	reach := c.Reachability == ReachOn || (c.Reachability == ReachAuto && modulePath(c.ModuleDir) != "")
	if c.Reachability == ReachOn && modulePath(c.ModuleDir) == "" {
		return gha.Usagef("reachability", "true needs the module's source, but %s has no go.mod (set module-dir)", rel(c.Workspace, c.ModuleDir))
	}

	be, err := d.NewBackend(ctx)
	if err != nil {
		return err
	}
	defer be.Close()

	end := a.Group("Vulnerability DB")
	db, err := be.PrepareDB(ctx, c.DB)
	end()
	if err != nil {
		return err
	}
	how := "cached"
	if db.Downloaded {
		how = "downloaded"
	}
	a.Infof("vulnerability DB %s from %s (%s, updated %s)", db.Digest, db.Repository, how, db.UpdatedAt.UTC().Format(time.RFC3339))

	var reachability *Reachability
	if reach {
		end = a.Group("Reachability (govulncheck)")
		r, err := be.Reachable(ctx, c.ModuleDir, c.VulnDB)
		end()
		switch {
		case err != nil && c.Reachability == ReachOn:
			return fmt.Errorf("reachability: %w", err)
		case err != nil:
			a.Warnf("reachability is off for this run: govulncheck could not analyse %s: %v", rel(c.Workspace, c.ModuleDir), err)
		default:
			r.ModuleDir, r.Module = c.ModuleDir, modulePath(c.ModuleDir)
			reachability = r
		}
	}

	var results []Result
	for _, s := range subjects {
		end := a.Group("Scanning " + s.Name)
		rs, err := be.Scan(ctx, s)
		end()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			var usage *gha.UsageError
			if errors.As(err, &usage) {
				return err
			}
			a.Annotate(gha.Annotation{Level: gha.LevelError, Title: "not scanned", Message: fmt.Sprintf("%s: %v", s.Name, err)})
			results = append(results, Result{Subject: s, Err: err.Error()})
			continue
		}
		results = append(results, rs...)
	}
	sortResults(results)
	results, notices := policy.Apply(results, func(Subject) *Reachability { return reachability })
	for _, n := range notices {
		a.Annotate(gha.Annotation{Level: gha.LevelWarning, File: n.File, Line: n.Line, Title: "ignore rule expired", Message: n.Message})
	}

	created := timestamp(a, m, d.Now)
	out, err := writeOutputs(a, c, m, results, db, policy, created, d.Version)
	if err != nil {
		return err
	}
	annotateFindings(a, results)

	var failed []string
	for _, r := range results {
		if r.Err != "" {
			failed = append(failed, r.Subject.Name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d subjects could not be scanned: %s (the reports list them as failed)", len(failed), len(results), strings.Join(failed, ", "))
	}
	if !out.passed {
		return gha.Findingsf("the scan gate failed: %d vulnerabilities at %s, %d licence violations (see %s)", out.counts.Failing, severityList(c.FailOn), out.counts.Licenses, rel(c.Workspace, c.SARIF))
	}
	return nil
}

func severityList(ss []Severity) string {
	n := make([]string, len(ss))
	for i, s := range ss {
		n[i] = s.String()
	}
	return strings.Join(n, "/")
}

// timestamp is SOURCE_DATE_EPOCH, else the manifest's commit time, else now.
func timestamp(a *gha.Action, m *manifest.Manifest, now func() time.Time) time.Time {
	if s := a.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	if m != nil && !m.Project.CommitTime.IsZero() {
		return m.Project.CommitTime.UTC()
	}
	return now().UTC().Truncate(time.Second)
}

// annotateFindings puts every failing vulnerability and licence violation
// on its subject's location.
func annotateFindings(a *gha.Action, results []Result) {
	for _, r := range results {
		for _, v := range r.Vulns {
			if !v.Fails {
				continue
			}
			fixed := "no fixed version yet"
			if v.Fixed != "" {
				fixed = "fixed in " + v.Fixed
			}
			a.Annotate(gha.Annotation{Level: gha.LevelError, File: r.Subject.Location, Title: v.ID + " " + v.Severity.String(),
				Message: fmt.Sprintf("%s %s in %s: %s", v.Package, v.Installed, r.Subject.Name, fixed)})
		}
		for _, l := range r.Licenses {
			a.Annotate(gha.Annotation{Level: gha.LevelError, File: r.Subject.Location, Title: "licence " + l.Reason,
				Message: fmt.Sprintf("%s %s in %s is licensed %s", l.Package, l.Version, r.Subject.Name, l.License)})
		}
	}
}

type outputs struct {
	passed bool
	counts Counts
}

// writeOutputs writes the JSON report, SARIF, SBOMs and manifest, then the
// summary and the action outputs.
func writeOutputs(a *gha.Action, c Config, m *manifest.Manifest, results []Result, db DBInfo, p Policy, created time.Time, version string) (outputs, error) {
	var o outputs
	o.passed = true
	for _, r := range results {
		o.counts.Add(r)
		o.passed = o.passed && r.Passed()
	}
	scanDir, sbomDir := filepath.Join(c.Dist, "scan"), filepath.Join(c.Dist, "sbom")
	var arts []manifest.Artifact
	name := "scan"
	if m != nil {
		name = m.Project.Name
	}
	// Files are rendered first and written together at the end, in
	// parallel: each atomic write waits for its fsync.
	var pending []pendingFile
	write := func(path string, data []byte, kind manifest.Kind, artName, platform string) error {
		pending = append(pending, pendingFile{path, data})
		r, err := filepath.Rel(c.Dist, path)
		if err != nil || strings.HasPrefix(r, "..") {
			return nil // outside dist: not a manifest artifact
		}
		goos, goarch, variant := splitPlatform(platform)
		arts = append(arts, manifest.Artifact{Name: artName, Kind: kind, Path: filepath.ToSlash(r), GOOS: goos, GOARCH: goarch, Variant: variant, SHA256: sha256Hex(data), Size: int64(len(data))})
		return nil
	}

	report := Report{SchemaVersion: 1, CreatedAt: created, DB: db, Passed: o.passed, Counts: o.counts, Results: results}
	rb, err := encodeJSON(report)
	if err != nil {
		return o, err
	}
	reportPath := filepath.Join(scanDir, "report.json")
	if err := write(reportPath, rb, KindReport, name, ""); err != nil {
		return o, err
	}
	sb, err := WriteSARIF(results, version)
	if err != nil {
		return o, err
	}
	if err := write(c.SARIF, sb, KindSARIF, name, ""); err != nil {
		return o, err
	}

	tool := "slipway-scan " + version
	records := make([]Record, 0, len(results))
	var sboms, combined []string
	used := make(map[string]int)
	for _, r := range results {
		rec := Record{Subject: r.Subject.Name, Kind: r.Subject.Kind, Platform: r.Subject.Platform, Artifact: r.Subject.Artifact, Ref: r.Subject.Ref, Digest: r.Subject.Digest,
			DB: DBRef{Repository: db.Repository, Digest: db.Digest, UpdatedAt: db.UpdatedAt}, Passed: r.Passed(), Error: r.Err}
		rec.Counts.Add(r)
		if r.Err == "" && len(c.SBOMFormats) > 0 {
			base := slug(r.Subject.Name)
			if n := used[base]; n > 0 {
				base = fmt.Sprintf("%s_%d", base, n+1)
			}
			used[slug(r.Subject.Name)]++
			doc := SBOMDoc{Name: r.Subject.Name, Kind: r.Subject.Kind, Digest: r.Subject.Digest, Tool: tool, Created: created, Components: ComponentsOf(r)}
			if r.Subject.Platform != "" {
				doc.Platforms = []string{r.Subject.Platform}
			}
			rec.SBOMs = map[string]string{}
			artName := artifactName(r.Subject)
			for _, f := range c.SBOMFormats {
				path, data, err := renderSBOM(sbomDir, base, f, doc)
				if err != nil {
					return o, err
				}
				if err := write(path, data, KindSBOM, artName, r.Subject.Platform); err != nil {
					return o, err
				}
				rec.SBOMs[f] = rel(c.Dist, path)
				sboms = append(sboms, rel(c.Workspace, path))
			}
		}
		records = append(records, rec)
	}
	for _, g := range imageGroups(results) {
		doc := SBOMDoc{Name: g.image, Kind: KindImage, Digest: g.digest, Platforms: g.platforms, Tool: tool, Created: created, Components: Combine(g.results)}
		for _, f := range c.SBOMFormats {
			path, data, err := renderSBOM(sbomDir, slug(g.image)+".multiarch", f, doc)
			if err != nil {
				return o, err
			}
			if err := write(path, data, KindSBOM, slug(g.image), ""); err != nil {
				return o, err
			}
			combined = append(combined, rel(c.Workspace, path))
		}
	}
	sboms = append(combined, sboms...)
	if err := writeAll(pending); err != nil {
		return o, err
	}

	manifestOut := ""
	if m != nil {
		if err := setScans(m, records, arts); err != nil {
			return o, err
		}
		mp := filepath.Join(c.Dist, manifest.FileName)
		if err := manifest.Save(mp, m); err != nil {
			return o, err
		}
		manifestOut = rel(c.Workspace, mp)
	}

	if err := a.Summary(Summary(results, db, p, o.passed)); err != nil {
		return o, err
	}
	counts, err := json.Marshal(o.counts)
	if err != nil {
		return o, err
	}
	sbomJSON, err := json.Marshal(append([]string{}, sboms...))
	if err != nil {
		return o, err
	}
	outs := [][2]string{
		{"passed", strconv.FormatBool(o.passed)},
		{"counts", string(counts)},
		{"sarif", rel(c.Workspace, c.SARIF)},
		{"report", rel(c.Workspace, reportPath)},
		{"sbom", string(sbomJSON)},
		{"db-digest", db.Digest},
		{"cache-key", CacheKey(db)},
	}
	if manifestOut != "" {
		outs = append(outs, [2]string{"manifest", manifestOut})
	}
	for _, kv := range outs {
		if err := a.SetOutput(kv[0], kv[1]); err != nil {
			return o, err
		}
	}
	return o, nil
}

// CacheKey is the actions/cache key of the DB: it changes with the DB.
func CacheKey(db DBInfo) string {
	return "slipway-trivy-db-" + strings.TrimPrefix(db.Digest, "sha256:")
}

func artifactName(s Subject) string {
	if s.Kind == KindBinary {
		if i := strings.Index(s.Name, " "); i > 0 {
			return s.Name[:i]
		}
	}
	if s.Image != "" {
		return slug(s.Image)
	}
	return slug(s.Name)
}

func renderSBOM(dir, base, format string, doc SBOMDoc) (string, []byte, error) {
	switch format {
	case FormatCycloneDX:
		b, err := CycloneDX(doc)
		return filepath.Join(dir, base+".cdx.json"), b, err
	case FormatSPDX:
		b, err := SPDX(doc)
		return filepath.Join(dir, base+".spdx.json"), b, err
	}
	return "", nil, fmt.Errorf("unknown SBOM format %q", format)
}

type imageGroup struct {
	image, digest string
	platforms     []string
	results       []Result
}

// imageGroups returns the images scanned on more than one platform, for
// the combined SBOM.
func imageGroups(results []Result) []imageGroup {
	var gs []imageGroup
	idx := make(map[string]int)
	for _, r := range results {
		if r.Subject.Kind != KindImage || r.Subject.Image == "" || r.Err != "" {
			continue
		}
		i, ok := idx[r.Subject.Image]
		if !ok {
			i = len(gs)
			idx[r.Subject.Image] = i
			gs = append(gs, imageGroup{image: r.Subject.Image, digest: r.Subject.IndexDigest})
		}
		gs[i].results = append(gs[i].results, r)
		if r.Subject.Platform != "" {
			gs[i].platforms = append(gs[i].platforms, r.Subject.Platform)
		}
	}
	var out []imageGroup
	for _, g := range gs {
		if len(g.results) > 1 {
			out = append(out, g)
		}
	}
	return out
}

type pendingFile struct {
	path string
	data []byte
}

// writeAll writes files atomically, several at once.
func writeAll(files []pendingFile) error {
	errs := make([]error, len(files))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return err
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = atomicfile.Write(f.path, f.data, 0o644)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
