package scan

import (
	"debug/buildinfo"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
)

// ErrNothingToScan means neither inputs nor dist named a subject.
var ErrNothingToScan = errors.New("nothing to scan")

// modulePath reads the module path of dir/go.mod, or "" when there is none.
func modulePath(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return ""
	}
	return modfile.ModulePath(b)
}

// Subjects lists what to scan: the paths and images inputs when given (and
// the module when module-dir is set), else the manifest's binaries, the
// images in dist/oci and the module.
func Subjects(c Config, m *manifest.Manifest) ([]Subject, error) {
	modPath := modulePath(c.ModuleDir)
	var subs []Subject
	if len(c.Paths) == 0 && len(c.Images) == 0 {
		if m != nil {
			for _, a := range m.ByKind(manifest.KindBinary) {
				p := filepath.Join(c.Dist, filepath.FromSlash(a.Path))
				if _, err := os.Stat(p); err != nil {
					return nil, gha.Usagef("dist", "the manifest lists %s but it is missing: rebuild or download the dist", a.Path)
				}
				subs = append(subs, Subject{Kind: KindBinary, Name: a.Name + " " + a.Platform(), Path: p, Location: rel(c.Workspace, p), Artifact: a.Path, Platform: a.Platform()})
			}
		}
		if oci := filepath.Join(c.Dist, "oci"); isLayout(oci) {
			r := rel(c.Workspace, oci)
			subs = append(subs, Subject{Kind: KindImage, Name: r, Path: oci, Location: r, Image: r})
		}
		if modPath != "" {
			subs = append(subs, gomodSubject(c, c.ModuleDir, modPath))
		}
		if len(subs) == 0 {
			return nil, gha.Usagef("paths", "%v: %s has no manifest with binaries and no oci/ layout, and module-dir %s has no go.mod; build first or give paths or images", ErrNothingToScan, rel(c.Workspace, c.Dist), rel(c.Workspace, c.ModuleDir))
		}
		return subs, nil
	}
	for _, p := range c.Paths {
		s, err := pathSubject(c, p)
		if err != nil {
			return nil, err
		}
		subs = append(subs, s)
	}
	for _, ref := range c.Images {
		subs = append(subs, Subject{Kind: KindImage, Name: ref, Ref: ref, Image: ref})
	}
	if c.ModuleDirSet && modPath != "" && !hasModule(subs, c.ModuleDir) {
		subs = append(subs, gomodSubject(c, c.ModuleDir, modPath))
	}
	return subs, nil
}

func hasModule(subs []Subject, dir string) bool {
	for _, s := range subs {
		if s.Kind == KindGoMod && s.Path == dir {
			return true
		}
	}
	return false
}

func gomodSubject(c Config, dir, modPath string) Subject {
	gm := filepath.Join(dir, "go.mod")
	return Subject{Kind: KindGoMod, Name: modPath + " (go.mod)", Path: dir, Location: rel(c.Workspace, gm)}
}

func pathSubject(c Config, p string) (Subject, error) {
	shown := rel(c.Workspace, p)
	fi, err := os.Stat(p)
	if err != nil {
		return Subject{}, gha.Usagef("paths", "%s does not exist", shown)
	}
	if fi.IsDir() {
		switch {
		case isLayout(p):
			return Subject{Kind: KindImage, Name: shown, Path: p, Location: shown, Image: shown}, nil
		case modulePath(p) != "":
			return gomodSubject(c, p, modulePath(p)), nil
		}
		return Subject{Kind: KindRootfs, Name: shown, Path: p, Location: shown}, nil
	}
	if filepath.Base(p) == "go.mod" {
		dir := filepath.Dir(p)
		mp := modulePath(dir)
		if mp == "" {
			return Subject{}, gha.Usagef("paths", "%s has no module line", shown)
		}
		return gomodSubject(c, dir, mp), nil
	}
	bi, err := buildinfo.ReadFile(p)
	if err != nil {
		return Subject{}, gha.Usagef("paths", "%s is not a Go binary, a directory or a go.mod file (%v)", shown, err)
	}
	platform := ""
	var goos, goarch string
	for _, s := range bi.Settings {
		switch s.Key {
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	if goos != "" && goarch != "" {
		platform = goos + "/" + goarch
	}
	name := filepath.Base(p)
	if platform != "" {
		name += " " + platform
	}
	s := Subject{Kind: KindBinary, Name: name, Path: p, Location: shown, Platform: platform}
	if r, err := filepath.Rel(c.Dist, p); err == nil && !strings.HasPrefix(r, "..") {
		s.Artifact = filepath.ToSlash(r)
	}
	return s, nil
}

// isLayout reports whether dir is an OCI image layout.
func isLayout(dir string) bool {
	_, err1 := os.Stat(filepath.Join(dir, "oci-layout"))
	_, err2 := os.Stat(filepath.Join(dir, "index.json"))
	return err1 == nil && err2 == nil
}

// slug turns a subject or image name into a file name.
func slug(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
	s = strings.Trim(s, "_.")
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	if s == "" {
		return "subject"
	}
	return s
}

func splitPlatform(p string) (goos, goarch, variant string) {
	parts := strings.SplitN(p, "/", 3)
	switch len(parts) {
	case 3:
		return parts[0], parts[1], parts[2]
	case 2:
		return parts[0], parts[1], ""
	}
	return "", "", ""
}
