package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/oci"
)

// ReleaseClient is a small client of the GitHub REST API's release
// endpoints: get a release by tag, create one, list, upload and delete its
// assets (https://docs.github.com/en/rest/releases).
type ReleaseClient struct {
	APIURL string // GITHUB_API_URL, e.g. https://api.github.com
	Token  string
	Repo   string // owner/name
	HTTP   *http.Client
	Retry  oci.RetryPolicy
}

// Release is the part of a GitHub release the client uses.
type Release struct {
	ID        int64  `json:"id"`
	TagName   string `json:"tag_name"`
	UploadURL string `json:"upload_url"`
	HTMLURL   string `json:"html_url"`
}

// Asset is a release asset.
type Asset struct {
	ID                 int64  `json:"id"`
	Name               string `json:"name"`
	Size               int64  `json:"size"`
	Digest             string `json:"digest"` // sha256:<hex>; older assets may lack it
	BrowserDownloadURL string `json:"browser_download_url"`
	URL                string `json:"url"`
}

// apiError is a GitHub API answer other than the expected one.
type apiError struct {
	method, url string
	status      int
	message     string
}

func (e *apiError) Error() string {
	msg := e.message
	if msg != "" {
		msg = ": " + msg
	}
	return fmt.Sprintf("GitHub API %s %s: %d %s%s", e.method, e.url, e.status, http.StatusText(e.status), msg)
}

// do sends a request, retrying 5xx, 429 and broken connections with bounded
// backoff; body is re-created for each try. out (if not nil) receives the
// JSON answer of a status in want.
func (rc *ReleaseClient) do(ctx context.Context, method, u string, body func() (io.Reader, int64, error), contentType string, out any, want ...int) (int, error) {
	p := rc.Retry
	if p.Attempts <= 0 {
		p.Attempts = 4
	}
	if p.Base <= 0 {
		p.Base = 500 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Second
	}
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		var n int64 = -1
		if body != nil {
			var err error
			if rd, n, err = body(); err != nil {
				return 0, err
			}
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return 0, err
		}
		if n >= 0 {
			req.ContentLength = n
		}
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		req.Header.Set("Authorization", "Bearer "+rc.Token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := rc.HTTP.Do(req)
		transient := err != nil && ctx.Err() == nil
		if err == nil {
			transient = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
		}
		if transient && attempt+1 < p.Attempts {
			wait := p.Base << attempt
			if resp != nil {
				if s := resp.Header.Get("Retry-After"); s != "" {
					var secs int
					if _, e := fmt.Sscanf(s, "%d", &secs); e == nil {
						wait = time.Duration(secs) * time.Second
					}
				}
				io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
				resp.Body.Close()
			}
			wait = min(wait, p.Max)
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(wait):
			}
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("GitHub API %s %s: %w", method, u, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		if err != nil {
			return resp.StatusCode, fmt.Errorf("GitHub API %s %s: %w", method, u, err)
		}
		for _, w := range want {
			if resp.StatusCode == w {
				if out != nil && len(b) > 0 {
					if err := json.Unmarshal(b, out); err != nil {
						return resp.StatusCode, fmt.Errorf("GitHub API %s %s: %w", method, u, err)
					}
				}
				return resp.StatusCode, nil
			}
		}
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		return resp.StatusCode, &apiError{method: method, url: u, status: resp.StatusCode, message: e.Message}
	}
}

func (rc *ReleaseClient) api(p string) string {
	return strings.TrimSuffix(rc.APIURL, "/") + "/repos/" + rc.Repo + p
}

// ReleaseByTag returns the release of tag, creating it when there is none.
func (rc *ReleaseClient) ReleaseByTag(ctx context.Context, tag string, prerelease bool) (*Release, bool, error) {
	var rel Release
	code, err := rc.do(ctx, http.MethodGet, rc.api("/releases/tags/"+url.PathEscape(tag)), nil, "", &rel, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return nil, false, err
	}
	if code == http.StatusOK {
		return &rel, false, nil
	}
	body, _ := json.Marshal(map[string]any{"tag_name": tag, "name": tag, "prerelease": prerelease})
	if _, err := rc.do(ctx, http.MethodPost, rc.api("/releases"), bytesBody(body), "application/json", &rel, http.StatusCreated); err != nil {
		return nil, false, err
	}
	return &rel, true, nil
}

// Assets lists every asset of a release, following pages.
func (rc *ReleaseClient) Assets(ctx context.Context, id int64) ([]Asset, error) {
	var all []Asset
	for page := 1; ; page++ {
		var batch []Asset
		u := rc.api(fmt.Sprintf("/releases/%d/assets?per_page=100&page=%d", id, page))
		if _, err := rc.do(ctx, http.MethodGet, u, nil, "", &batch, http.StatusOK); err != nil {
			return nil, err
		}
		all = append(all, batch...)
		if len(batch) < 100 {
			return all, nil
		}
	}
}

// DeleteAsset deletes an asset.
func (rc *ReleaseClient) DeleteAsset(ctx context.Context, id int64) error {
	_, err := rc.do(ctx, http.MethodDelete, rc.api(fmt.Sprintf("/releases/assets/%d", id)), nil, "", nil, http.StatusNoContent, http.StatusNotFound)
	return err
}

// AssetSHA256 returns an asset's sha256: its digest field, else by
// downloading it.
func (rc *ReleaseClient) AssetSHA256(ctx context.Context, a Asset) (string, error) {
	if h, ok := strings.CutPrefix(a.Digest, "sha256:"); ok {
		return h, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rc.api(fmt.Sprintf("/releases/assets/%d", a.ID)), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+rc.Token)
	resp, err := rc.HTTP.Do(req)
	if err != nil {
		return "", fmt.Errorf("downloading asset %s: %w", a.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", &apiError{method: http.MethodGet, url: req.URL.String(), status: resp.StatusCode}
	}
	h := sha256.New()
	if _, err := io.Copy(h, resp.Body); err != nil {
		return "", fmt.Errorf("downloading asset %s: %w", a.Name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Upload uploads a file as an asset named name.
func (rc *ReleaseClient) Upload(ctx context.Context, rel *Release, name, file string) (*Asset, error) {
	base, _, _ := strings.Cut(rel.UploadURL, "{")
	u := base + "?name=" + url.QueryEscape(name)
	var a Asset
	body := func() (io.Reader, int64, error) {
		b, err := os.ReadFile(file)
		return bytes.NewReader(b), int64(len(b)), err
	}
	if _, err := rc.do(ctx, http.MethodPost, u, body, "application/octet-stream", &a, http.StatusCreated); err != nil {
		return nil, err
	}
	return &a, nil
}

func bytesBody(b []byte) func() (io.Reader, int64, error) {
	return func() (io.Reader, int64, error) { return bytes.NewReader(b), int64(len(b)), nil }
}

// releaseFiles are the manifest's files for a release: everything but the
// bare binaries and publish's own layout entry (archives, checksums, and
// whatever sign and scan added: signatures, SBOMs).
func releaseFiles(m *manifest.Manifest) []manifest.Artifact {
	var out []manifest.Artifact
	for _, a := range m.Artifacts {
		if a.Kind == manifest.KindBinary || a.Kind == KindOCILayout {
			continue
		}
		out = append(out, a)
	}
	return out
}

// releaseTag is the git tag of the release: the manifest's ref, else
// GITHUB_REF, else v<version>.
func releaseTag(a *gha.Action, m *manifest.Manifest) string {
	for _, ref := range []string{m.Project.Ref, a.GitHub().Ref} {
		if t, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
			return t
		}
	}
	return "v" + strings.TrimPrefix(m.Project.Version, "v")
}

// releaseClient checks what a release upload needs and returns its client.
func (r *run) releaseClient(m *manifest.Manifest) (*ReleaseClient, error) {
	a := r.a
	token, repo := a.Getenv("GITHUB_TOKEN"), a.Getenv("GITHUB_REPOSITORY")
	if token == "" {
		return nil, gha.Usagef("release", "uploading to a GitHub Release needs GITHUB_TOKEN (with contents: write) in the environment")
	}
	if repo == "" {
		return nil, gha.Usagef("release", "uploading to a GitHub Release needs GITHUB_REPOSITORY (owner/name) in the environment")
	}
	if !oci.IsRelease(m.Project.Version) {
		return nil, gha.Usagef("release", "version %s is not a release version: releases are made from semver tags", m.Project.Version)
	}
	apiURL := a.Getenv("GITHUB_API_URL")
	if apiURL == "" {
		apiURL = "https://api.github.com"
	}
	return &ReleaseClient{APIURL: apiURL, Token: token, Repo: repo, HTTP: &http.Client{Transport: r.d.Transport}, Retry: r.d.Retry}, nil
}

// uploadRelease uploads the release files to the GitHub Release of the tag.
// An identical asset is skipped; a different one is an error unless
// replace-assets.
func (r *run) uploadRelease(ctx context.Context, m *manifest.Manifest) ([]PublishedRecord, error) {
	a := r.a
	rc, err := r.releaseClient(m)
	if err != nil {
		return nil, err
	}
	tag := releaseTag(a, m)
	end := a.Group("Uploading to the GitHub Release " + tag)
	defer end()
	rel, created, err := rc.ReleaseByTag(ctx, tag, strings.Contains(strings.TrimPrefix(m.Project.Version, "v"), "-"))
	if err != nil {
		return nil, err
	}
	if created {
		a.Infof("created release %s", tag)
	}
	assets, err := rc.Assets(ctx, rel.ID)
	if err != nil {
		return nil, err
	}
	byName := map[string]Asset{}
	for _, as := range assets {
		byName[as.Name] = as
	}
	var pub []PublishedRecord
	var conflicts []string
	for _, f := range releaseFiles(m) {
		name := path.Base(f.Path)
		src := filepath.Join(r.c.Dist, filepath.FromSlash(f.Path))
		if old, ok := byName[name]; ok {
			sum, err := rc.AssetSHA256(ctx, old)
			if err != nil {
				return nil, err
			}
			if sum == f.SHA256 {
				a.Infof("%s: already uploaded, identical", name)
				pub = append(pub, PublishedRecord{Ref: old.BrowserDownloadURL, Digest: "sha256:" + f.SHA256, Kind: PublishedReleaseAsset, Name: name})
				continue
			}
			if !r.c.ReplaceAssets {
				conflicts = append(conflicts, fmt.Sprintf("%s (release has sha256 %s, dist has %s)", name, sum, f.SHA256))
				continue
			}
			if err := rc.DeleteAsset(ctx, old.ID); err != nil {
				return nil, err
			}
			a.Infof("%s: replacing the different asset", name)
		}
		up, err := rc.Upload(ctx, rel, name, src)
		if err != nil {
			return nil, err
		}
		a.Infof("%s: uploaded", name)
		pub = append(pub, PublishedRecord{Ref: up.BrowserDownloadURL, Digest: "sha256:" + f.SHA256, Kind: PublishedReleaseAsset, Name: name})
	}
	if len(conflicts) > 0 {
		return nil, errors.New("release " + tag + " already has different assets: " + strings.Join(conflicts, "; ") + "; set replace-assets: true to replace them")
	}
	return pub, nil
}
