package modverify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"

	"github.com/slipway-dev/slipway/internal/build"
)

// cacheFile is the module cache's copy of a module version's zip (or, with
// mod, its go.mod): GOMODCACHE/cache/download/<path>/@v/<version>.zip.
func cacheFile(modcache, path, version string, mod bool) (string, error) {
	ep, err := module.EscapePath(path)
	if err != nil {
		return "", err
	}
	ev, err := module.EscapeVersion(version)
	if err != nil {
		return "", err
	}
	ext := ".zip"
	if mod {
		ext = ".mod"
	}
	return filepath.Join(modcache, "cache", "download", filepath.FromSlash(ep), "@v", ev+ext), nil
}

// hashCached computes the go.sum hash of the cached zip or go.mod.
func hashCached(file string, mod bool) (string, error) {
	if !mod {
		return dirhash.HashZip(file, dirhash.Hash1)
	}
	return dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) { return os.Open(file) })
}

// checkVerify compares every go.sum line with the module cache, downloading
// what is missing, then runs `go mod verify` for the extracted files.
func checkVerify(ctx context.Context, j *job, m *Module) ([]Finding, error) {
	if m.Sum == nil {
		if len(m.File.Require) == 0 {
			return nil, nil
		}
		return []Finding{newFinding(RuleGoSumMissing, m, m.GoMod, m.File.Require[0].Syntax.Start.Line, "",
			"%s requires %d modules but has no go.sum, so nothing pins their content", m.GoMod, len(m.File.Require)).
			withFix("Run `go mod tidy` in `%s` and commit go.sum.", m.Rel)}, nil
	}
	fs, err := verifySumFile(ctx, j, m, m.Sum)
	if err != nil {
		return nil, err
	}
	if m.goTooNew {
		return fs, nil
	}
	more, err := goModVerify(ctx, j, m)
	if err != nil {
		return nil, err
	}
	// go mod verify also stops at go.sum lines that do not match the cache
	// ("verifying m@v/go.mod: checksum mismatch"): those are reported once.
	reported := map[string]bool{}
	for _, f := range fs {
		reported[f.Subject] = true
	}
	for _, f := range more {
		if !reported[f.Subject] {
			fs = append(fs, f)
		}
	}
	return fs, nil
}

// verifySumFile checks the lines of one go.sum (or go.work.sum) against the
// module cache.
func verifySumFile(ctx context.Context, j *job, m *Module, sf *SumFile) ([]Finding, error) {
	var lines []SumLine
	for _, l := range sf.Lines {
		if strings.HasPrefix(l.Hash, "h1:") {
			lines = append(lines, l)
		}
	}
	unavailable, err := j.ensureCached(ctx, lines)
	if err != nil {
		return nil, err
	}
	// Hash the cached files concurrently; the findings keep go.sum order.
	got := make([]string, len(lines))
	errs := make([]error, len(lines))
	sem := make(chan struct{}, max(1, j.d.Concurrency))
	var wg sync.WaitGroup
	for i, l := range lines {
		if _, ok := unavailable[l.Key()]; ok {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			file, err := cacheFile(j.modcache, l.Path, l.Version, l.Mod)
			if err == nil {
				got[i], err = hashCached(file, l.Mod)
			}
			if err != nil {
				errs[i] = fmt.Errorf("hashing %s: %w", file, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var fs []Finding
	for i, l := range lines {
		if why, ok := unavailable[l.Key()]; ok {
			fs = append(fs, newFinding(RuleModuleUnavailable, m, sf.File, l.Line, l.Key(),
				"%s: cannot check this go.sum line: the module could not be downloaded: %s", l.Key(), why))
			continue
		}
		if got[i] == l.Hash {
			continue
		}
		rule, what := RuleGoSumZipMismatch, "zip"
		if l.Mod {
			rule, what = RuleGoSumModMismatch, "go.mod"
		}
		fs = append(fs, newFinding(rule, m, sf.File, l.Line, l.Key(),
			"%s %s: go.sum line %d (%q) has %s, but the module %s in the module cache hashes to %s",
			l.Path, l.Version, l.Line, l.Text(), l.Hash, what, got[i]))
	}
	return fs, nil
}

// ensureCached downloads the module versions of lines that are not in the
// module cache, outside any module (so that go.sum is not consulted and the
// download is checked against GOSUMDB as for a fresh module). It returns
// the lines whose files could not be had, with the reason.
func (j *job) ensureCached(ctx context.Context, lines []SumLine) (map[string]string, error) {
	var zips, mods []string
	seen := map[string]bool{}
	for _, l := range lines {
		file, err := cacheFile(j.modcache, l.Path, l.Version, l.Mod)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(file); err == nil || seen[l.Key()] {
			continue
		}
		seen[l.Key()] = true
		if l.Mod {
			mods = append(mods, l.Path+"@"+l.Version)
		} else {
			zips = append(zips, l.Path+"@"+l.Version)
		}
	}
	if len(zips)+len(mods) == 0 {
		return nil, nil
	}
	j.a.Infof("downloading %d module zips and %d go.mod files missing from the module cache", len(zips), len(mods))
	dir, err := os.MkdirTemp(j.tmp, "download-")
	if err != nil {
		return nil, err
	}
	env := withEnv(j.base, "GOWORK=off", "GOFLAGS="+modFlags(j.env.Value("GOFLAGS"), ""))
	// go mod download for zips; go list -m -e for go.mod-only lines, which
	// fetches .info and .mod but not the zip.
	for _, batch := range chunk(zips, 200) {
		if _, err := goCommand(ctx, j.d.Runner, dir, env, append([]string{"mod", "download", "-json"}, batch...)...); err != nil && !isExit(err) {
			return nil, fmt.Errorf("downloading modules: %w", err)
		}
	}
	for _, batch := range chunk(mods, 200) {
		if _, err := goCommand(ctx, j.d.Runner, dir, env, append([]string{"list", "-m", "-e", "-json"}, batch...)...); err != nil && !isExit(err) {
			return nil, fmt.Errorf("downloading go.mod files: %w", err)
		}
	}
	// Whatever is still missing could not be downloaded; ask once more per
	// version for the reason.
	missing := map[string]string{}
	for _, l := range lines {
		if !seen[l.Key()] {
			continue
		}
		file, _ := cacheFile(j.modcache, l.Path, l.Version, l.Mod)
		if _, err := os.Stat(file); err == nil {
			continue
		}
		_, err := goCommand(ctx, j.d.Runner, dir, env, "mod", "download", l.Path+"@"+l.Version)
		missing[l.Key()] = "unknown reason"
		var ee *build.ExitError
		if errors.As(err, &ee) {
			missing[l.Key()] = strings.TrimPrefix(firstLine(ee.Stderr), "go: ")
		}
	}
	return missing, nil
}

func isExit(err error) bool {
	var ee *build.ExitError
	return errors.As(err, &ee)
}

func chunk(s []string, n int) [][]string {
	var out [][]string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// verifyLine is a line of `go mod verify` output about one module's
// extracted files; mismatchLine one about a go.sum line it checked while
// loading the module graph.
var (
	verifyLine   = regexp.MustCompile(`^(\S+) (\S+): (.+)$`)
	mismatchLine = regexp.MustCompile(`^(?:go: )?verifying (\S+)@(\S+?)(/go\.mod)?: (.+)$`)
)

// goModVerify runs `go mod verify` and turns each module it reports into a
// finding on that module's go.sum line.
func goModVerify(ctx context.Context, j *job, m *Module) ([]Finding, error) {
	env := withEnv(j.base, "GOWORK=off", "GOFLAGS="+modFlags(j.env.Value("GOFLAGS"), "mod"))
	out, err := goCommand(ctx, j.d.Runner, m.Dir, env, "mod", "verify")
	if err == nil {
		return nil, nil
	}
	var ee *build.ExitError
	if !errors.As(err, &ee) {
		return nil, fmt.Errorf("go mod verify in %s: %w", m.Rel, err)
	}
	var fs []Finding
	sc := bufio.NewScanner(bytes.NewReader(slices.Concat(out, []byte("\n"), ee.Stderr)))
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if mm := mismatchLine.FindStringSubmatch(text); mm != nil {
			isMod := mm[3] != ""
			rule, key := RuleGoSumZipMismatch, mm[1]+"@"+mm[2]
			if isMod {
				rule, key = RuleGoSumModMismatch, key+"/go.mod"
			}
			file, line := m.Sum.File, 0
			if l, ok := m.Sum.Find(mm[1], mm[2], isMod); ok {
				line = l.Line
			}
			fs = append(fs, newFinding(rule, m, file, line, key, "go mod verify: verifying %s: %s", key, mm[4]))
			continue
		}
		mm := verifyLine.FindStringSubmatch(text)
		if mm == nil || mm[1] == "go" || module.CheckPath(mm[1]) != nil {
			continue
		}
		file, line := m.Sum.File, 0
		if l, ok := m.Sum.Find(mm[1], mm[2], false); ok {
			line = l.Line
		} else {
			file, line = m.place(mm[1], mm[2])
		}
		fs = append(fs, newFinding(RuleModuleFilesModified, m, file, line, mm[1]+"@"+mm[2],
			"go mod verify: %s %s: %s", mm[1], mm[2], mm[3]))
	}
	if len(fs) == 0 {
		return nil, fmt.Errorf("go mod verify in %s: %w", m.Rel, err)
	}
	return fs, nil
}

// decodeJSONStream decodes concatenated JSON values, as go list -json prints them.
func decodeJSONStream[T any](data []byte) ([]T, error) {
	var out []T
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var v T
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}
