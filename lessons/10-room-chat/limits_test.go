package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// allowed counts how many of n acts, all at once, the bucket allows.
func allowed(b *tokenBucket, n int) int {
	ok := 0
	for range n {
		if b.allow() {
			ok++
		}
	}
	return ok
}

func TestTokenBucket(t *testing.T) {
	t.Run("allows a burst at once, then nothing", func(t *testing.T) {
		clock := &fakeClock{t: time.Unix(0, 0)}
		b := newTokenBucket(5, 10, clock.now)
		assert.Equal(t, 10, allowed(b, 15))
	})
	t.Run("gives tokens back at the rate", func(t *testing.T) {
		clock := &fakeClock{t: time.Unix(0, 0)}
		b := newTokenBucket(5, 10, clock.now)
		allowed(b, 10)
		clock.advance(time.Second)
		assert.Equal(t, 5, allowed(b, 10))
	})
	t.Run("keeps a fraction of a token for later", func(t *testing.T) {
		clock := &fakeClock{t: time.Unix(0, 0)}
		b := newTokenBucket(5, 10, clock.now)
		allowed(b, 10)
		clock.advance(100 * time.Millisecond) // half a token
		assert.False(t, b.allow())
		clock.advance(100 * time.Millisecond) // the other half
		assert.True(t, b.allow())
		assert.False(t, b.allow())
	})
	t.Run("holds at most burst tokens however long it waits", func(t *testing.T) {
		clock := &fakeClock{t: time.Unix(0, 0)}
		b := newTokenBucket(5, 10, clock.now)
		clock.advance(time.Hour)
		assert.Equal(t, 10, allowed(b, 20))
	})
	t.Run("a refused act spends nothing", func(t *testing.T) {
		clock := &fakeClock{t: time.Unix(0, 0)}
		b := newTokenBucket(1, 1, clock.now)
		assert.True(t, b.allow())
		assert.False(t, b.allow())
		assert.False(t, b.allow())
		clock.advance(time.Second)
		assert.True(t, b.allow())
	})
}
