package modverify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/mod/module"
)

// SumLine is one line of a go.sum (or go.work.sum) file.
type SumLine struct {
	Line    int    // 1-based
	Path    string // module path
	Version string // without /go.mod
	Mod     bool   // the /go.mod hash line
	Hash    string // "h1:..."
}

// Key is path@version, with /go.mod for a go.mod hash line.
func (l SumLine) Key() string {
	if l.Mod {
		return l.Path + "@" + l.Version + "/go.mod"
	}
	return l.Path + "@" + l.Version
}

// Text is the line as go.sum writes it.
func (l SumLine) Text() string {
	v := l.Version
	if l.Mod {
		v += "/go.mod"
	}
	return l.Path + " " + v + " " + l.Hash
}

// SumFile is a parsed go.sum.
type SumFile struct {
	File   string // workspace-relative, slash form
	Lines  []SumLine
	SHA256 string // of the file's bytes
}

// SumParseError is a go.sum line that is not "path version hash".
type SumParseError struct {
	File string
	Line int
	Text string
	Err  string
}

func (e *SumParseError) Error() string {
	return fmt.Sprintf("%s:%d: malformed go.sum line %q: %s", e.File, e.Line, e.Text, e.Err)
}

// ParseSum parses go.sum data as the go command does: blank lines are
// skipped, every other line is "path version hash".
func ParseSum(file string, data []byte) (*SumFile, error) {
	sum := sha256.Sum256(data)
	sf := &SumFile{File: file, SHA256: hex.EncodeToString(sum[:])}
	n := 0
	for line := range strings.Lines(string(data)) {
		n++
		text := strings.TrimRight(line, "\r\n")
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, &SumParseError{File: file, Line: n, Text: text, Err: "want three fields: module path, version and hash"}
		}
		l := SumLine{Line: n, Path: f[0], Hash: f[2]}
		l.Version, l.Mod = strings.CutSuffix(f[1], "/go.mod")
		if err := module.Check(l.Path, l.Version); err != nil && !strings.HasSuffix(l.Version, "+incompatible") {
			if err := module.CheckPath(l.Path); err != nil {
				return nil, &SumParseError{File: file, Line: n, Text: text, Err: err.Error()}
			}
		}
		if !strings.Contains(l.Hash, ":") {
			return nil, &SumParseError{File: file, Line: n, Text: text, Err: "the hash has no algorithm prefix such as h1:"}
		}
		sf.Lines = append(sf.Lines, l)
	}
	return sf, nil
}

// Find returns the go.sum line for path@version (mod: its /go.mod line).
func (s *SumFile) Find(path, version string, mod bool) (SumLine, bool) {
	if s == nil {
		return SumLine{}, false
	}
	for _, l := range s.Lines {
		if l.Path == path && l.Version == version && l.Mod == mod {
			return l, true
		}
	}
	return SumLine{}, false
}
