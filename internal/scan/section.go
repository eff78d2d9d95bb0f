package scan

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/manifest"
)

// Artifact kinds the scan action writes into the manifest.
const (
	KindReport manifest.Kind = "scan-report" // the JSON report
	KindSARIF  manifest.Kind = "sarif"
	KindSBOM   manifest.Kind = "sbom"
)

// Record is one subject in the manifest's scans section.
type Record struct {
	Subject  string      `json:"subject"`
	Kind     SubjectKind `json:"kind"`
	Platform string      `json:"platform,omitempty"`
	Artifact string      `json:"artifact,omitempty"` // dist-relative path of the scanned file
	Ref      string      `json:"ref,omitempty"`
	Digest   string      `json:"digest,omitempty"`
	DB       DBRef       `json:"db"`
	Counts   Counts      `json:"counts"`
	Passed   bool        `json:"passed"`
	Error    string      `json:"error,omitempty"`
	// Reports maps a format (cyclonedx, spdx) to the dist-relative SBOM path.
	SBOMs map[string]string `json:"sboms,omitempty"`
}

// DBRef names the vulnerability DB a scan used.
type DBRef struct {
	Repository string    `json:"repository,omitempty"`
	Digest     string    `json:"digest"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// DecodeScans reads the manifest's scans section.
func DecodeScans(m *manifest.Manifest) ([]Record, error) {
	if len(m.Scans) == 0 {
		return nil, nil
	}
	var rs []Record
	if err := json.Unmarshal(m.Scans, &rs); err != nil {
		return nil, fmt.Errorf("decoding the manifest's scans section: %w", err)
	}
	return rs, nil
}

// setScans replaces the scans section and scan artifacts of m.
func setScans(m *manifest.Manifest, recs []Record, arts []manifest.Artifact) error {
	b, err := json.Marshal(recs)
	if err != nil {
		return fmt.Errorf("encoding the scans section: %w", err)
	}
	m.Scans = b
	for _, k := range []manifest.Kind{KindReport, KindSARIF, KindSBOM} {
		m.Remove(k)
	}
	m.Add(arts...)
	return nil
}
