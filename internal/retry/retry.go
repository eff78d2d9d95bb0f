// Package retry owns the bounds every network call of Slipway retries
// within: how many tries, the exponential backoff between them and the
// longest Retry-After a server may ask for.
package retry

import (
	"context"
	"time"
)

// Policy bounds the retries of transient failures: 5xx, 429 (waiting
// Retry-After, capped at MaxRetryAfter) and broken connections.
type Policy struct {
	Attempts      int           // tries in all; 0 means 5
	Base          time.Duration // first backoff; 0 means 500ms
	Max           time.Duration // largest backoff; 0 means 10s
	MaxRetryAfter time.Duration // largest Retry-After honoured; 0 means 60s
}

// WithDefaults fills the zero fields.
func (p Policy) WithDefaults() Policy {
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	if p.Base <= 0 {
		p.Base = 500 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 60 * time.Second
	}
	return p
}

// Backoff is the wait before retry number attempt (0 for the first retry):
// Base doubled each time, never more than Max.
func (p Policy) Backoff(attempt int) time.Duration {
	d := p.Base << attempt
	if d > p.Max || d <= 0 {
		d = p.Max
	}
	return d
}

// RetryAfter caps a server's Retry-After.
func (p Policy) RetryAfter(d time.Duration) time.Duration { return min(d, p.MaxRetryAfter) }

// Sleep waits d or until ctx is done, whichever comes first.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
