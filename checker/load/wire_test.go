package load

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWire(t *testing.T) {
	t.Run("a message reads back as it was written, padded to its size", func(t *testing.T) {
		b := appendMessage(nil, 17, 123456789, 32)
		assert.Equal(t, "17 123456789 xxxxxxxxxxxxxxxxxxx\n", string(b))
		seq, ts, ok := parseMessage(b[:len(b)-1])
		require.True(t, ok)
		assert.Equal(t, 17, seq)
		assert.Equal(t, int64(123456789), ts)
	})
	t.Run("a size smaller than the numbers adds no padding", func(t *testing.T) {
		assert.Equal(t, "1 2\n", string(appendMessage(nil, 1, 2, 1)))
	})
	t.Run("a relayed chat line gives the sender's number", func(t *testing.T) {
		id, seq, ts, ok := parseChat([]byte("[u42] 7 99 xxx"))
		require.True(t, ok)
		assert.Equal(t, []int{42, 7}, []int{id, seq})
		assert.Equal(t, int64(99), ts)
	})
	t.Run("lines that are not load messages are refused", func(t *testing.T) {
		for _, s := range []string{"[alice] hello", "[u1]7 9", "[u1] seven 9", "[u1] 7", "hello", "", "[u] 1 2"} {
			_, _, _, ok := parseChat([]byte(s))
			assert.False(t, ok, "%q", s)
		}
		_, _, ok := parseMessage([]byte("12 34x"))
		assert.False(t, ok)
	})
	t.Run("presence lines are counted by their names", func(t *testing.T) {
		assert.Equal(t, 0, countNames([]byte("* The room contains: ")))
		assert.Equal(t, 1, countNames([]byte("* The room contains: u1")))
		assert.Equal(t, 3, countNames([]byte("* The room contains: u1, u2, u3")))
		assert.Equal(t, 2, countNames([]byte("* Present: a,b")))
	})
}
