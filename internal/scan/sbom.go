package scan

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Component is a package in an SBOM with the platforms it was found on.
type Component struct {
	Package
	Platforms []string
}

// SBOMDoc is what both SBOM writers render.
type SBOMDoc struct {
	Name       string // the subject (or image, for a combined SBOM)
	Kind       SubjectKind
	Digest     string   // image digest, if any
	Platforms  []string // platforms covered
	Tool       string   // "slipway-scan <version>"
	Created    time.Time
	Components []Component
}

// componentKey identifies a component across platforms: its purl, or its
// type, name and version.
func componentKey(p Package) string {
	if p.PURL != "" {
		return p.PURL
	}
	return p.Type + ":" + p.Name + "@" + p.Version
}

// ComponentsOf returns a result's packages as components of its platform.
func ComponentsOf(r Result) []Component {
	return Combine([]Result{r})
}

// Combine lists every package of results once, with the platforms whose
// result has it, ordered by name, version and purl.
func Combine(results []Result) []Component {
	idx := make(map[string]int)
	var out []Component
	for _, r := range results {
		for _, p := range r.Packages {
			k := componentKey(p)
			i, ok := idx[k]
			if !ok {
				i = len(out)
				idx[k] = i
				out = append(out, Component{Package: p})
			}
			if pl := r.Subject.Platform; pl != "" && !slices.Contains(out[i].Platforms, pl) {
				out[i].Platforms = append(out[i].Platforms, pl)
			}
			for _, l := range p.Licenses {
				if !slices.Contains(out[i].Licenses, l) {
					out[i].Licenses = append(out[i].Licenses, l)
				}
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Platforms)
	}
	slices.SortFunc(out, func(a, b Component) int {
		for _, c := range [][2]string{{a.Name, b.Name}, {a.Version, b.Version}, {a.PURL, b.PURL}, {a.Type, b.Type}} {
			if n := strings.Compare(c[0], c[1]); n != 0 {
				return n
			}
		}
		return 0
	})
	return out
}

// docUUID derives a stable UUID (RFC 4122 variant, version 5 layout) from
// the document's identity, so the same input gives the same SBOM.
func docUUID(d SBOMDoc, format string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00", format, d.Name, d.Digest, strings.Join(d.Platforms, ","), d.Created.UTC().Format(time.RFC3339))
	for _, c := range d.Components {
		fmt.Fprintf(h, "%s\x00%s\x00", componentKey(c.Package), strings.Join(c.Platforms, ","))
	}
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// PlatformProperty is the CycloneDX property naming a platform a component
// was found on (one property per platform).
const PlatformProperty = "slipway:platform"

type cdxBOM struct {
	BOMFormat    string         `json:"bomFormat"`
	SpecVersion  string         `json:"specVersion"`
	SerialNumber string         `json:"serialNumber"`
	Version      int            `json:"version"`
	Metadata     cdxMetadata    `json:"metadata"`
	Components   []cdxComponent `json:"components"`
	Dependencies []cdxDep       `json:"dependencies"`
}

type cdxMetadata struct {
	Timestamp  string        `json:"timestamp"`
	Tools      cdxTools      `json:"tools"`
	Component  cdxComponent  `json:"component"`
	Properties []cdxProperty `json:"properties,omitempty"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxComponent struct {
	BOMRef     string        `json:"bom-ref"`
	Type       string        `json:"type"`
	Name       string        `json:"name"`
	Version    string        `json:"version,omitempty"`
	PURL       string        `json:"purl,omitempty"`
	Licenses   []cdxLicense  `json:"licenses,omitempty"`
	Properties []cdxProperty `json:"properties,omitempty"`
}

type cdxLicense struct {
	License    *cdxLicenseID `json:"license,omitempty"`
	Expression string        `json:"expression,omitempty"`
}

type cdxLicenseID struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxDep struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

// CycloneDX renders d as CycloneDX 1.5 JSON. Each component carries one
// slipway:platform property per platform it was found on.
func CycloneDX(d SBOMDoc) ([]byte, error) {
	rootType := "application"
	if d.Kind == KindImage {
		rootType = "container"
	}
	root := cdxComponent{BOMRef: "subject", Type: rootType, Name: d.Name}
	if d.Digest != "" {
		root.Version = d.Digest
	}
	bom := cdxBOM{
		BOMFormat: "CycloneDX", SpecVersion: "1.5", SerialNumber: "urn:uuid:" + docUUID(d, "cyclonedx"), Version: 1,
		Metadata: cdxMetadata{
			Timestamp: d.Created.UTC().Format(time.RFC3339),
			Tools:     cdxTools{Components: []cdxComponent{{BOMRef: "tool", Type: "application", Name: "slipway-scan", Version: strings.TrimPrefix(d.Tool, "slipway-scan ")}}},
			Component: root,
		},
		Components: []cdxComponent{},
	}
	for _, p := range d.Platforms {
		bom.Metadata.Properties = append(bom.Metadata.Properties, cdxProperty{PlatformProperty, p})
	}
	dep := cdxDep{Ref: "subject", DependsOn: []string{}}
	seen := make(map[string]bool)
	for _, c := range d.Components {
		ref := componentKey(c.Package)
		if seen[ref] {
			continue
		}
		seen[ref] = true
		cc := cdxComponent{BOMRef: ref, Type: "library", Name: c.Name, Version: c.Version, PURL: c.PURL}
		if c.Type == "gobinary" && c.Name == "stdlib" {
			cc.Type = "framework"
		}
		for _, l := range c.Licenses {
			if id, err := CanonicalLicense(l); err == nil {
				cc.Licenses = append(cc.Licenses, cdxLicense{License: &cdxLicenseID{ID: id}})
			} else if strings.ContainsAny(l, " ()") {
				cc.Licenses = append(cc.Licenses, cdxLicense{Expression: l})
			} else {
				cc.Licenses = append(cc.Licenses, cdxLicense{License: &cdxLicenseID{Name: l}})
			}
		}
		cc.Properties = append(cc.Properties, cdxProperty{"slipway:package-type", c.Type})
		for _, p := range c.Platforms {
			cc.Properties = append(cc.Properties, cdxProperty{PlatformProperty, p})
		}
		bom.Components = append(bom.Components, cc)
		dep.DependsOn = append(dep.DependsOn, ref)
	}
	bom.Dependencies = []cdxDep{dep}
	return encodeJSON(bom)
}

type spdxDoc struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreation       `json:"creationInfo"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
}

type spdxCreation struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type spdxPackage struct {
	Name             string           `json:"name"`
	SPDXID           string           `json:"SPDXID"`
	VersionInfo      string           `json:"versionInfo,omitempty"`
	DownloadLocation string           `json:"downloadLocation"`
	FilesAnalyzed    bool             `json:"filesAnalyzed"`
	LicenseConcluded string           `json:"licenseConcluded"`
	LicenseDeclared  string           `json:"licenseDeclared"`
	CopyrightText    string           `json:"copyrightText"`
	PrimaryPurpose   string           `json:"primaryPackagePurpose,omitempty"`
	ExternalRefs     []spdxRef        `json:"externalRefs,omitempty"`
	Annotations      []spdxAnnotation `json:"annotations,omitempty"`
}

type spdxRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

type spdxAnnotation struct {
	Annotator string `json:"annotator"`
	Date      string `json:"annotationDate"`
	Type      string `json:"annotationType"`
	Comment   string `json:"comment"`
}

type spdxRelationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

// PlatformAnnotationPrefix starts the comment of the SPDX annotation naming
// a platform a package was found on ("platform: linux/arm64").
const PlatformAnnotationPrefix = "platform: "

// SPDX renders d as SPDX 2.3 JSON: the subject is the described package and
// CONTAINS every component; platforms are package annotations.
func SPDX(d SBOMDoc) ([]byte, error) {
	created := d.Created.UTC().Format(time.RFC3339)
	doc := spdxDoc{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT", Name: d.Name,
		DocumentNamespace: "https://slipway.dev/spdx/" + spdxSafe(d.Name) + "-" + docUUID(d, "spdx"),
		CreationInfo:      spdxCreation{Created: created, Creators: []string{"Tool: " + strings.ReplaceAll(d.Tool, " ", "-")}},
	}
	rootPurpose := "APPLICATION"
	if d.Kind == KindImage {
		rootPurpose = "CONTAINER"
	}
	root := spdxPackage{Name: d.Name, SPDXID: "SPDXRef-Subject", VersionInfo: d.Digest, DownloadLocation: "NOASSERTION",
		LicenseConcluded: "NOASSERTION", LicenseDeclared: "NOASSERTION", CopyrightText: "NOASSERTION", PrimaryPurpose: rootPurpose}
	annotate := func(pkg *spdxPackage, platforms []string) {
		for _, p := range platforms {
			pkg.Annotations = append(pkg.Annotations, spdxAnnotation{Annotator: "Tool: slipway-scan", Date: created, Type: "OTHER", Comment: PlatformAnnotationPrefix + p})
		}
	}
	annotate(&root, d.Platforms)
	doc.Packages = append(doc.Packages, root)
	doc.Relationships = append(doc.Relationships, spdxRelationship{"SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Subject"})
	for i, c := range d.Components {
		lic := "NOASSERTION"
		if len(c.Licenses) > 0 {
			var ids []string
			for _, l := range c.Licenses {
				if id, err := CanonicalLicense(l); err == nil {
					ids = append(ids, id)
				}
			}
			if len(ids) == len(c.Licenses) {
				lic = strings.Join(ids, " AND ")
			}
		}
		pkg := spdxPackage{
			Name: c.Name, SPDXID: fmt.Sprintf("SPDXRef-Package-%d", i+1), VersionInfo: c.Version,
			DownloadLocation: "NOASSERTION", LicenseConcluded: "NOASSERTION", LicenseDeclared: lic, CopyrightText: "NOASSERTION",
			PrimaryPurpose: "LIBRARY",
		}
		if c.PURL != "" {
			pkg.ExternalRefs = []spdxRef{{"PACKAGE-MANAGER", "purl", c.PURL}}
		}
		annotate(&pkg, c.Platforms)
		doc.Packages = append(doc.Packages, pkg)
		doc.Relationships = append(doc.Relationships, spdxRelationship{"SPDXRef-Subject", "CONTAINS", pkg.SPDXID})
	}
	return encodeJSON(doc)
}

func spdxSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding JSON: %w", err)
	}
	return buf.Bytes(), nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return fmt.Sprintf("%x", h[:])
}
