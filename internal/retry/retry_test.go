package retry

import (
	"context"
	"testing"
	"time"
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	p := Policy{}.WithDefaults()
	if p != (Policy{Attempts: 5, Base: 500 * time.Millisecond, Max: 10 * time.Second, MaxRetryAfter: time.Minute}) {
		t.Errorf("defaults = %+v", p)
	}
	for attempt, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		if got := p.Backoff(attempt); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempt, got, want)
		}
	}
	if got := p.Backoff(80); got != p.Max {
		t.Errorf("Backoff on overflow = %v, want the cap", got)
	}
	if got := p.RetryAfter(5 * time.Minute); got != time.Minute {
		t.Errorf("RetryAfter = %v, want the cap", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); err == nil {
		t.Error("Sleep ignored a cancelled context")
	}
}
