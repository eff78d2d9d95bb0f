package gha

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// Level is the severity of an annotation.
type Level int

// The annotation levels.
const (
	LevelNotice Level = iota
	LevelWarning
	LevelError
)

// String returns "notice", "warning" or "error".
func (l Level) String() string {
	switch l {
	case LevelNotice:
		return "notice"
	case LevelWarning:
		return "warning"
	case LevelError:
		return "error"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Annotation is a message attached to the run and, when it has a file, to a
// place in the code.
type Annotation struct {
	Level          Level
	File           string // workspace-relative, slash form; may be empty
	Line, EndLine  int    // 0 = absent
	Col, EndColumn int
	Title          string
	Message        string
}

// Annotate reports an annotation. In Actions mode it is a workflow command
// ("::error col=..,endColumn=..,endLine=..,file=..,line=..,title=..::message",
// properties sorted and escaped by go-githubactions, absent ones omitted). In
// CLI mode it is a line on Stderr: "error: file:line:col: title: message",
// leaving out absent parts. Masks apply.
func (a *Action) Annotate(an Annotation) {
	a.mu.Lock()
	defer a.mu.Unlock()
	file, title, msg := a.redactLocked(an.File), a.redactLocked(an.Title), a.redactLocked(an.Message)
	if !a.actions {
		var b strings.Builder
		b.WriteString(an.Level.String() + ": ")
		if file != "" {
			b.WriteString(file)
			if an.Line > 0 {
				b.WriteString(":" + strconv.Itoa(an.Line))
				if an.Col > 0 {
					b.WriteString(":" + strconv.Itoa(an.Col))
				}
			}
			b.WriteString(": ")
		}
		if title != "" {
			b.WriteString(title + ": ")
		}
		b.WriteString(msg + "\n")
		_, _ = io.WriteString(a.env.Stderr, b.String())
		return
	}
	props := make(map[string]string)
	for k, v := range map[string]string{"file": file, "title": title} {
		if v != "" {
			props[k] = v
		}
	}
	for k, v := range map[string]int{"line": an.Line, "endLine": an.EndLine, "col": an.Col, "endColumn": an.EndColumn} {
		if v > 0 {
			props[k] = strconv.Itoa(v)
		}
	}
	gh := a.gh.WithFieldsMap(props)
	switch an.Level {
	case LevelError:
		gh.Errorf("%s", msg)
	case LevelWarning:
		gh.Warningf("%s", msg)
	default:
		gh.Noticef("%s", msg)
	}
}

// Warnf reports a warning annotation without a place.
func (a *Action) Warnf(format string, args ...any) {
	a.Annotate(Annotation{Level: LevelWarning, Message: fmt.Sprintf(format, args...)})
}

// Mask hides secret in everything this Action writes from now on (logs,
// annotations, summary, CLI outputs), replacing it with "***"; in Actions
// mode it also registers it with the runner (::add-mask::). A multi-line
// secret is masked as a whole and line by line, as the runner matches lines.
// Empty strings are ignored.
func (a *Action) Mask(secret string) {
	if strings.TrimSpace(secret) == "" {
		return
	}
	parts := []string{secret}
	if strings.ContainsAny(secret, "\r\n") {
		for line := range strings.Lines(secret) {
			if line = strings.TrimRight(line, "\r\n"); strings.TrimSpace(line) != "" {
				parts = append(parts, line)
			}
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range parts {
		if slices.Contains(a.masks, p) {
			continue
		}
		a.masks = append(a.masks, p)
		if a.actions {
			a.gh.AddMask(p)
		}
	}
	// Longest first, so that a secret containing another is hidden whole.
	slices.SortStableFunc(a.masks, func(x, y string) int { return cmp.Compare(len(y), len(x)) })
}

// redactLocked replaces every mask in s with "***". a.mu must be held.
func (a *Action) redactLocked(s string) string {
	for _, m := range a.masks {
		s = strings.ReplaceAll(s, m, "***")
	}
	return s
}

// Group starts a collapsible log group and returns the function that ends it
// (safe to call more than once). In CLI mode it prints "==> title" on Stderr
// and end does nothing.
func (a *Action) Group(title string) (end func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	title = a.redactLocked(title)
	if !a.actions {
		_, _ = io.WriteString(a.env.Stderr, "==> "+title+"\n")
		return func() {}
	}
	a.gh.Group(title)
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.gh.EndGroup()
		})
	}
}

// Infof writes a log line: to Stdout in Actions mode (where the runner reads
// it), to Stderr in CLI mode. Masks apply. In Actions mode a message with a
// line the runner would take for a workflow command (a forged "::add-mask::"
// or "::error::" in a file name, say) is wrapped in ::stop-commands:: with a
// random token, so it prints as is and does nothing.
func (a *Action) Infof(format string, args ...any) {
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	a.mu.Lock()
	defer a.mu.Unlock()
	msg = a.redactLocked(msg)
	if !a.actions {
		_, _ = io.WriteString(a.env.Stderr, msg+"\n")
		return
	}
	out := neverFail{a.env.Stdout}
	if !looksLikeCommand(msg) {
		_, _ = io.WriteString(out, msg+"\n")
		return
	}
	tok, err := a.randomTokenLocked("", msg)
	if err != nil {
		// Without a secret token, defuse each command-like line instead.
		var b strings.Builder
		for _, line := range splitLines(msg) {
			if looksLikeCommand(line) {
				line = "> " + strings.ReplaceAll(line, "##[", "## [")
			}
			b.WriteString(line + "\n")
		}
		_, _ = io.WriteString(out, b.String())
		return
	}
	_, _ = io.WriteString(out, "::stop-commands::"+tok+"\n"+msg+"\n::"+tok+"::\n")
}

// looksLikeCommand reports whether the runner could parse a line of s as a
// workflow command: "::" after leading white space, or the legacy "##[".
func looksLikeCommand(s string) bool {
	for _, line := range splitLines(s) {
		if strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") || strings.Contains(line, "##[") {
			return true
		}
	}
	return false
}

// splitLines splits s on "\n", "\r\n" and "\r", as the runner does.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n")
}

// Debugf writes a debug line: ::debug:: in Actions mode (shown when the run
// has debug logging on); on Stderr in CLI mode only when SLIPWAY_DEBUG=1.
func (a *Action) Debugf(format string, args ...any) {
	if !a.actions && a.env.Getenv("SLIPWAY_DEBUG") != "1" {
		return
	}
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	a.mu.Lock()
	defer a.mu.Unlock()
	msg = a.redactLocked(msg)
	if a.actions {
		a.gh.Debugf("%s", msg)
		return
	}
	_, _ = io.WriteString(a.env.Stderr, "debug: "+msg+"\n")
}
