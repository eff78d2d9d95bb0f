package build

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
)

// Link keys are the values build-matrix can inject at link time.
const (
	LinkVersion     = "version"
	LinkCommit      = "commit"
	LinkShortCommit = "short-commit"
	LinkDate        = "date"
	LinkBuiltBy     = "built-by"
)

var linkKeys = []string{LinkVersion, LinkCommit, LinkShortCommit, LinkDate, LinkBuiltBy}

// commonNames maps lower-cased variable names found in real projects to keys.
var commonNames = map[string]string{
	"version": LinkVersion, "appversion": LinkVersion, "buildversion": LinkVersion, "gitversion": LinkVersion,
	"commit": LinkCommit, "gitcommit": LinkCommit, "revision": LinkCommit, "gitrevision": LinkCommit,
	"commithash": LinkCommit, "githash": LinkCommit, "gitsha": LinkCommit, "commitsha": LinkCommit,
	"shortcommit": LinkShortCommit, "gitshortcommit": LinkShortCommit,
	"date": LinkDate, "builddate": LinkDate, "buildtime": LinkDate, "builtat": LinkDate,
	"buildtimestamp": LinkDate, "commitdate": LinkDate, "committime": LinkDate,
	"builtby": LinkBuiltBy,
}

// LinkVar is one -X assignment: which value goes into which symbol.
type LinkVar struct {
	Key    string // one of the Link* keys
	Symbol string // "main.version", "example.com/x/internal/buildinfo.Version"
}

// ParseLinkVars reads "key=symbol" lines (for example
// version=example.com/x/internal/buildinfo.Version).
func ParseLinkVars(lines []string) ([]LinkVar, error) {
	var vs []LinkVar
	for _, l := range lines {
		k, sym, ok := strings.Cut(l, "=")
		k, sym = strings.TrimSpace(k), strings.TrimSpace(sym)
		if !ok || !slices.Contains(linkKeys, k) {
			return nil, fmt.Errorf("%q is not key=symbol with key one of %s", l, strings.Join(linkKeys, ", "))
		}
		dot := strings.LastIndex(sym, ".")
		if dot <= 0 || dot == len(sym)-1 || strings.ContainsAny(sym, " \t'\"=") {
			return nil, fmt.Errorf("%q: symbol must be importpath.name, for example main.version", l)
		}
		vs = append(vs, LinkVar{Key: k, Symbol: sym})
	}
	return vs, nil
}

// DetectLinkVars finds package-level string variables with common names in
// the Go files of a main package, sorted by symbol.
func DetectLinkVars(dir string, files []string) ([]LinkVar, error) {
	fset := token.NewFileSet()
	var vs []LinkVar
	for _, f := range files {
		file, err := parser.ParseFile(fset, filepath.Join(dir, f), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", f, err)
		}
		for _, d := range file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, s := range gd.Specs {
				vs = append(vs, stringVars(s.(*ast.ValueSpec))...)
			}
		}
	}
	slices.SortFunc(vs, func(a, b LinkVar) int { return strings.Compare(a.Symbol, b.Symbol) })
	return slices.Compact(vs), nil
}

// stringVars returns the linkable variables of one var spec: declared string,
// or untyped with a string literal (the only kinds -X can set).
func stringVars(s *ast.ValueSpec) []LinkVar {
	var vs []LinkVar
	for i, n := range s.Names {
		key, ok := commonNames[strings.ToLower(n.Name)]
		if !ok {
			continue
		}
		isString := false
		if id, ok := s.Type.(*ast.Ident); ok {
			isString = id.Name == "string"
		} else if s.Type == nil && i < len(s.Values) {
			lit, ok := s.Values[i].(*ast.BasicLit)
			isString = ok && lit.Kind == token.STRING
		}
		if isString {
			vs = append(vs, LinkVar{Key: key, Symbol: "main." + n.Name})
		}
	}
	return vs
}

// LinkValues are what the Link* keys stand for in one build.
type LinkValues struct {
	Version string
	Commit  string
	Date    string // RFC 3339 UTC
}

func (v LinkValues) get(key string) string {
	switch key {
	case LinkVersion:
		return v.Version
	case LinkCommit:
		return v.Commit
	case LinkShortCommit:
		if len(v.Commit) > 12 {
			return v.Commit[:12]
		}
		return v.Commit
	case LinkDate:
		return v.Date
	case LinkBuiltBy:
		return "slipway"
	}
	return ""
}

// Ldflags assembles the -ldflags value: stripped, no build ID, one -X per
// variable whose value is known, then the user's own flags (which may
// override any of these, as the linker takes the last).
func Ldflags(vars []LinkVar, vals LinkValues, extra string) (string, error) {
	parts := []string{"-s", "-w", "-buildid="}
	for _, v := range vars {
		val := vals.get(v.Key)
		if val == "" {
			continue
		}
		q, err := quoteFlag(v.Symbol + "=" + val)
		if err != nil {
			return "", fmt.Errorf("-X for %s: %w", v.Symbol, err)
		}
		parts = append(parts, "-X", q)
	}
	if extra = strings.TrimSpace(extra); extra != "" {
		parts = append(parts, extra)
	}
	return strings.Join(parts, " "), nil
}

// quoteFlag quotes s the way the go command splits -ldflags.
func quoteFlag(s string) (string, error) {
	if !strings.ContainsAny(s, " \t\n'\"") {
		return s, nil
	}
	if !strings.Contains(s, "'") && !strings.ContainsAny(s, "\n") {
		return "'" + s + "'", nil
	}
	if !strings.Contains(s, `"`) && !strings.ContainsAny(s, "\n") {
		return `"` + s + `"`, nil
	}
	return "", fmt.Errorf("value %q has both quote kinds or a newline", s)
}

// SplitFlags splits a flags string as the go command splits GOFLAGS-style
// lists: on white space, with single or double quotes grouping. No shell.
func SplitFlags(s string) ([]string, error) {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			return out, nil
		}
		if s[0] == '"' || s[0] == '\'' {
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c quote", s[0])
			}
			out = append(out, s[1:1+end])
			s = s[2+end:]
			if s != "" && !strings.ContainsAny(s[:1], " \t\r\n") {
				return nil, fmt.Errorf("quoted string must be followed by space")
			}
			continue
		}
		i := strings.IndexAny(s, " \t\r\n")
		if i < 0 {
			i = len(s)
		}
		out = append(out, s[:i])
		s = s[i:]
	}
}
