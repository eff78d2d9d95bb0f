package scan

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// IgnoreRule is one entry of an ignore file.
type IgnoreRule struct {
	ID      string    // vulnerability ID or alias, or a licence ID (License true)
	License bool      // the rule ignores a licence violation
	Paths   []string  // only in these targets (globs); empty: everywhere
	Reason  string    // why (the YAML form requires it)
	Expires time.Time // zero: never
	Line    int       // where the rule is, for annotations
}

// IgnoreFile is a parsed ignore file.
type IgnoreFile struct {
	Path  string // as the user named it, for annotations
	Rules []IgnoreRule
}

// ParseError is a syntax error in an ignore file, with its place.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// ParseIgnoreFile reads the .trivyignore form (one ID per line, "#"
// comments, an optional "exp:YYYY-MM-DD" after the ID) or, for a name ending
// in .yaml or .yml, the YAML form:
//
//	vulnerabilities:
//	  - id: CVE-2022-32149
//	    reason: only parses trusted input     # required ("statement" also works)
//	    expires: 2027-01-31                   # optional ("expired_at" also works)
//	    paths: ["hello_linux_*/hello"]        # optional
//	licenses:
//	  - id: GPL-3.0-only
//	    reason: internal tool, not distributed
//
// name is how the file is reported.
func ParseIgnoreFile(name string, data []byte) (*IgnoreFile, error) {
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".yaml" || ext == ".yml" {
		return parseIgnoreYAML(name, data)
	}
	f := &IgnoreFile{Path: name}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		r := IgnoreRule{ID: fields[0], Line: n}
		if err := checkID(r.ID); err != nil {
			return nil, &ParseError{name, n, err.Error()}
		}
		for _, fl := range fields[1:] {
			v, ok := strings.CutPrefix(fl, "exp:")
			if !ok {
				return nil, &ParseError{name, n, fmt.Sprintf("unexpected %q after the ID: a line is an ID and optionally exp:YYYY-MM-DD", fl)}
			}
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return nil, &ParseError{name, n, fmt.Sprintf("expiry %q is not a date (YYYY-MM-DD)", v)}
			}
			r.Expires = t
		}
		f.Rules = append(f.Rules, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return f, nil
}

// checkID rejects what cannot be a vulnerability or licence ID.
func checkID(id string) error {
	if id == "" || strings.ContainsAny(id, " \t:=\"'") {
		return fmt.Errorf("%q is not a vulnerability or licence ID", id)
	}
	return nil
}

func parseIgnoreYAML(name string, data []byte) (*IgnoreFile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 1
		var te *yaml.TypeError
		msg := err.Error()
		if _, err := fmt.Sscanf(msg, "yaml: line %d:", &line); err == nil {
			msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
			msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		}
		_ = te
		return nil, &ParseError{name, line, "YAML: " + msg}
	}
	f := &IgnoreFile{Path: name}
	if len(doc.Content) == 0 {
		return f, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &ParseError{name, root.Line, "the top level must be a mapping with vulnerabilities: and licenses: lists"}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		license := false
		switch key.Value {
		case "vulnerabilities":
		case "licenses":
			license = true
		case "misconfigurations", "secrets":
			continue // Trivy's other sections: nothing to ignore here
		default:
			return nil, &ParseError{name, key.Line, fmt.Sprintf("unknown section %q: use vulnerabilities or licenses", key.Value)}
		}
		if val.Kind != yaml.SequenceNode {
			return nil, &ParseError{name, val.Line, fmt.Sprintf("%s must be a list of entries", key.Value)}
		}
		for _, e := range val.Content {
			r, err := parseYAMLRule(name, e, license)
			if err != nil {
				return nil, err
			}
			f.Rules = append(f.Rules, r)
		}
	}
	return f, nil
}

func parseYAMLRule(name string, e *yaml.Node, license bool) (IgnoreRule, error) {
	r := IgnoreRule{License: license, Line: e.Line}
	if e.Kind != yaml.MappingNode {
		return r, &ParseError{name, e.Line, "an entry must be a mapping with id and reason"}
	}
	for i := 0; i+1 < len(e.Content); i += 2 {
		k, v := e.Content[i], e.Content[i+1]
		switch k.Value {
		case "id":
			r.ID = v.Value
		case "reason", "statement":
			r.Reason = strings.TrimSpace(v.Value)
		case "expires", "expired_at":
			t, err := time.Parse(time.DateOnly, v.Value)
			if err != nil {
				if t, err = time.Parse(time.RFC3339, v.Value); err != nil {
					return r, &ParseError{name, v.Line, fmt.Sprintf("%s %q is not a date (YYYY-MM-DD)", k.Value, v.Value)}
				}
			}
			r.Expires = t
		case "paths":
			if err := v.Decode(&r.Paths); err != nil {
				return r, &ParseError{name, v.Line, "paths must be a list of globs"}
			}
			for _, p := range r.Paths {
				if _, err := filepath.Match(p, ""); err != nil {
					return r, &ParseError{name, v.Line, fmt.Sprintf("path %q is not a glob: %v", p, err)}
				}
			}
		case "purls":
			// Accepted for compatibility with Trivy's form; IDs decide here.
		default:
			return r, &ParseError{name, k.Line, fmt.Sprintf("unknown key %q: use id, reason, expires or paths", k.Value)}
		}
	}
	if err := checkID(r.ID); err != nil {
		return r, &ParseError{name, e.Line, "entry: " + err.Error()}
	}
	if r.Reason == "" {
		return r, &ParseError{name, e.Line, fmt.Sprintf("entry %s has no reason: say why it is ignored", r.ID)}
	}
	return r, nil
}

// Expired reports whether the rule's expiry has passed at now.
func (r IgnoreRule) Expired(now time.Time) bool {
	return !r.Expires.IsZero() && !now.Before(r.Expires)
}

// matchVuln returns the live rule that ignores v in target, and any
// expired rules that would have.
func (f *IgnoreFile) matchVuln(v Vulnerability, target string, now time.Time) (live *IgnoreRule, expired []IgnoreRule) {
	if f == nil {
		return nil, nil
	}
	for i, r := range f.Rules {
		if r.License || !slices.Contains(v.IDs(), r.ID) || !r.matchPath(target) {
			continue
		}
		if r.Expired(now) {
			expired = append(expired, r)
			continue
		}
		if live == nil {
			live = &f.Rules[i]
		}
	}
	return live, expired
}

func (f *IgnoreFile) matchLicense(id string, now time.Time) (live *IgnoreRule, expired []IgnoreRule) {
	if f == nil {
		return nil, nil
	}
	for i, r := range f.Rules {
		if !r.License || !strings.EqualFold(r.ID, id) {
			continue
		}
		if r.Expired(now) {
			expired = append(expired, r)
			continue
		}
		if live == nil {
			live = &f.Rules[i]
		}
	}
	return live, expired
}

func (r IgnoreRule) matchPath(target string) bool {
	if len(r.Paths) == 0 {
		return true
	}
	for _, p := range r.Paths {
		if ok, _ := filepath.Match(p, target); ok || p == target {
			return true
		}
	}
	return false
}
