package sign

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/internal/retry"
)

// Retry bounds the retries of Fulcio, Rekor and OIDC token requests: 5xx,
// 429 (waiting Retry-After, capped) and network errors.
type Retry = retry.Policy

// service is an HTTP API with bounded retries.
type service struct {
	name   string // Fulcio, Rekor, the GitHub OIDC endpoint
	client *http.Client
	retry  Retry
}

// do sends the request built by mk (called once per try) and returns the
// body of a 2xx answer. Other answers are errors naming the service and
// status; transient ones are retried with exponential backoff.
func (s *service) do(ctx context.Context, mk func() (*http.Request, error)) ([]byte, http.Header, int, error) {
	r := s.retry.WithDefaults()
	var last error
	for attempt := 0; attempt < r.Attempts; attempt++ {
		if attempt > 0 {
			wait := r.Backoff(attempt - 1)
			if ra, ok := last.(*statusError); ok && ra.retryAfter > 0 {
				wait = r.RetryAfter(ra.retryAfter)
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, nil, 0, ctx.Err()
			case <-t.C:
			}
		}
		req, err := mk()
		if err != nil {
			return nil, nil, 0, err
		}
		resp, err := s.client.Do(req.WithContext(ctx))
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, 0, ctx.Err()
			}
			last = err
			continue
		}
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		resp.Body.Close()
		if rerr != nil {
			last = rerr
			continue
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return body, resp.Header, resp.StatusCode, nil
		}
		se := &statusError{code: resp.StatusCode, body: string(bytes.TrimSpace(body[:min(len(body), 300)]))}
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
			se.retryAfter = time.Duration(secs) * time.Second
		}
		if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
			return body, resp.Header, resp.StatusCode, fmt.Errorf("%s answered %w", s.name, se)
		}
		last = se
	}
	return nil, nil, 0, fmt.Errorf("%s: giving up after %d tries: %w", s.name, r.Attempts, last)
}

type statusError struct {
	code       int
	body       string
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	if e.body == "" {
		return fmt.Sprintf("%d %s", e.code, http.StatusText(e.code))
	}
	return fmt.Sprintf("%d %s: %s", e.code, http.StatusText(e.code), e.body)
}
