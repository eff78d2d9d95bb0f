package publish

import (
	"fmt"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/manifest"
)

// SummaryStats are the registry traffic counters shown in the summary.
type SummaryStats struct {
	Uploaded, Skipped, Bytes, Retries int64
}

// Summary is the step summary: the images, the index and where things went.
func Summary(mode string, p manifest.Project, recs []ImageRecord, ir *IndexRecord, pub []PublishedRecord, st SummaryStats) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## publish (%s): %s %s\n\n", mode, p.Name, p.Version)
	if len(recs) > 0 {
		fmt.Fprintf(&b, "Base `%s`, created %s.\n\n", recs[0].Base, p.CommitTime.UTC().Format(time.RFC3339))
	}
	b.WriteString("| platform | binary | image digest | binary layer |\n|---|---|---|---|\n")
	for _, r := range recs {
		fmt.Fprintf(&b, "| %s | %s | `%s` | `%s` |\n", r.Platform, r.Binary, r.Digest, short(r.Layer))
	}
	if ir != nil {
		fmt.Fprintf(&b, "\nIndex `%s` (%s)", ir.Digest, strings.Join(ir.Platforms, ", "))
		if ir.Layout != "" {
			fmt.Fprintf(&b, ", OCI layout `%s`", ir.Layout)
		}
		b.WriteString(".\n")
	}
	if len(pub) > 0 {
		b.WriteString("\n| published | kind | digest |\n|---|---|---|\n")
		for _, p := range pub {
			fmt.Fprintf(&b, "| `%s` | %s | `%s` |\n", p.Ref, p.Kind, short(p.Digest))
		}
		fmt.Fprintf(&b, "\nBlobs: %d uploaded (%d bytes), %d already in the registry; %d retries.\n", st.Uploaded, st.Bytes, st.Skipped, st.Retries)
	}
	return b.String()
}

func short(d string) string {
	if len(d) > 19 {
		return d[:19] + "…"
	}
	return d
}
