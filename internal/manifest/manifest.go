package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// SchemaVersion is the only manifest schema version this Slipway reads and writes.
const SchemaVersion = 1

// FileName is the manifest's name inside dist/.
const FileName = "manifest.json"

// Errors a caller may want to tell apart with errors.Is. The messages of the
// errors that wrap them stand on their own.
var (
	// ErrUnsupportedVersion marks a manifest whose schemaVersion this Slipway does not read.
	ErrUnsupportedVersion = errors.New("unsupported manifest schema version")
	// ErrMismatch marks a file in dist that is missing or differs from its manifest entry (Verify).
	ErrMismatch = errors.New("file does not match manifest")
	// ErrConflict marks shards that cannot be merged (Merge).
	ErrConflict = errors.New("manifests conflict")
)

// Kind says what an artifact is.
type Kind string

// Artifact kinds written by build-matrix.
const (
	KindBinary    Kind = "binary"
	KindArchive   Kind = "archive"
	KindChecksums Kind = "checksums"
)

// Project identifies what was built.
type Project struct {
	Module     string    `json:"module"`
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	Commit     string    `json:"commit,omitempty"`
	CommitTime time.Time `json:"commitTime"` // RFC 3339, encoded in UTC
	Ref        string    `json:"ref,omitempty"`
}

// Artifact is one file in dist, addressed by digest.
type Artifact struct {
	Name    string `json:"name"` // binary name (or project name for checksums)
	Kind    Kind   `json:"kind"`
	Path    string `json:"path"` // relative to dist, slash form
	GOOS    string `json:"goos,omitempty"`
	GOARCH  string `json:"goarch,omitempty"`
	Variant string `json:"variant,omitempty"` // "7" for linux/arm/7, "v3" for linux/amd64/v3
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
}

// Platform returns "goos/goarch[/variant]", such as "linux/arm/7" or
// "linux/amd64", or "" when the artifact has no goos.
func (a Artifact) Platform() string {
	if a.GOOS == "" {
		return ""
	}
	p := a.GOOS
	if a.GOARCH != "" {
		p += "/" + a.GOARCH
	}
	if a.Variant != "" {
		p += "/" + a.Variant
	}
	return p
}

// Key returns the artifact's identity for duplicates and merge conflicts:
// kind, name and platform, such as "binary hello linux/arm64" or
// "checksums hello".
func (a Artifact) Key() string {
	k := string(a.Kind) + " " + a.Name
	if p := a.Platform(); p != "" {
		k += " " + p
	}
	return k
}

// Manifest is dist/manifest.json. Sections owned by later actions are kept as
// raw JSON so they round-trip untouched until those actions add types. After
// Decode each raw section is compact, and absent when the file had null.
type Manifest struct {
	SchemaVersion int             `json:"schemaVersion"`
	Project       Project         `json:"project"`
	Artifacts     []Artifact      `json:"artifacts"` // always encoded as an array, never null
	Module        json.RawMessage `json:"module,omitempty"`
	Images        json.RawMessage `json:"images,omitempty"`
	Index         json.RawMessage `json:"index,omitempty"`
	Scans         json.RawMessage `json:"scans,omitempty"`
	Signatures    json.RawMessage `json:"signatures,omitempty"`
	Published     json.RawMessage `json:"published,omitempty"`
}

// rawSection is one of the sections kept as raw JSON.
type rawSection struct {
	name string
	ptr  *json.RawMessage
}

func (m *Manifest) rawSections() []rawSection {
	return []rawSection{
		{"module", &m.Module},
		{"images", &m.Images},
		{"index", &m.Index},
		{"scans", &m.Scans},
		{"signatures", &m.Signatures},
		{"published", &m.Published},
	}
}

// New returns an empty manifest of the current schema version for p.
func New(p Project) *Manifest {
	return &Manifest{SchemaVersion: SchemaVersion, Project: p, Artifacts: []Artifact{}}
}

// Decode reads a manifest and validates it. Unknown fields are ignored; an
// unknown schemaVersion is an error wrapping ErrUnsupportedVersion, reported
// before the rest of the document is looked at.
func Decode(r io.Reader) (*Manifest, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	var head struct {
		SchemaVersion *int `json:"schemaVersion"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("decoding manifest: %w", err)
	}
	if head.SchemaVersion == nil {
		return nil, fmt.Errorf("decoding manifest: schemaVersion is missing: a Slipway manifest has \"schemaVersion\": %d", SchemaVersion)
	}
	if err := checkVersion(*head.SchemaVersion); err != nil {
		return nil, err
	}
	m := new(Manifest)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("decoding manifest: %w", err)
	}
	if m.Artifacts == nil {
		m.Artifacts = []Artifact{}
	}
	m.Project.CommitTime = m.Project.CommitTime.UTC()
	for _, s := range m.rawSections() {
		if len(*s.ptr) == 0 || string(*s.ptr) == "null" {
			*s.ptr = nil
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, *s.ptr); err != nil {
			return nil, fmt.Errorf("decoding manifest: %s: %w", s.name, err)
		}
		*s.ptr = buf.Bytes()
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("invalid manifest: %w", err)
	}
	return m, nil
}

// Load opens and decodes the manifest at path.
func Load(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loading manifest: %w", err)
	}
	defer f.Close()
	m, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("loading manifest %s: %w", path, err)
	}
	return m, nil
}

// Encode returns the canonical encoding: artifacts sorted by path, commitTime
// in UTC, two-space indent, no HTML escaping, a trailing newline. The same
// manifest always gives the same bytes. m is not modified and not validated.
func (m *Manifest) Encode() ([]byte, error) {
	out := *m
	out.Project.CommitTime = m.Project.CommitTime.UTC()
	out.Artifacts = slices.Clone(m.Artifacts)
	if out.Artifacts == nil {
		out.Artifacts = []Artifact{}
	}
	slices.SortStableFunc(out.Artifacts, compareArtifacts)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// compareArtifacts orders by path, then by every other field so that even an
// invalid manifest with duplicate paths encodes the same way every time.
func compareArtifacts(a, b Artifact) int {
	for _, c := range [][2]string{
		{a.Path, b.Path}, {string(a.Kind), string(b.Kind)}, {a.Name, b.Name},
		{a.GOOS, b.GOOS}, {a.GOARCH, b.GOARCH}, {a.Variant, b.Variant}, {a.SHA256, b.SHA256},
	} {
		if n := strings.Compare(c[0], c[1]); n != 0 {
			return n
		}
	}
	switch {
	case a.Size < b.Size:
		return -1
	case a.Size > b.Size:
		return 1
	}
	return 0
}

// Save validates m, encodes it and writes it to path atomically with mode 0644.
func Save(path string, m *Manifest) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("saving manifest %s: invalid manifest: %w", path, err)
	}
	b, err := m.Encode()
	if err != nil {
		return fmt.Errorf("saving manifest %s: %w", path, err)
	}
	if err := atomicfile.Write(path, b, 0o644); err != nil {
		return fmt.Errorf("saving manifest: %w", err)
	}
	return nil
}

// Add appends artifacts. Duplicates are caught by Validate (and so by Save).
func (m *Manifest) Add(as ...Artifact) {
	m.Artifacts = append(m.Artifacts, as...)
}

// Remove drops every artifact of kind, such as an old checksums entry.
func (m *Manifest) Remove(kind Kind) {
	kept := make([]Artifact, 0, len(m.Artifacts))
	for _, a := range m.Artifacts {
		if a.Kind != kind {
			kept = append(kept, a)
		}
	}
	m.Artifacts = kept
}

// ByKind returns a copy of the artifacts of kind, in manifest order.
func (m *Manifest) ByKind(kind Kind) []Artifact {
	var out []Artifact
	for _, a := range m.Artifacts {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

// markedError is an error with its own message that also matches a sentinel
// under errors.Is, so the sentinel's text need not appear in the message.
type markedError struct {
	err  error
	mark error
}

func (e *markedError) Error() string   { return e.err.Error() }
func (e *markedError) Unwrap() []error { return []error{e.err, e.mark} }

func mark(sentinel error, format string, args ...any) error {
	return &markedError{err: fmt.Errorf(format, args...), mark: sentinel}
}
