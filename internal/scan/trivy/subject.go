package trivy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aquasecurity/trivy/pkg/fanal/analyzer"
	"github.com/aquasecurity/trivy/pkg/fanal/artifact"
	artlocal "github.com/aquasecurity/trivy/pkg/fanal/artifact/local"
	"github.com/aquasecurity/trivy/pkg/fanal/walker"

	"github.com/slipway-dev/slipway/internal/scan"
)

// Scan scans one subject; an image index gives one result per platform.
func (b *Backend) Scan(ctx context.Context, s scan.Subject) ([]scan.Result, error) {
	switch s.Kind {
	case scan.KindBinary, scan.KindRootfs:
		r, err := b.scanPath(ctx, s.Path, analyzer.TypeLockfiles)
		if err != nil {
			return nil, err
		}
		return []scan.Result{convert(s, r)}, nil
	case scan.KindGoMod:
		return b.scanGoMod(ctx, s)
	case scan.KindImage:
		return b.scanImages(ctx, s)
	}
	return nil, fmt.Errorf("unknown subject kind %q", s.Kind)
}

// disabled are the analyzers no subject needs: secrets, misconfigurations,
// licence files (package licences come with the packages), and the ones
// Trivy itself disables by default.
func disabled(extra ...[]analyzer.Type) []analyzer.Type {
	d := []analyzer.Type{analyzer.TypeSecret, analyzer.TypeLicenseFile, analyzer.TypeExecutable, analyzer.TypeRpmArchive,
		analyzer.TypeApkCommand, analyzer.TypeHistoryDockerfile, analyzer.TypeSBOM}
	d = append(d, analyzer.TypeConfigFiles...)
	for _, e := range extra {
		d = append(d, e...)
	}
	return d
}

func artifactOption(extra ...[]analyzer.Type) artifact.Option {
	return artifact.Option{DisabledAnalyzers: disabled(extra...), NoProgress: true, Offline: true, Parallel: 2}
}

// scanPath scans a file or directory as `trivy rootfs` does (binaries, OS
// packages; lock files off) or, with analyzer.TypeIndividualPkgs off, as
// `trivy fs` does.
func (b *Backend) scanPath(ctx context.Context, path string, off []analyzer.Type) (reportT, error) {
	art, err := artlocal.NewArtifact(path, b.cache, walker.NewFS(), artifactOption(off))
	if err != nil {
		return reportT{}, fmt.Errorf("preparing %s: %w", path, err)
	}
	rep, err := b.run(ctx, art)
	if err != nil {
		return reportT{}, fmt.Errorf("scanning %s: %w", path, err)
	}
	return rep, nil
}

// scanGoMod scans a copy of go.mod and go.sum alone, so that the module's
// other files, nested modules and testdata are not mistaken for it.
func (b *Backend) scanGoMod(ctx context.Context, s scan.Subject) ([]scan.Result, error) {
	tmp, err := os.MkdirTemp(b.opts.TempDir, "gomod-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, f := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(s.Path, f))
		if os.IsNotExist(err) && f == "go.sum" {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(tmp, f), data, 0o644); err != nil {
			return nil, err
		}
	}
	r, err := b.scanPath(ctx, tmp, append(append([]analyzer.Type{}, analyzer.TypeIndividualPkgs...), analyzer.TypeOSes...))
	if err != nil {
		return nil, err
	}
	return []scan.Result{convert(s, r)}, nil
}
