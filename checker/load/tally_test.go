package load

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTally(t *testing.T) {
	t.Run("messages in order are all first deliveries", func(t *testing.T) {
		ty := newTally(2, 100)
		for seq := range 100 {
			assert.True(t, ty.record(0, seq))
			assert.True(t, ty.record(1, seq))
		}
		assert.Equal(t, int64(200), ty.received)
		assert.Zero(t, ty.duplicates)
		assert.Zero(t, ty.outOfOrder)
		assert.Zero(t, ty.missing([]int{100, 100}, -1))
	})
	t.Run("a message received twice counts once and as a duplicate", func(t *testing.T) {
		ty := newTally(1, 10)
		assert.True(t, ty.record(0, 3))
		assert.False(t, ty.record(0, 3))
		assert.Equal(t, int64(1), ty.received)
		assert.Equal(t, int64(1), ty.duplicates)
	})
	t.Run("a message after a later one from the same sender is out of order", func(t *testing.T) {
		ty := newTally(2, 10)
		ty.record(0, 5)
		ty.record(1, 2) // another sender: no order between senders
		ty.record(0, 4)
		ty.record(0, 6)
		assert.Equal(t, int64(1), ty.outOfOrder)
		assert.Equal(t, int64(4), ty.received)
	})
	t.Run("missing counts what was sent and never came, but not the receiver's own", func(t *testing.T) {
		ty := newTally(3, 130)
		for seq := range 130 {
			if seq%10 != 0 {
				ty.record(0, seq) // 13 lost from sender 0
			}
		}
		for seq := range 64 {
			ty.record(1, seq) // sender 1 sent 70: 6 lost
		}
		// Sender 2 is the receiver itself: skipped.
		assert.Equal(t, int64(13+6), ty.missing([]int{130, 70, 130}, 2))
		assert.Equal(t, int64(13+6+130), ty.missing([]int{130, 70, 130}, -1))
	})
	t.Run("a message outside the run's range is unexpected, not a delivery", func(t *testing.T) {
		ty := newTally(2, 10)
		assert.False(t, ty.record(2, 0))
		assert.False(t, ty.record(0, 10))
		assert.False(t, ty.record(-1, 0))
		assert.Equal(t, int64(3), ty.unexpected)
		assert.Zero(t, ty.received)
	})
}
