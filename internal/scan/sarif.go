package scan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// SARIF 2.1.0, the subset GitHub code scanning reads. Field order follows the
// specification so that the file reads naturally.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name,omitempty"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  sarifText      `json:"fullDescription"`
	HelpURI          string         `json:"helpUri,omitempty"`
	Help             sarifHelp      `json:"help"`
	DefaultConfig    sarifConfig    `json:"defaultConfiguration"`
	Properties       map[string]any `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties,omitempty"`
}

type sarifLocation struct {
	Physical sarifPhysical `json:"physicalLocation"`
	Message  *sarifText    `json:"message,omitempty"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
	Region   sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

// SARIFLevel maps a severity to a SARIF level.
func SARIFLevel(s Severity) string {
	switch s {
	case SeverityCritical, SeverityHigh:
		return "error"
	case SeverityMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub's numeric severity (CVSS-like) per level.
func securitySeverity(s Severity) string {
	switch s {
	case SeverityCritical:
		return "9.5"
	case SeverityHigh:
		return "8.0"
	case SeverityMedium:
		return "5.5"
	case SeverityLow:
		return "2.0"
	}
	return "0.0"
}

// WriteSARIF renders every reported vulnerability and licence violation of
// results as SARIF 2.1.0: excused ones carry a suppression with the reason.
// Subjects that failed to scan make the invocation unsuccessful, with one
// notification each; the log stays valid.
func WriteSARIF(results []Result, version string) ([]byte, error) {
	run := sarifRun{
		Tool:    sarifTool{Driver: sarifDriver{Name: "slipway-scan", Version: version, InformationURI: "https://github.com/slipway-dev/slipway", Rules: []sarifRule{}}},
		Results: []sarifResult{},
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	ruleIdx := make(map[string]int)
	addRule := func(r sarifRule) int {
		if i, ok := ruleIdx[r.ID]; ok {
			return i
		}
		ruleIdx[r.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, r)
		return ruleIdx[r.ID]
	}
	for _, res := range results {
		if res.Err != "" {
			inv.ExecutionSuccessful = false
			inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error", Message: sarifText{fmt.Sprintf("%s could not be scanned: %s", res.Subject.Name, res.Err)}})
			continue
		}
		uri := sarifURI(res.Subject)
		for _, v := range res.Vulns {
			idx := addRule(vulnRule(v))
			msg := fmt.Sprintf("%s %s in %s (%s): %s %s", v.Package, v.Installed, res.Subject.Name, v.Target, v.ID, v.Severity)
			if v.Fixed != "" {
				msg += ", fixed in " + v.Fixed
			} else {
				msg += ", no fixed version yet"
			}
			if v.Note != "" {
				msg += " — " + v.Note
			}
			r := sarifResult{
				RuleID: v.ID, RuleIndex: idx, Level: SARIFLevel(v.Severity), Message: sarifText{msg},
				Locations:           []sarifLocation{location(uri, res.Subject.Name)},
				PartialFingerprints: map[string]string{"slipwayFinding/v1": fingerprint(res.Subject.Name, v.ID, v.Package, v.Installed, v.Target)},
				Properties: map[string]any{
					"subject": res.Subject.Name, "package": v.Package, "installedVersion": v.Installed,
					"fixedVersion": v.Fixed, "status": string(v.Status), "failsGate": v.Fails,
				},
			}
			if res.Subject.Platform != "" {
				r.Properties["platform"] = res.Subject.Platform
			}
			if v.Status != StatusAffected {
				r.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: v.Note}}
				if v.Justification != "" {
					r.Properties["justification"] = v.Justification
				}
			}
			run.Results = append(run.Results, r)
		}
		for _, l := range res.Licenses {
			id := "license-" + strings.ReplaceAll(l.Reason, " ", "-")
			idx := addRule(sarifRule{
				ID: id, Name: ruleName(l.Reason),
				ShortDescription: sarifText{"Licence " + l.Reason + " by the licence policy"},
				FullDescription:  sarifText{"A package's licence is " + l.Reason + " by licenses-forbidden / licenses-allowed."},
				Help:             sarifHelp{Text: "Replace the package or change the licence policy.", Markdown: "Replace the package or change the licence policy (`licenses-allowed`, `licenses-forbidden`)."},
				DefaultConfig:    sarifConfig{Level: "error"},
				Properties:       map[string]any{"tags": []string{"license"}, "security-severity": "0.0"},
			})
			run.Results = append(run.Results, sarifResult{
				RuleID: id, RuleIndex: idx, Level: "error",
				Message:             sarifText{fmt.Sprintf("%s %s in %s is licensed %s, which is %s", l.Package, l.Version, res.Subject.Name, l.License, l.Reason)},
				Locations:           []sarifLocation{location(uri, res.Subject.Name)},
				PartialFingerprints: map[string]string{"slipwayFinding/v1": fingerprint(res.Subject.Name, id, l.Package, l.Version, l.License)},
			})
		}
	}
	run.Invocations = []sarifInvocation{inv}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}); err != nil {
		return nil, fmt.Errorf("encoding SARIF: %w", err)
	}
	return buf.Bytes(), nil
}

func vulnRule(v Vulnerability) sarifRule {
	title := v.Title
	if title == "" {
		title = v.ID + " in " + v.Package
	}
	desc := v.Description
	if desc == "" {
		desc = title
	}
	fixed := v.Fixed
	if fixed == "" {
		fixed = "none yet"
	}
	md := fmt.Sprintf("**%s** (%s)\n\n| Package | Fixed version | Link |\n|---|---|---|\n|%s|%s|[%s](%s)|\n\n%s", v.ID, v.Severity, v.Package, fixed, v.ID, v.URL, desc)
	tags := []string{"vulnerability", "security", v.Severity.String()}
	return sarifRule{
		ID: v.ID, Name: "Vulnerability",
		ShortDescription: sarifText{title}, FullDescription: sarifText{desc},
		HelpURI:       v.URL,
		Help:          sarifHelp{Text: fmt.Sprintf("%s %s: %s. Package %s, fixed version %s. %s", v.ID, v.Severity, title, v.Package, fixed, v.URL), Markdown: md},
		DefaultConfig: sarifConfig{Level: SARIFLevel(v.Severity)},
		Properties:    map[string]any{"tags": tags, "precision": "very-high", "security-severity": securitySeverity(v.Severity)},
	}
}

func location(uri, subject string) sarifLocation {
	return sarifLocation{
		Physical: sarifPhysical{Artifact: sarifArtifact{URI: uri}, Region: sarifRegion{StartLine: 1, StartColumn: 1, EndLine: 1, EndColumn: 1}},
		Message:  &sarifText{subject},
	}
}

// sarifURI is where code scanning shows a subject's results: its
// workspace-relative location, or oci://<reference> for a registry image.
func sarifURI(s Subject) string {
	switch {
	case s.Location != "":
		return s.Location
	case s.Ref != "":
		return "oci://" + s.Ref
	}
	return "."
}

func fingerprint(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

// sortResults orders results by subject name, keeping platforms of one image
// together.
func sortResults(rs []Result) {
	slices.SortStableFunc(rs, func(a, b Result) int { return strings.Compare(a.Subject.Name, b.Subject.Name) })
}

func ruleName(reason string) string {
	if reason == "forbidden" {
		return "LicenseForbidden"
	}
	return "LicenseNotAllowed"
}
