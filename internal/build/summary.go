package build

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/manifest"
)

// Row is one binary in the build summary.
type Row struct {
	Target   string
	Binary   string
	Size     int64
	PrevSize int64 // -1: not in the previous manifest
	SHA256   string
	Duration time.Duration
}

// Growth is the size change against the previous release in percent.
func (r Row) Growth() float64 {
	if r.PrevSize <= 0 {
		return 0
	}
	return float64(r.Size-r.PrevSize) * 100 / float64(r.PrevSize)
}

// SummaryRows pairs each built binary with its build time and previous size.
func SummaryRows(out *buildOutput, prev *manifest.Manifest) []Row {
	var rows []Row
	for _, r := range out.results {
		if r.Err != nil {
			continue
		}
		for _, art := range out.manifest.ByKind(manifest.KindBinary) {
			if art.Name != r.Binary || art.Platform() != r.Target.String() {
				continue
			}
			row := Row{Target: art.Platform(), Binary: art.Name, Size: art.Size, PrevSize: -1, SHA256: art.SHA256, Duration: r.Duration}
			if prev != nil {
				for _, pa := range prev.ByKind(manifest.KindBinary) {
					if pa.Key() == art.Key() {
						row.PrevSize = pa.Size
					}
				}
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// OverBudget describes every binary that grew more than budget percent.
func OverBudget(rows []Row, budget int) []string {
	var msgs []string
	for _, r := range rows {
		if r.PrevSize > 0 && r.Growth() > float64(budget) {
			msgs = append(msgs, fmt.Sprintf("%s %s grew %s → %s (+%.1f%%), over the %d%% size budget", r.Binary, r.Target, humanSize(r.PrevSize), humanSize(r.Size), r.Growth(), budget))
		}
	}
	return msgs
}

// BuildSummary is the step summary of a build.
func BuildSummary(p manifest.Project, rows []Row, failed []string, budget int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## build-matrix: %s %s\n\n", p.Name, p.Version)
	fmt.Fprintf(&b, "Commit `%s`, %s.\n\n", shortSHA(p.Commit), p.CommitTime.UTC().Format(time.RFC3339))
	b.WriteString("| target | binary | size | delta | sha256 | build time |\n|---|---|---:|---:|---|---:|\n")
	for _, r := range rows {
		delta := "new"
		if r.PrevSize >= 0 {
			delta = fmt.Sprintf("%+.1f%%", r.Growth())
			if r.PrevSize > 0 && r.Growth() > float64(budget) {
				delta += " ⚠"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | `%s…` | %.1fs |\n", r.Target, r.Binary, humanSize(r.Size), delta, r.SHA256[:16], r.Duration.Seconds())
	}
	for _, f := range failed {
		fmt.Fprintf(&b, "| %s | — | — | — | **failed** | — |\n", f)
	}
	if len(failed) > 0 {
		fmt.Fprintf(&b, "\n**%d targets failed to build**: %s. The compiler errors are annotations on the files.\n", len(failed), strings.Join(failed, ", "))
	}
	return b.String()
}

// PlanSummary is the step summary of a plan.
func PlanSummary(m Matrix) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## build-matrix plan: %d jobs\n\n| shard | runner | targets |\n|---|---|---|\n", len(m.Include))
	for _, s := range m.Include {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.Name, s.Runner, strings.ReplaceAll(s.Targets, ",", ", "))
	}
	return b.String()
}

// MergeSummary is the step summary of a merge.
func MergeSummary(m *manifest.Manifest, shards []manifest.Shard) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## build-matrix merge: %s %s\n\n| shard | artifacts |\n|---|---:|\n", m.Project.Name, m.Project.Version)
	for _, s := range shards {
		fmt.Fprintf(&b, "| %s | %d |\n", s.Source, len(s.Manifest.Artifacts))
	}
	var plats []string
	for _, a := range m.ByKind(manifest.KindBinary) {
		if !slices.Contains(plats, a.Platform()) {
			plats = append(plats, a.Platform())
		}
	}
	fmt.Fprintf(&b, "\nMerged %d artifacts for %d platforms; every file re-hashed against its shard manifest.\n", len(m.Artifacts), len(plats))
	return b.String()
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
