package modverify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// SARIF 2.1.0, the subset GitHub code scanning reads.
const (
	SARIFVersion = "2.1.0"
	SARIFSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
)

// SARIFLog is a SARIF 2.1.0 log.
type SARIFLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []SARIFRun `json:"runs"`
}

// SARIFRun is one run of one tool.
type SARIFRun struct {
	Tool               SARIFTool                   `json:"tool"`
	OriginalURIBaseIDs map[string]SARIFArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Results            []SARIFResult               `json:"results"`
	Properties         map[string]any              `json:"properties,omitempty"`
}

// SARIFTool describes the tool.
type SARIFTool struct {
	Driver SARIFDriver `json:"driver"`
}

// SARIFDriver is the tool's component with its rules.
type SARIFDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []SARIFRule `json:"rules"`
}

// SARIFRule is a reporting descriptor.
type SARIFRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     SARIFText      `json:"shortDescription"`
	FullDescription      SARIFText      `json:"fullDescription"`
	Help                 SARIFHelp      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration SARIFRuleLevel `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

// SARIFText is a message string.
type SARIFText struct {
	Text string `json:"text"`
}

// SARIFHelp is help text with markdown.
type SARIFHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

// SARIFRuleLevel is a rule's default configuration.
type SARIFRuleLevel struct {
	Level string `json:"level"`
}

// SARIFResult is one finding.
type SARIFResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             SARIFText         `json:"message"`
	Locations           []SARIFLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
}

// SARIFLocation is where a result is.
type SARIFLocation struct {
	PhysicalLocation SARIFPhysical `json:"physicalLocation"`
}

// SARIFPhysical is a file and region.
type SARIFPhysical struct {
	ArtifactLocation SARIFArtifactLoc `json:"artifactLocation"`
	Region           *SARIFRegion     `json:"region,omitempty"`
}

// SARIFArtifactLoc is a file, relative to a base.
type SARIFArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// SARIFRegion is a line range.
type SARIFRegion struct {
	StartLine int `json:"startLine"`
}

const docsURI = "https://github.com/slipway-dev/slipway/blob/main/docs/verify-mod.md"

// BuildSARIF converts findings into a SARIF log whose driver lists every rule.
func BuildSARIF(ws string, fs []Finding) SARIFLog {
	run := SARIFRun{
		Tool: SARIFTool{Driver: SARIFDriver{Name: "slipway verify-mod", InformationURI: docsURI}},
		OriginalURIBaseIDs: map[string]SARIFArtifactLoc{
			"%SRCROOT%": {URI: "file://" + filepath.ToSlash(ws) + "/"},
		},
		Results: []SARIFResult{},
	}
	index := map[string]int{}
	for i, r := range rules {
		index[r.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, SARIFRule{
			ID: r.ID, Name: r.Name,
			ShortDescription:     SARIFText{r.Short},
			FullDescription:      SARIFText{r.Short + " " + r.Why},
			Help:                 SARIFHelp{Text: r.Why + "\nFix: " + r.Fix, Markdown: "**Why it matters.** " + r.Why + "\n\n**Fix.** " + r.Fix},
			HelpURI:              docsURI + "#" + lowerID(r.ID),
			DefaultConfiguration: SARIFRuleLevel{r.Severity.SARIFLevel()},
			Properties:           map[string]any{"check": r.Check, "tags": []string{"supply-chain", "go-modules"}},
		})
	}
	for _, f := range fs {
		msg := f.Message
		if f.Fix != "" {
			msg += " Fix: " + f.Fix
		}
		res := SARIFResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: f.Severity.SARIFLevel(), Message: SARIFText{msg}}
		if f.File != "" {
			loc := SARIFLocation{PhysicalLocation: SARIFPhysical{ArtifactLocation: SARIFArtifactLoc{URI: f.File, URIBaseID: "%SRCROOT%"}}}
			if f.Line > 0 {
				loc.PhysicalLocation.Region = &SARIFRegion{StartLine: f.Line}
			}
			res.Locations = []SARIFLocation{loc}
		}
		h := sha256.Sum256([]byte(f.Rule + "\x00" + f.File + "\x00" + f.Subject + "\x00" + f.Message))
		res.PartialFingerprints = map[string]string{"slipwayFinding/v1": hex.EncodeToString(h[:16])}
		run.Results = append(run.Results, res)
	}
	return SARIFLog{Version: SARIFVersion, Schema: SARIFSchema, Runs: []SARIFRun{run}}
}

// WriteSARIF writes the findings as SARIF 2.1.0, atomically.
func WriteSARIF(path, ws string, fs []Finding) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(BuildSARIF(ws, fs)); err != nil {
		return fmt.Errorf("encoding SARIF: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	return nil
}

func lowerID(id string) string {
	b := []byte(id)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
