package scan

import (
	"fmt"
	"slices"
	"strings"
)

// Severity is a vulnerability's severity, ordered from Unknown to Critical.
type Severity int

// The severities, as Trivy and GitHub name them.
const (
	SeverityUnknown Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// AllSeverities returns every severity, most severe first.
func AllSeverities() []Severity {
	return []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityUnknown}
}

// String returns the upper-case name ("HIGH").
func (s Severity) String() string {
	if s < SeverityUnknown || s > SeverityCritical {
		return fmt.Sprintf("Severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText encodes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("%q is not a severity: use CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN", s)
}

// ParseSeverities reads a list of severity names; "all" (alone) is every
// severity. The result is ordered most severe first, without duplicates.
func ParseSeverities(items []string) ([]Severity, error) {
	if len(items) == 1 && strings.EqualFold(items[0], "all") {
		return AllSeverities(), nil
	}
	var out []Severity
	for _, it := range items {
		s, err := ParseSeverity(it)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Severity) int { return int(b) - int(a) })
	return out, nil
}

// SubjectKind says what a subject is.
type SubjectKind string

// The subject kinds.
const (
	KindBinary SubjectKind = "binary" // a Go binary: modules from its embedded build info
	KindGoMod  SubjectKind = "gomod"  // a module's go.mod and go.sum
	KindImage  SubjectKind = "image"  // an OCI image: one platform of an index, or a single image
	KindRootfs SubjectKind = "rootfs" // a directory tree (an unpacked root filesystem)
)

// Subject is one thing to scan.
type Subject struct {
	Kind SubjectKind `json:"kind"`
	// Name identifies the subject in reports: "hello linux/arm64",
	// "example.com/hello (go.mod)", "registry/repo:tag linux/amd64".
	Name string `json:"name"`
	// Path is the absolute file or directory scanned (binary, module
	// directory, rootfs, OCI image layout); empty for registry images.
	Path string `json:"-"`
	// Ref is an image's registry reference; empty otherwise.
	Ref string `json:"ref,omitempty"`
	// Location is the workspace-relative slash path reported in SARIF and
	// annotations (the binary, go.mod, the layout or rootfs directory).
	Location string `json:"location,omitempty"`
	// Artifact is the dist-relative path of the manifest artifact scanned.
	Artifact string `json:"artifact,omitempty"`
	// Platform is goos/goarch[/variant] of a binary or image.
	Platform string `json:"platform,omitempty"`
	// Digest is the image manifest digest (sha256:...).
	Digest string `json:"digest,omitempty"`
	// IndexDigest is the digest of the image index this platform came from.
	IndexDigest string `json:"indexDigest,omitempty"`
	// Image groups the platforms of one image index: its reference or
	// layout location; empty for other subjects.
	Image string `json:"image,omitempty"`
}

// Package is a component found in a subject.
type Package struct {
	Name     string   `json:"name"`
	Version  string   `json:"version,omitempty"`
	Type     string   `json:"type"` // gobinary, gomod, apk, debian, ...
	PURL     string   `json:"purl,omitempty"`
	Licenses []string `json:"licenses,omitempty"`
}

// Status is what the gate made of a vulnerability.
type Status string

// The statuses.
const (
	StatusAffected    Status = "affected"
	StatusNotAffected Status = "not_affected" // reachability: vulnerable code not called
	StatusIgnored     Status = "ignored"      // by the ignore file
	StatusUnfixed     Status = "unfixed"      // no fix yet and ignore-unfixed is on
)

// JustificationNotCalled is the OpenVEX justification of StatusNotAffected.
const JustificationNotCalled = "vulnerable_code_not_in_execute_path"

// NoteNotCalled is the human form of JustificationNotCalled.
const NoteNotCalled = "not affected — vulnerable code not called"

// Vulnerability is one vulnerability of one package in one subject.
type Vulnerability struct {
	ID          string   `json:"id"` // CVE-..., GHSA-..., GO-...
	Aliases     []string `json:"aliases,omitempty"`
	Package     string   `json:"package"`
	Installed   string   `json:"installedVersion"`
	Fixed       string   `json:"fixedVersion,omitempty"`
	PkgType     string   `json:"packageType,omitempty"`
	PURL        string   `json:"purl,omitempty"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	URL         string   `json:"url,omitempty"`
	// Target is the file inside the subject the package came from.
	Target string `json:"target,omitempty"`
	// MainModule is the main module of the Go binary Target, when it is one.
	MainModule string `json:"mainModule,omitempty"`

	Status        Status `json:"status"`
	Justification string `json:"justification,omitempty"`
	Note          string `json:"note,omitempty"`
	// Fails is true when this vulnerability fails the gate.
	Fails bool `json:"failsGate"`
}

// IDs returns the ID and the aliases.
func (v Vulnerability) IDs() []string { return append([]string{v.ID}, v.Aliases...) }

// LicenseViolation is a package whose licence the licence lists reject.
type LicenseViolation struct {
	Package string `json:"package"`
	Version string `json:"version,omitempty"`
	License string `json:"license"`
	Reason  string `json:"reason"` // "forbidden" or "not allowed"
}

// Result is everything found in one subject. Err is set when the subject
// could not be scanned; the other fields are then empty.
type Result struct {
	Subject  Subject            `json:"subject"`
	Packages []Package          `json:"packages"`
	Vulns    []Vulnerability    `json:"vulnerabilities"`
	Licenses []LicenseViolation `json:"licenseViolations,omitempty"`
	Err      string             `json:"error,omitempty"`
}
