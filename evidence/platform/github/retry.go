package github

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Sleeper waits d or until ctx ends; tests pass one that records and returns.
type Sleeper func(ctx context.Context, d time.Duration) error

// SleepContext is the real Sleeper.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryTransport retries what GitHub says is worth retrying: server
// errors (5xx), secondary rate limits (403/429 with Retry-After) and the
// primary rate limit (X-RateLimit-Remaining: 0, wait until X-RateLimit-Reset).
// It gives up after a bounded number of attempts and never waits longer
// than maxWait for one retry, so a job does not hang for an hour.
type retryTransport struct {
	next     http.RoundTripper
	sleep    Sleeper
	attempts int
	maxWait  time.Duration
	now      func() time.Time
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		if attempt > 1 && req.Body != nil && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("replay the request body: %w", err)
			}
			req.Body = body
		}
		resp, err := t.next.RoundTrip(req)
		wait, retry := t.retryAfter(resp, err, backoff)
		if !retry || attempt >= t.attempts || wait > t.maxWait {
			return resp, err
		}
		if resp != nil {
			// Drain so the connection can be reused.
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
		backoff *= 2
	}
}

// retryAfter says whether and how long to wait before the next attempt.
func (t *retryTransport) retryAfter(resp *http.Response, err error, backoff time.Duration) (time.Duration, bool) {
	if err != nil {
		// A network error on an idempotent request is worth another try;
		// the context's own end is not.
		if resp == nil && (err == context.Canceled || err == context.DeadlineExceeded) {
			return 0, false
		}
		return backoff, true
	}
	switch {
	case resp.StatusCode >= 500:
		return backoff, true
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests:
		if s := resp.Header.Get("Retry-After"); s != "" {
			if secs, err := strconv.Atoi(s); err == nil && secs >= 0 {
				return time.Duration(secs) * time.Second, true
			}
		}
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
				wait := time.Unix(reset, 0).Sub(t.now())
				if wait < time.Second {
					wait = time.Second
				}
				return wait, true
			}
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			return backoff, true
		}
	}
	return 0, false
}
