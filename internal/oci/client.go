package oci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/slipway-dev/slipway/internal/retry"
)

// ClientOptions configure a Client.
type ClientOptions struct {
	Auth      *Auth             // nil: anonymous
	Transport http.RoundTripper // nil: a clone of http.DefaultTransport
	Jobs      int               // concurrent blob uploads; 0 means 4
	Retry     RetryPolicy
	UserAgent string
}

// Client talks to registries. It is safe for concurrent use.
//
// Its registry calls share one remote.Puller and one remote.Pusher, which keep
// an authenticated transport per repository (per scope): the registry is
// pinged and a token fetched once per repository and run, not once per call.
type Client struct {
	opts  ClientOptions
	rt    *retryTransport
	stats *Stats

	once   sync.Once
	pusher *remote.Pusher
	puller *remote.Puller
	err    error
}

// Stats counts what a Client sent, for the summary and the benchmark.
type Stats struct {
	BlobsUploaded atomic.Int64 // blob uploads committed
	BlobsSkipped  atomic.Int64 // blobs the registry already had (HEAD 200)
	ManifestsPut  atomic.Int64
	Retries       atomic.Int64
	BytesUploaded atomic.Int64
}

// NewClient returns a Client.
func NewClient(o ClientOptions) *Client {
	if o.Transport == nil {
		o.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if o.Jobs <= 0 {
		o.Jobs = 4
	}
	o.Retry = o.Retry.WithDefaults()
	s := &Stats{}
	return &Client{opts: o, stats: s, rt: &retryTransport{inner: o.Transport, policy: o.Retry, stats: s}}
}

// Stats returns the Client's counters.
func (c *Client) Stats() *Stats { return c.stats }

// options are for a one-off remote.* call: it builds its own authenticated
// transport (a ping, perhaps a token) each time. Calls made often go through
// c.remotes() instead (get, head, readBack, Tags, the pushes).
func (c *Client) options(ctx context.Context) []remote.Option {
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(c.rt),
		remote.WithJobs(c.opts.Jobs),
		// Status codes are retried (with Retry-After) by c.rt; gcr's layer
		// only retries whole blob uploads and network errors, with our backoff.
		remote.WithRetryStatusCodes(),
		remote.WithRetryBackoff(remote.Backoff{Duration: c.opts.Retry.Base, Factor: 2, Jitter: 0.1, Steps: c.opts.Retry.Attempts, Cap: c.opts.Retry.Max}),
		remote.WithRetryPredicate(func(err error) bool { return ctx.Err() == nil && retryableError(err) }),
	}
	if c.opts.UserAgent != "" {
		opts = append(opts, remote.WithUserAgent(c.opts.UserAgent))
	}
	if c.opts.Auth != nil {
		opts = append(opts, remote.WithAuthFromKeychain(c.opts.Auth))
	} else {
		opts = append(opts, remote.WithAuth(authn.Anonymous))
	}
	return opts
}

// remotes returns the Client's shared puller and pusher, made on first use.
// Their options are fixed then, so they hold nothing of one call: the retry
// predicate looks at the error alone (a cancelled or expired context is never
// retried) and each call passes its own context.
func (c *Client) remotes() (*remote.Puller, *remote.Pusher, error) {
	c.once.Do(func() {
		opts := []remote.Option{
			remote.WithTransport(c.rt),
			remote.WithJobs(c.opts.Jobs),
			remote.WithRetryStatusCodes(),
			remote.WithRetryBackoff(remote.Backoff{Duration: c.opts.Retry.Base, Factor: 2, Jitter: 0.1, Steps: c.opts.Retry.Attempts, Cap: c.opts.Retry.Max}),
			remote.WithRetryPredicate(func(err error) bool { return !contextEnded(err) && retryableError(err) }),
		}
		if c.opts.UserAgent != "" {
			opts = append(opts, remote.WithUserAgent(c.opts.UserAgent))
		}
		if c.opts.Auth != nil {
			opts = append(opts, remote.WithAuthFromKeychain(c.opts.Auth))
		} else {
			opts = append(opts, remote.WithAuth(authn.Anonymous))
		}
		if c.puller, c.err = remote.NewPuller(opts...); c.err != nil {
			return
		}
		c.pusher, c.err = remote.NewPusher(opts...)
	})
	return c.puller, c.pusher, c.err
}

// contextEnded reports whether err is a request's context ending (cancelled
// or past its deadline) rather than a network failure. A response-header
// timeout also matches context.DeadlineExceeded with errors.Is, but it is
// another value, so the chain is searched for the sentinels themselves.
func contextEnded(err error) bool {
	for err != nil {
		if err == context.Canceled || err == context.DeadlineExceeded {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if contextEnded(e) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// get fetches a manifest descriptor.
func (c *Client) get(ctx context.Context, r name.Reference) (*remote.Descriptor, error) {
	puller, _, err := c.remotes()
	if err != nil {
		return nil, err
	}
	d, err := puller.Get(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", r, c.explain(r, r.Context(), err))
	}
	return d, nil
}

// Descriptor describes a manifest in a registry or a layout.
type Descriptor struct {
	MediaType string   `json:"mediaType"`
	Digest    string   `json:"digest"`
	Size      int64    `json:"size"`
	Platform  Platform `json:"platform"`
}

// Head returns the descriptor of ref (repo:tag or repo@digest) without
// fetching the manifest body. A missing manifest wraps ErrNotFound.
func (c *Client) Head(ctx context.Context, ref string) (Descriptor, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return Descriptor{}, fmt.Errorf("%q is not an image reference: %w", ref, err)
	}
	d, err := c.head(ctx, r)
	if err != nil {
		return Descriptor{}, fmt.Errorf("reading %s: %w", ref, c.explain(r, r.Context(), err))
	}
	return Descriptor{MediaType: string(d.MediaType), Digest: d.Digest.String(), Size: d.Size}, nil
}

// head is a HEAD of a manifest through the shared puller.
func (c *Client) head(ctx context.Context, r name.Reference) (*v1.Descriptor, error) {
	puller, _, err := c.remotes()
	if err != nil {
		return nil, err
	}
	return puller.Head(ctx, r)
}

// Tags lists the tags of a repository; a repository that does not exist yet
// has none.
func (c *Client) Tags(ctx context.Context, repo string) ([]string, error) {
	r, err := name.NewRepository(repo)
	if err != nil {
		return nil, fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	puller, _, err := c.remotes()
	if err != nil {
		return nil, err
	}
	tags, err := puller.List(ctx, r)
	if err != nil {
		err = c.explain(r, r, err)
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing the tags of %s: %w", repo, err)
	}
	return tags, nil
}

// explain turns registry errors into ones that say which registry answered
// what, marking 404 as ErrNotFound and 401/403 as ErrUnauthorized.
func (c *Client) explain(r fmt.Stringer, repo name.Repository, err error) error {
	var te *transport.Error
	if !errors.As(err, &te) {
		return err
	}
	host := repo.RegistryStr()
	status := fmt.Sprintf("%d %s", te.StatusCode, http.StatusText(te.StatusCode))
	detail := ""
	if len(te.Errors) > 0 {
		var parts []string
		for _, d := range te.Errors {
			parts = append(parts, fmt.Sprintf("%s: %s", d.Code, d.Message))
		}
		detail = " (" + strings.Join(parts, "; ") + ")"
	}
	switch te.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		who := "anonymous access"
		if c.opts.Auth != nil {
			if src := c.opts.Auth.source(host); src != "" {
				who = "the credentials from " + src
			}
			if herr := c.opts.Auth.helperError(host); herr != nil {
				detail += " (" + herr.Error() + ")"
			}
		}
		return &markedError{msg: fmt.Sprintf("registry %s refused %s for %s: %s%s", host, who, repo.Name(), status, detail), mark: ErrUnauthorized}
	case http.StatusNotFound:
		return &markedError{msg: fmt.Sprintf("registry %s has no %s: %s%s", host, r, status, detail), mark: ErrNotFound}
	}
	if isNotFoundCode(te) {
		return &markedError{msg: fmt.Sprintf("registry %s has no %s: %s%s", host, r, status, detail), mark: ErrNotFound}
	}
	return fmt.Errorf("registry %s answered %s%s", host, status, detail)
}

func isNotFoundCode(te *transport.Error) bool {
	for _, d := range te.Errors {
		switch d.Code {
		case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
			return true
		}
	}
	return false
}

type markedError struct {
	msg  string
	mark error
}

func (e *markedError) Error() string { return e.msg }
func (e *markedError) Unwrap() error { return e.mark }

// RetryPolicy bounds the retries of transient failures: 5xx, 429 (waiting
// Retry-After, capped at MaxRetryAfter) and broken connections.
type RetryPolicy = retry.Policy

// retryTransport retries requests it can replay (no body, or a body with
// GetBody) on 408, 429, 5xx and broken connections, honouring Retry-After and
// the request's context. It also counts blob uploads for Stats.
type retryTransport struct {
	inner  http.RoundTripper
	policy RetryPolicy
	stats  *Stats
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		resp, err := t.inner.RoundTrip(r)
		wait, retry := t.shouldRetry(resp, err)
		if !retry || !replayable || attempt+1 >= t.policy.Attempts {
			t.count(req, resp, err)
			return resp, err
		}
		if wait == 0 {
			wait = t.policy.Backoff(attempt)
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		t.stats.Retries.Add(1)
		timer := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
	}
}

// shouldRetry says whether a result is transient and how long the server
// asked to wait (0: use the backoff).
func (t *retryTransport) shouldRetry(resp *http.Response, err error) (time.Duration, bool) {
	if err != nil {
		return 0, retryableError(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return t.retryAfter(resp.Header.Get("Retry-After")), true
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return 0, true
	}
	return 0, false
}

func (t *retryTransport) retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	var secs int
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && secs >= 0 {
		return t.policy.RetryAfter(time.Duration(secs) * time.Second)
	}
	return 0 // HTTP dates are not worth a clock here: back off instead
}

func (t *retryTransport) count(req *http.Request, resp *http.Response, err error) {
	if err != nil || resp == nil {
		return
	}
	p := req.URL.Path
	switch {
	case req.Method == http.MethodPut && strings.Contains(p, "/blobs/uploads/") && resp.StatusCode == http.StatusCreated:
		t.stats.BlobsUploaded.Add(1)
	case req.Method == http.MethodPost && strings.HasSuffix(strings.TrimSuffix(p, "/"), "/blobs/uploads") && resp.StatusCode == http.StatusCreated:
		// A cross-repository mount: stored without an upload.
		t.stats.BlobsSkipped.Add(1)
	case req.Method == http.MethodHead && strings.Contains(p, "/blobs/") && resp.StatusCode == http.StatusOK:
		t.stats.BlobsSkipped.Add(1)
	case req.Method == http.MethodPut && strings.Contains(p, "/manifests/") && resp.StatusCode == http.StatusCreated:
		t.stats.ManifestsPut.Add(1)
	}
	if (req.Method == http.MethodPatch || req.Method == http.MethodPut) && strings.Contains(p, "/blobs/uploads/") && req.ContentLength > 0 && resp.StatusCode < 300 {
		t.stats.BytesUploaded.Add(req.ContentLength)
	}
}

// retryableError reports network failures worth another try.
func retryableError(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch te.StatusCode {
		case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
			http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, net.ErrClosed) ||
		strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "server closed idle connection")
}
