package modverify

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/slipway-dev/slipway/internal/gha"
)

// Module is one go.mod to check.
type Module struct {
	Dir    string // absolute
	Rel    string // workspace-relative directory, slash form ("." for the root)
	GoMod  string // workspace-relative go.mod, slash form
	Path   string // module path
	File   *modfile.File
	Sum    *SumFile // nil when there is no go.sum
	InWork bool     // a use directive of the go.work includes it

	// goTooNew is set by the toolchain check when the go line needs a
	// newer Go than the runner: go commands in the module cannot run.
	goTooNew bool
}

// Work is the workspace's go.work, when there is one.
type Work struct {
	Dir  string // absolute
	File string // workspace-relative go.work
	Work *modfile.WorkFile
	Sum  *SumFile // go.work.sum, nil when absent
}

// ErrNoGoMod marks a module directory without a go.mod.
var ErrNoGoMod = errors.New("no go.mod")

// ParseError is a go.mod, go.work or go.sum that cannot be parsed, with the
// places of its errors.
type ParseError struct {
	Findings []Finding
}

func (e *ParseError) Error() string {
	var msgs []string
	for _, f := range e.Findings {
		msgs = append(msgs, fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Message))
	}
	return strings.Join(msgs, "; ")
}

// LoadModules reads the modules to check: the given directories, or with
// all every go.mod under the workspace (skipping vendor, testdata, hidden
// and _ directories) plus the modules the workspace's go.work uses. A
// missing go.mod is ErrNoGoMod; unparsable files are a *ParseError.
func LoadModules(ws string, dirs []string, all bool) ([]*Module, *Work, error) {
	var work *Work
	var perrs []Finding
	if all {
		var err error
		if work, err = loadWork(ws); err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				return nil, nil, err
			}
			perrs = append(perrs, pe.Findings...)
		}
		if dirs, err = findModules(ws); err != nil {
			return nil, nil, err
		}
		if work != nil && work.Work != nil {
			for _, u := range work.Work.Use {
				d := gha.ResolvePath(work.Dir, filepath.FromSlash(u.Path))
				if !slices.Contains(dirs, d) {
					dirs = append(dirs, d)
				}
			}
		}
		if len(dirs) == 0 {
			return nil, nil, fmt.Errorf("%s: %w anywhere in the workspace", ws, ErrNoGoMod)
		}
	}
	var mods []*Module
	for _, d := range dirs {
		m, err := loadModule(ws, d)
		var pe *ParseError
		switch {
		case errors.As(err, &pe):
			perrs = append(perrs, pe.Findings...)
			continue
		case err != nil:
			return nil, nil, err
		}
		if work != nil && work.Work != nil {
			for _, u := range work.Work.Use {
				if gha.ResolvePath(work.Dir, filepath.FromSlash(u.Path)) == d {
					m.InWork = true
				}
			}
		}
		mods = append(mods, m)
	}
	if len(perrs) > 0 {
		return nil, nil, &ParseError{Findings: perrs}
	}
	slices.SortFunc(mods, func(a, b *Module) int { return strings.Compare(a.Rel, b.Rel) })
	return mods, work, nil
}

func loadModule(ws, dir string) (*Module, error) {
	m := &Module{Dir: dir, Rel: gha.RelPath(ws, dir)}
	m.GoMod = gha.RelPath(ws, filepath.Join(dir, "go.mod"))
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", m.Rel, ErrNoGoMod)
	}
	if err != nil {
		return nil, err
	}
	m.File, err = modfile.Parse(m.GoMod, data, nil)
	if err != nil {
		return nil, parseError(m, m.GoMod, err)
	}
	if m.File.Module == nil {
		return nil, &ParseError{Findings: []Finding{newFinding(RuleGoModParse, m, m.GoMod, 1, "", "go.mod has no module directive")}}
	}
	m.Path = m.File.Module.Mod.Path
	if m.Sum, err = loadSum(ws, filepath.Join(dir, "go.sum")); err != nil {
		return nil, parseError(m, gha.RelPath(ws, filepath.Join(dir, "go.sum")), err)
	}
	return m, nil
}

func loadSum(ws, file string) (*SumFile, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseSum(gha.RelPath(ws, file), data)
}

// parseError turns modfile's and ParseSum's errors into findings with lines.
func parseError(m *Module, file string, err error) error {
	var list modfile.ErrorList
	var se *SumParseError
	var fs []Finding
	switch {
	case errors.As(err, &list):
		for _, e := range list {
			fs = append(fs, newFinding(RuleGoModParse, m, file, e.Pos.Line, "", "%s", strings.TrimPrefix(e.Error(), fmt.Sprintf("%s:%d: ", file, e.Pos.Line))))
		}
	case errors.As(err, &se):
		fs = append(fs, newFinding(RuleGoModParse, m, file, se.Line, "", "malformed go.sum line %q: %s", se.Text, se.Err))
	default:
		return fmt.Errorf("reading %s: %w", file, err)
	}
	return &ParseError{Findings: fs}
}

func loadWork(ws string) (*Work, error) {
	file := filepath.Join(ws, "go.work")
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	w := &Work{Dir: ws, File: gha.RelPath(ws, file)}
	if w.Work, err = modfile.ParseWork(w.File, data, nil); err != nil {
		return nil, parseError(nil, w.File, err)
	}
	if w.Sum, err = loadSum(ws, filepath.Join(ws, "go.work.sum")); err != nil {
		return nil, parseError(nil, gha.RelPath(ws, filepath.Join(ws, "go.work.sum")), err)
	}
	return w, nil
}

// findModules lists every directory under ws holding a go.mod.
func findModules(ws string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(ws, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != ws && (name == "vendor" || name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == "go.mod" && d.Type().IsRegular() {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding modules: %w", err)
	}
	return dirs, nil
}

// requireLine is the go.mod line that requires path, or 0.
func (m *Module) requireLine(path string) int {
	for _, r := range m.File.Require {
		if r.Mod.Path == path && r.Syntax != nil {
			return r.Syntax.Start.Line
		}
	}
	return 0
}

// moduleLine is the line of the module directive.
func (m *Module) moduleLine() int {
	if m.File.Module != nil && m.File.Module.Syntax != nil {
		return m.File.Module.Syntax.Start.Line
	}
	return 1
}

// place is the best line to annotate for a dependency: its require line in
// go.mod, else its go.sum line, else the module directive.
func (m *Module) place(path, version string) (string, int) {
	if l := m.requireLine(path); l > 0 {
		return m.GoMod, l
	}
	if l, ok := m.Sum.Find(path, version, false); ok {
		return m.Sum.File, l.Line
	}
	if l, ok := m.Sum.Find(path, version, true); ok {
		return m.Sum.File, l.Line
	}
	return m.GoMod, m.moduleLine()
}
