package modverify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/note"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/internal/retry"
)

// DefaultSumDB is the checksum database the go command uses by default.
const DefaultSumDB = "sum.golang.org"

// knownSumDBKeys are the verifier keys the go command knows by name.
var knownSumDBKeys = map[string]string{
	"sum.golang.org": "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
}

// SumDBConfig is a checksum database: its name, verifier key and URL.
type SumDBConfig struct {
	Name string // "sum.golang.org"
	Key  string // the note verifier key, "name+hash+key"
	URL  string // base URL, no trailing slash
	// ExplicitURL is set when the URL was given; otherwise the database is
	// first looked for behind the GOPROXY proxies, as the go command does.
	ExplicitURL bool
}

// ParseGOSUMDB parses a GOSUMDB value: "name", "name+key" (the whole
// verifier key) or either followed by a URL. Only sum.golang.org (and its
// mirror name sum.golang.google.cn) may be given without a key. "off" is
// not a database.
func ParseGOSUMDB(s string) (SumDBConfig, error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return SumDBConfig{}, fmt.Errorf("%q is not a checksum database: want name, name+key or name+key URL, as GOSUMDB takes", s)
	}
	if f[0] == "off" {
		return SumDBConfig{}, errors.New(`"off" is not a checksum database: give one (sum.golang.org, or name+key URL)`)
	}
	var c SumDBConfig
	switch {
	case f[0] == "sum.golang.google.cn":
		c = SumDBConfig{Name: DefaultSumDB, Key: knownSumDBKeys[DefaultSumDB], URL: "https://sum.golang.google.cn", ExplicitURL: true}
	case knownSumDBKeys[f[0]] != "":
		c = SumDBConfig{Name: f[0], Key: knownSumDBKeys[f[0]], URL: "https://" + f[0]}
	case !strings.Contains(f[0], "+"):
		return SumDBConfig{}, fmt.Errorf("%q: a checksum database other than sum.golang.org needs its verifier key: name+hash+key [URL]", s)
	default:
		v, err := note.NewVerifier(f[0])
		if err != nil {
			return SumDBConfig{}, fmt.Errorf("%q: invalid verifier key: %v", s, err)
		}
		c = SumDBConfig{Name: v.Name(), Key: f[0], URL: "https://" + v.Name()}
	}
	if len(f) == 2 {
		u, err := url.Parse(f[1])
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return SumDBConfig{}, fmt.Errorf("%q: %q is not an http(s) URL", s, f[1])
		}
		c.URL, c.ExplicitURL = f[1], true
	}
	c.URL = strings.TrimSuffix(c.URL, "/")
	return c, nil
}

// RetryPolicy bounds the retries of the checksum database's requests
// (Slipway's one retry policy: tries, exponential backoff, Retry-After cap).
type RetryPolicy = retry.Policy

// errNotFound is a 404 or 410 from the database: it does not have the
// module version.
var errNotFound = errors.New("not found")

// sumdbOps implements sumdb.ClientOps over HTTP with a directory cache.
// sumdb.ClientOps has no context parameter, so the operations carry the
// context of the one check run they serve; an ops value lives no longer.
type sumdbOps struct {
	ctx    context.Context
	db     SumDBConfig
	client *http.Client
	dir    string // cache directory
	retry  RetryPolicy
	log    func(string)

	configMu sync.Mutex // serialises WriteConfig's compare-and-swap
	remote   atomic.Int64
	security atomic.Pointer[string]
	failures sync.Map // remote path → error
}

func (o *sumdbOps) ReadRemote(path string) ([]byte, error) {
	o.remote.Add(1)
	data, err := o.fetch(path)
	if err != nil {
		o.failures.Store(path, err)
	}
	return data, err
}

// fetch GETs the path, retrying transport errors, 429 and 5xx with backoff.
func (o *sumdbOps) fetch(path string) ([]byte, error) {
	target := o.db.URL + path
	p := o.retry.WithDefaults()
	for attempt := 1; ; attempt++ {
		data, again, err := o.get(target)
		if err == nil || !again {
			return data, err
		}
		if attempt >= p.Attempts {
			return nil, fmt.Errorf("%w (%d attempts)", err, attempt)
		}
		if err := retry.Sleep(o.ctx, p.Backoff(attempt-1)); err != nil {
			return nil, err
		}
	}
}

func (o *sumdbOps) get(target string) (data []byte, again bool, err error) {
	req, err := http.NewRequestWithContext(o.ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return nil, o.ctx.Err() == nil, fmt.Errorf("GET %s: %w", target, err)
	}
	defer resp.Body.Close()
	const limit = 16 << 20
	data, err = io.ReadAll(io.LimitReader(resp.Body, limit))
	switch {
	case err != nil:
		return nil, true, fmt.Errorf("GET %s: reading the body: %w", target, err)
	case resp.StatusCode == http.StatusOK:
		return data, false, nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, false, fmt.Errorf("GET %s: %s: %s: %w", target, resp.Status, firstLine(data), errNotFound)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, true, fmt.Errorf("GET %s: %s", target, resp.Status)
	}
	return nil, false, fmt.Errorf("GET %s: %s: %s", target, resp.Status, firstLine(data))
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func (o *sumdbOps) ReadConfig(file string) ([]byte, error) {
	if file == "key" {
		return []byte(o.db.Key), nil
	}
	p, err := o.path(file)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // start from the empty tree
	}
	return data, err
}

func (o *sumdbOps) WriteConfig(file string, old, new []byte) error {
	p, err := o.path(file)
	if err != nil {
		return err
	}
	o.configMu.Lock()
	defer o.configMu.Unlock()
	cur, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if !bytes.Equal(cur, old) {
		return sumdb.ErrWriteConflict
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(p, new, 0o644)
}

func (o *sumdbOps) ReadCache(file string) ([]byte, error) {
	p, err := o.path(file)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

func (o *sumdbOps) WriteCache(file string, data []byte) {
	p, err := o.path(file)
	if err == nil {
		if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
			err = atomicfile.Write(p, data, 0o644)
		}
	}
	if err != nil {
		o.log(fmt.Sprintf("sumdb cache: %v", err)) // a cache that cannot be written costs time, not correctness
	}
}

func (o *sumdbOps) Log(msg string) { o.log(msg) }

func (o *sumdbOps) SecurityError(msg string) { o.security.CompareAndSwap(nil, &msg) }

// path maps a cache or config file name onto the cache directory.
func (o *sumdbOps) path(file string) (string, error) {
	p := filepath.FromSlash(file)
	if !filepath.IsLocal(p) {
		return "", fmt.Errorf("sumdb cache: %q is not a local file name", file)
	}
	return filepath.Join(o.dir, p), nil
}

// failure returns the error the last fetch of the remote path ended with.
func (o *sumdbOps) failure(path string) error {
	if v, ok := o.failures.Load(path); ok {
		return v.(error)
	}
	return nil
}

// proxiedURL finds the database behind a GOPROXY proxy that supports
// proxying it (<proxy>/sumdb/<name>/supported answers 200), as the go
// command does; without one it returns the database's own URL.
func (o *sumdbOps) proxiedURL(goproxy string) string {
	if o.db.ExplicitURL {
		return o.db.URL
	}
	for _, p := range strings.FieldsFunc(goproxy, func(r rune) bool { return r == ',' || r == '|' }) {
		if !strings.HasPrefix(p, "https://") && !strings.HasPrefix(p, "http://") {
			continue // direct, off, file://
		}
		base := strings.TrimSuffix(p, "/") + "/sumdb/" + o.db.Name
		_, retry, err := o.get(base + "/supported")
		if err == nil {
			return base
		}
		o.log(fmt.Sprintf("proxy %s does not serve %s (retryable: %v): %v", p, o.db.Name, retry, err))
	}
	return o.db.URL
}
