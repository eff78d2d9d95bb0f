package trivy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/metadata"
	tdb "github.com/aquasecurity/trivy/pkg/db"
	ftypes "github.com/aquasecurity/trivy/pkg/fanal/types"
	"github.com/aquasecurity/trivy/pkg/oci"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/scan"
)

// dbMediaType is the media type of the DB layer, as Trivy publishes it.
const dbMediaType = "application/vnd.aquasec.trivy.db.layer.v1.tar+gzip"

// stateFile records, beside Trivy's metadata.json, where the cached DB came
// from and its manifest digest: Trivy does not keep the digest.
const stateFile = "slipway-db.json"

type dbState struct {
	Repository string `json:"repository"`
	Digest     string `json:"digest"`
}

// PrepareDB makes the DB in o.CacheDir/db ready and opens it:
//   - with db-digest, the cached DB is used when it is that digest, else
//     repository@digest is downloaded (a digest no repository has is a usage
//     error naming what the tag serves now);
//   - otherwise the cache is used until its NextUpdate, then the tag's
//     digest is asked for and the DB downloaded only when it changed;
//   - skip-db-update uses the cache as it is.
//
// Every repository is tried in order, each up to o.Attempts times with
// backoff on network errors; when none answers the error says so (never
// "0 vulnerabilities").
func (b *Backend) PrepareDB(ctx context.Context, o scan.DBOptions) (scan.DBInfo, error) {
	dir := tdb.Dir(o.CacheDir)
	st, meta, cached := readCache(dir)
	info := scan.DBInfo{Repository: st.Repository, Digest: st.Digest}
	switch {
	case o.SkipUpdate:
		if !cached {
			return info, gha.Usagef("skip-db-update", "there is no DB in %s to use: run once without skip-db-update (or restore the cache first)", o.CacheDir)
		}
		if o.Digest != "" && st.Digest != o.Digest {
			return info, gha.Usagef("db-digest", "the cached DB is %s, not the pinned %s, and skip-db-update forbids downloading it", orUnknown(st.Digest), o.Digest)
		}
	case o.Digest != "" && cached && st.Digest == o.Digest:
		// The pinned DB is in the cache: no network at all.
	case o.Digest != "":
		if err := b.download(ctx, o, dir, o.Digest); err != nil {
			return info, err
		}
	case cached && st.Digest != "" && b.opts.Now().Before(meta.NextUpdate):
		// Fresh enough, as Trivy decides.
	default:
		if err := b.download(ctx, o, dir, ""); err != nil {
			return info, err
		}
	}
	st, meta, cached = readCache(dir)
	if !cached {
		return info, fmt.Errorf("the vulnerability DB in %s is incomplete (trivy.db and metadata.json are needed)", dir)
	}
	if err := tdb.Init(dir); err != nil {
		return info, fmt.Errorf("opening the vulnerability DB in %s (is it corrupt? delete the directory to download it again): %w", dir, err)
	}
	b.dbOpen = true
	info = scan.DBInfo{Repository: st.Repository, Digest: st.Digest, UpdatedAt: meta.UpdatedAt, NextUpdate: meta.NextUpdate, Downloaded: b.downloaded}
	return info, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "of unknown digest"
	}
	return s
}

// readCache reads the state and metadata of the cached DB; ok is false when
// trivy.db or metadata.json is missing.
func readCache(dir string) (dbState, metadata.Metadata, bool) {
	var st dbState
	if b, err := os.ReadFile(filepath.Join(dir, stateFile)); err == nil {
		_ = json.Unmarshal(b, &st)
	}
	if _, err := os.Stat(filepath.Join(dir, "trivy.db")); err != nil {
		return st, metadata.Metadata{}, false
	}
	meta, err := metadata.NewClient(dir).Get()
	if err != nil {
		return st, metadata.Metadata{}, false
	}
	return st, meta, true
}

// download fetches the DB (the pinned digest, or the newest behind each
// repository's tag) into a fresh directory and swaps it in.
func (b *Backend) download(ctx context.Context, o scan.DBOptions, dir, digest string) error {
	var errs []string
	notFound := 0
	for _, repo := range o.Repositories {
		ref, err := name.ParseReference(repo)
		if err != nil {
			return gha.Usagef("db-repository", "%q: %v", repo, err)
		}
		target := ref.String()
		if digest != "" {
			target = ref.Context().Digest(digest).String()
		}
		st, _, cached := readCache(dir)
		var lastErr error
		for attempt := 1; attempt <= max(o.Attempts, 1); attempt++ {
			if attempt > 1 {
				wait := o.Backoff * time.Duration(1<<(attempt-2))
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(wait):
				}
			}
			art := oci.NewArtifact(target, ftypes.RegistryOptions{})
			got, err := art.Digest(ctx)
			if err == nil && digest == "" && cached && got == st.Digest {
				// The tag still serves the cached DB: nothing to download.
				return touchState(dir, dbState{Repository: repo, Digest: got})
			}
			if err == nil {
				err = b.fetch(ctx, art, dir, dbState{Repository: repo, Digest: got})
			}
			if err == nil {
				return nil
			}
			lastErr = err
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if isNotFound(err) {
				notFound++
				break
			}
			if !retryable(err) {
				break
			}
		}
		errs = append(errs, fmt.Sprintf("%s: %v", target, lastErr))
	}
	if digest != "" && notFound == len(o.Repositories) {
		return gha.Usagef("db-digest", "%s is not in %s: pin a digest the repository serves (the db-digest output of a run without db-digest)", digest, strings.Join(o.Repositories, ", "))
	}
	return fmt.Errorf("downloading the vulnerability DB: no repository served it after %d attempts each: %s", max(o.Attempts, 1), strings.Join(errs, "; "))
}

// fetch downloads and unpacks the DB layer into a temporary directory
// beside dir, checks it, and renames it into place.
func (b *Backend) fetch(ctx context.Context, art *oci.Artifact, dir string, st dbState) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".db-download-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := art.Download(ctx, tmp, oci.DownloadOption{MediaType: dbMediaType, Quiet: true}); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(tmp, "trivy.db")); err != nil {
		return fmt.Errorf("the DB artifact %s has no trivy.db: %w", st.Digest, errCorrupt)
	}
	meta, err := metadata.NewClient(tmp).Get()
	if err != nil {
		return fmt.Errorf("the DB artifact %s has no valid metadata.json (%v): %w", st.Digest, err, errCorrupt)
	}
	if meta.Version != tdb.SchemaVersion {
		return fmt.Errorf("the DB artifact %s has schema %d, this Trivy reads %d: %w", st.Digest, meta.Version, tdb.SchemaVersion, errCorrupt)
	}
	if err := tdb.Init(tmp); err != nil {
		return fmt.Errorf("the DB artifact %s does not open (%v): %w", st.Digest, err, errCorrupt)
	}
	if err := tdb.Close(); err != nil {
		return err
	}
	if err := touchState(tmp, st); err != nil {
		return err
	}
	old := dir + ".old"
	_ = os.RemoveAll(old)
	if _, err := os.Stat(dir); err == nil {
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	_ = os.RemoveAll(old)
	b.downloaded = true
	return nil
}

var errCorrupt = errors.New("corrupt vulnerability DB")

func touchState(dir string, st dbState) error {
	bs, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, stateFile), bs, 0o644)
}

func isNotFound(err error) bool {
	var te *transport.Error
	if errors.As(err, &te) {
		if te.StatusCode == http.StatusNotFound {
			return true
		}
		for _, d := range te.Errors {
			if d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode {
				return true
			}
		}
	}
	return false
}

// retryable is every error but a corrupt artifact, a missing one and an
// authorisation refusal: network errors, 5xx, 429.
func retryable(err error) bool {
	if errors.Is(err, errCorrupt) || isNotFound(err) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode >= 500 || te.StatusCode == http.StatusTooManyRequests || te.Temporary()
	}
	return true
}
