package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/slipway-dev/slipway/internal/gha"
)

// githubServer implements the GitHub REST endpoints publish calls, as
// documented at https://docs.github.com/en/rest/releases: get a release by
// tag (GET /repos/{o}/{r}/releases/tags/{tag}), create a release (POST
// /repos/{o}/{r}/releases), list release assets (GET
// /repos/{o}/{r}/releases/{id}/assets), upload an asset (POST
// {upload_url}?name=, here on the same server) and delete an asset (DELETE
// /repos/{o}/{r}/releases/assets/{id}). The GitHub API cannot run here; this
// server keeps releases and assets in memory and checks the token.
type githubServer struct {
	mu      sync.Mutex
	srv     *httptest.Server
	release map[string]int64 // tag → id
	assets  map[int64]map[string]*ghAsset
	nextID  int64
	calls   []string
}

type ghAsset struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Size   int    `json:"size"`
	Digest string `json:"digest"`
	URL    string `json:"browser_download_url"`
	data   []byte
}

func newGitHubServer(t *testing.T, token string) *githubServer {
	g := &githubServer{release: map[string]int64{}, assets: map[int64]map[string]*ghAsset{}, nextID: 100}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.calls = append(g.calls, r.Method+" "+r.URL.Path)
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		p := strings.TrimPrefix(r.URL.Path, "/repos/owner/hello")
		var id int64
		switch {
		case r.Method == http.MethodGet && strings.HasPrefix(p, "/releases/tags/"):
			tag := strings.TrimPrefix(p, "/releases/tags/")
			rid, ok := g.release[tag]
			if !ok {
				http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
				return
			}
			g.writeRelease(w, http.StatusOK, tag, rid)
		case r.Method == http.MethodPost && p == "/releases":
			var body struct {
				TagName string `json:"tag_name"`
			}
			json.NewDecoder(r.Body).Decode(&body)
			g.nextID++
			g.release[body.TagName] = g.nextID
			g.assets[g.nextID] = map[string]*ghAsset{}
			g.writeRelease(w, http.StatusCreated, body.TagName, g.nextID)
		case r.Method == http.MethodGet && sscan(p, "/releases/%d/assets", &id):
			list := []*ghAsset{}
			for _, a := range g.assets[id] {
				list = append(list, a)
			}
			json.NewEncoder(w).Encode(list)
		case r.Method == http.MethodPost && sscan(p, "/uploads/%d/assets", &id):
			data, _ := io.ReadAll(r.Body)
			name := r.URL.Query().Get("name")
			if _, dup := g.assets[id][name]; dup {
				http.Error(w, `{"message":"Validation Failed","errors":[{"code":"already_exists"}]}`, http.StatusUnprocessableEntity)
				return
			}
			g.nextID++
			sum := sha256.Sum256(data)
			a := &ghAsset{ID: g.nextID, Name: name, Size: len(data), Digest: "sha256:" + hex.EncodeToString(sum[:]), URL: g.srv.URL + "/download/" + name, data: data}
			g.assets[id][name] = a
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(a)
		case r.Method == http.MethodDelete && sscan(p, "/releases/assets/%d", &id):
			for _, as := range g.assets {
				for n, a := range as {
					if a.ID == id {
						delete(as, n)
					}
				}
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func sscan(p, format string, id *int64) bool {
	n, err := fmt.Sscanf(p, format, id)
	return err == nil && n == 1 && fmt.Sprintf(format, *id) == p
}

func (g *githubServer) writeRelease(w http.ResponseWriter, code int, tag string, id int64) {
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"id": id, "tag_name": tag,
		"upload_url": fmt.Sprintf("%s/repos/owner/hello/uploads/%d/assets{?name,label}", g.srv.URL, id)})
}

// TestReleaseUpload creates the release of the tag and uploads the archives
// and checksums; a second run skips identical assets; a changed asset is an
// error unless replace-assets.
func TestReleaseUpload(t *testing.T) {
	t.Parallel()
	gh := newGitHubServer(t, "gh-token-xyz")
	ws := t.TempDir()
	writeDist(t, ws, "dist", fixtureProject("1.4.0", "refs/tags/v1.4.0"), amd64, arm64)
	env := map[string]string{"GITHUB_TOKEN": "gh-token-xyz", "GITHUB_REPOSITORY": "owner/hello", "GITHUB_API_URL": gh.srv.URL}
	r := runCLI(t, ws, nil, env, "--base", "scratch", "--release")
	r.mustCode(t, 0)
	rid := gh.release["v1.4.0"]
	if got := len(gh.assets[rid]); got != 3 {
		t.Fatalf("%d assets uploaded, want 2 archives and the checksums:\n%s", got, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "gh-token-xyz") {
		t.Error("the token was printed")
	}
	uploads := func() int {
		n := 0
		for _, c := range gh.calls {
			if strings.Contains(c, "/uploads/") {
				n++
			}
		}
		return n
	}
	before := uploads()
	runCLI(t, ws, nil, env, "--base", "scratch", "--release").mustCode(t, 0)
	if uploads() != before {
		t.Error("identical assets were uploaded again")
	}
	// A different asset of the same name.
	gh.mu.Lock()
	gh.assets[rid]["hello_1.4.0_checksums.txt"].Digest = "sha256:" + strings.Repeat("0", 64)
	gh.mu.Unlock()
	bad := runCLI(t, ws, nil, env, "--base", "scratch", "--release")
	bad.mustCode(t, gha.ExitFailure)
	if !strings.Contains(bad.stderr, "release v1.4.0 already has different assets: hello_1.4.0_checksums.txt") || !strings.Contains(bad.stderr, "replace-assets") {
		t.Errorf("different asset:\n%s", bad.stderr)
	}
	runCLI(t, ws, nil, env, "--base", "scratch", "--release", "--replace-assets").mustCode(t, 0)
	if uploads() != before+1 {
		t.Errorf("replace-assets uploaded %d assets, want 1", uploads()-before)
	}
	m := loadManifest(t, ws+"/dist")
	var pub []PublishedRecord
	json.Unmarshal(m.Published, &pub)
	if len(pub) != 3 || pub[0].Kind != PublishedReleaseAsset {
		t.Errorf("published: %+v", pub)
	}
}
