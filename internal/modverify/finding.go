package modverify

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
)

// Finding is one problem found by a check, at a place: a go.mod, go.sum,
// go.work, vendor or source line. It is the element of the findings output.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Check    string   `json:"check,omitempty"`
	Module   string   `json:"module,omitempty"` // the go.mod's directory, workspace-relative ("." for the root)
	File     string   `json:"file,omitempty"`   // workspace-relative, slash form
	Line     int      `json:"line,omitempty"`
	Subject  string   `json:"subject,omitempty"` // the dependency concerned: path@version, or a setting
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"`
}

// newFinding fills the rule's check and severity.
func newFinding(id string, mod *Module, file string, line int, subject, format string, args ...any) Finding {
	r := ruleOf(id)
	f := Finding{Rule: id, Severity: r.Severity, Check: r.Check, File: file, Line: line, Subject: subject,
		Message: fmt.Sprintf(format, args...), Fix: r.Fix}
	if mod != nil {
		f.Module = mod.Rel
	}
	return f
}

// withFix replaces the rule's generic fix with an exact one.
func (f Finding) withFix(format string, args ...any) Finding {
	f.Fix = fmt.Sprintf(format, args...)
	return f
}

// Annotation is the finding as a workflow annotation: the rule ID in the
// title, the fix after the message.
func (f Finding) Annotation() gha.Annotation {
	msg := f.Message
	if f.Fix != "" {
		msg += "\nFix: " + f.Fix
	}
	return gha.Annotation{Level: f.Severity.Level(), File: f.File, Line: f.Line,
		Title: f.Rule + " " + ruleOf(f.Rule).Name, Message: msg}
}

// sortFindings orders by file, line, rule and message, so that output is
// the same from run to run whatever order concurrent checks finished in.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			strings.Compare(a.Module, b.Module),
			strings.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			strings.Compare(a.Rule, b.Rule),
			strings.Compare(a.Subject, b.Subject),
			strings.Compare(a.Message, b.Message),
		)
	})
}

// Counts is the number of findings per severity.
type Counts struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
	Notice  int `json:"notice"`
}

func countFindings(fs []Finding) Counts {
	var c Counts
	for _, f := range fs {
		switch f.Severity {
		case SeverityError:
			c.Error++
		case SeverityWarning:
			c.Warning++
		default:
			c.Notice++
		}
	}
	return c
}

// Fail-on thresholds.
const (
	FailOnError   = "error"
	FailOnWarning = "warning"
	FailOnNone    = "none"
)

// failing returns the findings at or above the fail-on threshold.
func failing(fs []Finding, failOn string) []Finding {
	min := 0
	switch failOn {
	case FailOnError:
		min = SeverityError.rank()
	case FailOnWarning:
		min = SeverityWarning.rank()
	default:
		return nil
	}
	var out []Finding
	for _, f := range fs {
		if f.Severity.rank() >= min {
			out = append(out, f)
		}
	}
	return out
}
