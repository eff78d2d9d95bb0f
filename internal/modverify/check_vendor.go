package modverify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// maxVendorFindings bounds the per-file findings of one module's vendor/.
const maxVendorFindings = 50

// checkVendor compares vendor/ (when present) with a fresh `go mod vendor`.
func checkVendor(ctx context.Context, j *job, m *Module) ([]Finding, error) {
	vdir := filepath.Join(m.Dir, "vendor")
	if st, err := os.Stat(vdir); err != nil || !st.IsDir() {
		return nil, nil
	}
	fresh, err := os.MkdirTemp(j.tmp, "vendor-")
	if err != nil {
		return nil, err
	}
	fresh = filepath.Join(fresh, "vendor")
	env := withEnv(j.base, "GOWORK=off", "GOFLAGS="+modFlags(j.env.Value("GOFLAGS"), ""))
	if _, err := goCommand(ctx, j.d.Runner, m.Dir, env, "mod", "vendor", "-o", fresh); err != nil {
		return nil, fmt.Errorf("go mod vendor in %s: %w", m.Rel, err)
	}
	have, err := hashTree(vdir)
	if err != nil {
		return nil, err
	}
	want, err := hashTree(fresh)
	if err != nil {
		return nil, err
	}
	rel := func(p string) string { return path.Join(m.Rel, "vendor", p) }
	modtxt := rel("modules.txt")
	var out []Finding

	haveTxt, _ := os.ReadFile(filepath.Join(vdir, "modules.txt"))
	wantTxt, _ := os.ReadFile(filepath.Join(fresh, "modules.txt"))
	if !bytes.Equal(haveTxt, wantTxt) {
		line, got, exp := firstDiff(string(haveTxt), string(wantTxt))
		out = append(out, newFinding(RuleVendorModulesTxt, m, modtxt, line, "",
			"vendor/modules.txt differs from `go mod vendor` from line %d: has %q, want %q", line, got, exp).
			withFix("Run `go mod vendor` in `%s` and commit vendor/.", m.Rel))
	}
	owners := vendorOwners(string(haveTxt))
	var files []Finding
	for _, p := range sortedKeys(have, want) {
		if p == "modules.txt" {
			continue
		}
		h, inHave := have[p]
		w, inWant := want[p]
		switch {
		case inHave && inWant && h == w:
			continue
		case !inHave:
			files = append(files, newFinding(RuleVendorFiles, m, modtxt, owners.line(p), "vendor/"+p,
				"vendor/%s is missing: `go mod vendor` writes it", p))
		case !inWant:
			files = append(files, newFinding(RuleVendorFiles, m, rel(p), 1, "vendor/"+p,
				"vendor/%s is not part of any vendored module's content: `go mod vendor` would delete it", p))
		default:
			files = append(files, newFinding(RuleVendorFiles, m, rel(p), 1, "vendor/"+p,
				"vendor/%s differs from the module's content in the module cache (checked against go.sum)", p))
		}
	}
	if len(files) > maxVendorFindings {
		n := len(files) - maxVendorFindings
		files = append(files[:maxVendorFindings], newFinding(RuleVendorFiles, m, modtxt, 1, "",
			"and %d more vendored files differ", n))
	}
	for i := range files {
		files[i] = files[i].withFix("Run `go mod vendor` in `%s` and commit vendor/; carry local patches as a replace to a fork instead.", m.Rel)
	}
	return append(out, files...), nil
}

// hashTree maps every regular file under dir (slash paths) to its SHA-256.
func hashTree(dir string) (map[string][32]byte, error) {
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(r)] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	return out, nil
}

func sortedKeys(ms ...map[string][32]byte) []string {
	var keys []string
	for _, m := range ms {
		for k := range m {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// firstDiff returns the first line number where a and b differ and the two
// lines there.
func firstDiff(a, b string) (int, string, string) {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; ; i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y || (i >= len(al) && i >= len(bl)) {
			return i + 1, x, y
		}
	}
}

// vendorModules maps vendored package directories to the modules.txt line
// of their module.
type vendorModules []struct {
	path string
	line int
}

func vendorOwners(modulesTxt string) vendorModules {
	var vm vendorModules
	for i, l := range strings.Split(modulesTxt, "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "#" && !strings.HasPrefix(f[1], "#") {
			vm = append(vm, struct {
				path string
				line int
			}{f[1], i + 1})
		}
	}
	return vm
}

// line is the modules.txt line of the module owning vendored file p.
func (vm vendorModules) line(p string) int {
	best, line := "", 1
	for _, m := range vm {
		if (strings.HasPrefix(p, m.path+"/")) && len(m.path) > len(best) {
			best, line = m.path, m.line
		}
	}
	return line
}
