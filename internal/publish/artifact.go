package publish

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/oci"
)

// artifactMediaType is the layer media type of a release file by kind.
func artifactMediaType(a manifest.Artifact) string {
	switch a.Kind {
	case manifest.KindBinary:
		return oci.MediaTypeBinary
	case manifest.KindArchive:
		if strings.HasSuffix(a.Path, ".zip") {
			return oci.MediaTypeArchiveZip
		}
		return oci.MediaTypeArchiveTar
	case manifest.KindChecksums:
		return oci.MediaTypeChecksums
	}
	return oci.MediaTypeFile
}

// pushArtifact pushes the binaries, archives and checksums as one OCI
// artifact to artifacts-repository, tagged like the images (or by version
// alone when no tags were computed).
func (r *run) pushArtifact(ctx context.Context, m *manifest.Manifest, tags []string) ([]PublishedRecord, error) {
	var files []oci.ArtifactFile
	for _, a := range m.Artifacts {
		switch a.Kind {
		case manifest.KindBinary, manifest.KindArchive, manifest.KindChecksums:
			files = append(files, oci.ArtifactFile{Title: a.Path, Source: filepath.Join(r.c.Dist, filepath.FromSlash(a.Path)), MediaType: artifactMediaType(a)})
		}
	}
	created, err := createdTime(r.a, m)
	if err != nil {
		return nil, err
	}
	art, err := oci.NewArtifact(files, metadata(r.a, m, created))
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		if t := refNameFor(m); t != "latest" {
			tags = []string{t}
		}
	}
	end := r.a.Group("Pushing the release artifact to " + r.c.ArtifactsRepo)
	err = r.client.PushArtifact(ctx, r.c.ArtifactsRepo, art, tags)
	end()
	if err != nil {
		return nil, r.registryError("artifacts-repository", err)
	}
	pub := []PublishedRecord{{Ref: r.c.ArtifactsRepo + "@" + art.Digest, Digest: art.Digest, Kind: PublishedArtifact}}
	for _, t := range tags {
		pub = append(pub, PublishedRecord{Ref: r.c.ArtifactsRepo + ":" + t, Digest: art.Digest, Kind: PublishedArtifact})
	}
	return pub, nil
}
