package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
)

// FindShards expands the merge inputs: a manifest file, a directory holding
// manifest.json, or a directory whose subdirectories hold one each (as
// actions/download-artifact lays out several artifacts). Globs are expanded.
func FindShards(inputs []string) ([]string, error) {
	var dirs []string
	add := func(d string) {
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	for _, in := range inputs {
		matches, err := filepath.Glob(in)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", in, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("%s does not exist", in)
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				return nil, err
			}
			if !st.IsDir() {
				add(filepath.Dir(m))
				continue
			}
			if _, err := os.Stat(filepath.Join(m, manifest.FileName)); err == nil {
				add(m)
				continue
			}
			subs, _ := filepath.Glob(filepath.Join(m, "*", manifest.FileName))
			if len(subs) == 0 {
				return nil, fmt.Errorf("%s holds no %s, nor do its subdirectories", m, manifest.FileName)
			}
			for _, s := range subs {
				add(filepath.Dir(s))
			}
		}
	}
	return dirs, nil
}

func runMerge(ctx context.Context, a *gha.Action, c Config) error {
	dirs, err := FindShards(c.Inputs)
	if err != nil {
		return gha.Usagef("inputs", "%v", err)
	}
	end := a.Group(fmt.Sprintf("Verifying %d shards", len(dirs)))
	var shards []manifest.Shard
	for _, d := range dirs {
		m, err := manifest.Load(filepath.Join(d, manifest.FileName))
		if err != nil {
			end()
			return gha.Usagef("inputs", "%v", err)
		}
		if err := m.Verify(ctx, d); err != nil {
			end()
			return gha.Findingsf("shard %s does not match its manifest (a file changed between jobs): %v", gha.RelPath(c.Workspace, d), err)
		}
		a.Infof("%s: %d artifacts verified", gha.RelPath(c.Workspace, d), len(m.Artifacts))
		shards = append(shards, manifest.Shard{Source: gha.RelPath(c.Workspace, d), Manifest: m})
	}
	end()
	merged, err := manifest.Merge(shards...)
	if errors.Is(err, manifest.ErrConflict) {
		return gha.Findingsf("%v", err)
	} else if err != nil {
		return err
	}
	if err := os.MkdirAll(c.Dist, 0o755); err != nil {
		return err
	}
	for _, art := range merged.Artifacts {
		if err := copyArtifact(ctx, dirs, shards, art, c.Dist); err != nil {
			return err
		}
	}
	name := fmt.Sprintf("%s_%s_checksums.txt", merged.Project.Name, merged.Project.Version)
	if err := writeChecksumsFor(c.Dist, c.Checksums, name, merged.Project.Name, merged); err != nil {
		return err
	}
	if err := saveManifest(c.Dist, merged); err != nil {
		return err
	}
	if err := a.Summary(MergeSummary(merged, shards)); err != nil {
		return err
	}
	return setBuildOutputs(a, c, merged)
}

// copyArtifact copies an artifact from the shard that has it into dist,
// hashing while it copies so a file swapped after verification is caught.
func copyArtifact(ctx context.Context, dirs []string, shards []manifest.Shard, art manifest.Artifact, dist string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, s := range shards {
		if !slices.ContainsFunc(s.Manifest.Artifacts, func(x manifest.Artifact) bool { return x.Path == art.Path && x.SHA256 == art.SHA256 }) {
			continue
		}
		src := filepath.Join(dirs[i], filepath.FromSlash(art.Path))
		dst := filepath.Join(dist, filepath.FromSlash(art.Path))
		if src == dst {
			return nil
		}
		return copyVerified(src, dst, art.SHA256)
	}
	return fmt.Errorf("no shard holds %s", art.Path)
}

func copyVerified(src, dst, want string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := atomicfile.Create(dst, st.Mode().Perm())
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(out, h), in); err != nil {
		_ = out.Abort()
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		_ = out.Abort()
		return gha.Findingsf("%s changed while merging: sha256 %s, manifest says %s", src, got, want)
	}
	return out.Commit()
}
