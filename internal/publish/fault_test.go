package publish

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// faultProxy is a reverse proxy on 127.0.0.1 in front of a registry that
// injects failures: fault decides, per request (numbered from 1 per kind of
// request), what to do instead of forwarding.
type faultProxy struct {
	mu     sync.Mutex
	counts map[string]int
	fault  func(kind string, n int, r *http.Request) string // "", "500", "503", "429", "reset", "stall", "reject-index"
	srv    *httptest.Server
	hits   map[string]int // faults injected, by fault
}

func newFaultProxy(t *testing.T, target string, fault func(kind string, n int, r *http.Request) string) *faultProxy {
	u, err := url.Parse("http://" + target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &faultProxy{counts: map[string]int{}, hits: map[string]int{}, fault: fault}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := r.Method + " " + requestKind(r.URL.Path)
		p.mu.Lock()
		p.counts[kind]++
		f := p.fault(kind, p.counts[kind], r)
		if f != "" {
			p.hits[f]++
		}
		p.mu.Unlock()
		switch f {
		case "500", "503":
			code := 500
			if f == "503" {
				code = 503
			}
			http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"injected"}]}`, code)
		case "429":
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`, http.StatusTooManyRequests)
		case "reset":
			io.CopyN(io.Discard, r.Body, 512)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case "stall":
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		case "reject-index":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid","detail":"unsupported media type application/vnd.oci.image.index.v1+json"}]}`)
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *faultProxy) host() string { return strings.TrimPrefix(p.srv.URL, "http://") }

// injected returns how many times fault f was injected. A request the client
// gave up on (publish cancels the others once one fails) can still reach the
// proxy after publish returned, hence the lock.
func (p *faultProxy) injected(f string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[f]
}

func requestKind(path string) string {
	switch {
	case strings.Contains(path, "/blobs/uploads"):
		return "upload"
	case strings.Contains(path, "/blobs/"):
		return "blob"
	case strings.Contains(path, "/manifests/"):
		return "manifest"
	case strings.Contains(path, "/tags/list"):
		return "tags"
	}
	return "other"
}

// assertNoPartialTags reads the registry directly (not through the proxy):
// every tag of repo must name an index whose platform manifests and their
// blobs all exist.
func assertNoPartialTags(t *testing.T, regHost, repo string) []string {
	t.Helper()
	r := mustRepo(t, regHost+"/"+repo)
	tags, err := remote.List(r)
	if err != nil && !strings.Contains(err.Error(), "NAME_UNKNOWN") {
		t.Fatal(err)
	}
	for _, tag := range tags {
		idx, err := remote.Index(r.Tag(tag))
		if err != nil {
			t.Fatalf("tag %s: %v", tag, err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range im.Manifests {
			img, err := remote.Image(r.Digest(d.Digest.String()))
			if err != nil {
				t.Fatalf("tag %s points at an index whose %s image %s is missing: %v", tag, d.Platform, d.Digest, err)
			}
			layers, err := img.Layers()
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range layers {
				h, _ := l.Digest()
				if _, err := remote.Layer(r.Digest(h.String())); err != nil {
					t.Fatalf("tag %s: blob %s missing: %v", tag, h, err)
				}
			}
		}
	}
	return tags
}

// TestFaultInjection pushes through a proxy that fails requests in the ways
// registries do. Transient faults are retried and the push succeeds; lasting
// ones fail with a clear error. In every case no tag points at an incomplete
// index, checked against the registry itself.
func TestFaultInjection(t *testing.T) {
	t.Parallel()
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	for _, tc := range []struct {
		name   string
		fault  func(kind string, n int, r *http.Request) string
		code   int
		stderr string // substring, failures only
		want   string // fault that must have been injected
	}{
		{name: "5xx on every third request", want: "503", code: 0, fault: func(kind string, n int, r *http.Request) string {
			if n%3 == 1 {
				return map[bool]string{true: "500", false: "503"}[n%2 == 0]
			}
			return ""
		}},
		{name: "429 with Retry-After", want: "429", code: 0, fault: func(kind string, n int, r *http.Request) string {
			if (kind == "HEAD blob" || kind == "PUT manifest") && n%2 == 1 {
				return "429"
			}
			return ""
		}},
		{name: "connection reset mid-blob", want: "reset", code: 0, fault: func(kind string, n int, r *http.Request) string {
			if (kind == "PATCH upload" || kind == "PUT upload") && r.ContentLength != 0 && n <= 2 {
				return "reset"
			}
			return ""
		}},
		{name: "stalled responses", want: "stall", code: 0, fault: func(kind string, n int, r *http.Request) string {
			if kind == "HEAD manifest" && n == 1 || kind == "PUT manifest" && n == 2 {
				return "stall"
			}
			return ""
		}},
		{name: "index push keeps failing", want: "500", code: gha.ExitFailure, stderr: "pushing the index to", fault: func(kind string, n int, r *http.Request) string {
			if kind == "PUT manifest" && strings.Contains(r.Header.Get("Content-Type"), "index") {
				return "500"
			}
			return ""
		}},
		{name: "blob uploads keep resetting", want: "reset", code: gha.ExitFailure, stderr: "pushing 2 images to", fault: func(kind string, n int, r *http.Request) string {
			if kind == "PATCH upload" || kind == "PUT upload" && r.ContentLength > 0 {
				return "reset"
			}
			return ""
		}},
		{name: "index media type rejected", want: "reject-index", code: gha.ExitFailure, stderr: "registry rejected the image index", fault: func(kind string, n int, r *http.Request) string {
			if kind == "PUT manifest" && strings.Contains(r.Header.Get("Content-Type"), "index") {
				return "reject-index"
			}
			return ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			proxy := newFaultProxy(t, reg.Addr, tc.fault)
			repo := "fault/" + strings.ToLower(strings.ReplaceAll(tc.name, " ", "-"))
			ws := t.TempDir()
			writeDist(t, ws, "dist", fixtureProject("1.0.0", "refs/tags/v1.0.0"), amd64, arm64)
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.ResponseHeaderTimeout = 300 * time.Millisecond
			r := runCLI(t, ws, tr, nil, "--repository", proxy.host()+"/"+repo, "--base", "scratch")
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.code, r.stderr)
			}
			if tc.stderr != "" && !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.stderr)
			}
			if proxy.injected(tc.want) == 0 {
				t.Errorf("the proxy never injected %s", tc.want)
			}
			tags := assertNoPartialTags(t, reg.Host, repo)
			if tc.code != 0 && len(tags) > 0 {
				t.Errorf("a failed push left tags %v", tags)
			}
			if tc.code == 0 && len(tags) != 5 {
				t.Errorf("tags after a successful push: %v", tags)
			}
		})
	}
}
