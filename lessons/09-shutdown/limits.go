package main

import "time"

// tokenBucket limits how often a client may act: it starts with burst tokens, each act
// spends one, and tokens come back at rate per second, up to burst. It is used by one
// goroutine only, so it has no lock.
type tokenBucket struct {
	rate   float64          // tokens that come back per second
	burst  float64          // the most tokens the bucket holds
	tokens float64          // tokens in the bucket at last
	last   time.Time        // when tokens was last brought up to date
	now    func() time.Time // the clock: time.Now, or a fake one in tests
}

// newTokenBucket returns a full bucket. rate must be positive and burst at least 1.
func newTokenBucket(rate float64, burst int, now func() time.Time) *tokenBucket {
	return &tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now(), now: now}
}

// allow spends a token and reports true if there is one; otherwise it reports false
// and spends nothing.
func (b *tokenBucket) allow() bool {
	now := b.now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
