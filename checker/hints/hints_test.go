package hints

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	t.Run("splits at second-level headings and ignores the title", func(t *testing.T) {
		got := Parse("# Hints\n\nintro\n\n## A nudge\n\nLook at handle.\n\n## The idea\n\nUse io.Copy.\nThen close.\n")
		assert.Equal(t, []Hint{
			{Title: "A nudge", Body: "Look at handle."},
			{Title: "The idea", Body: "Use io.Copy.\nThen close."},
		}, got)
	})
	t.Run("finds nothing in a file without headings", func(t *testing.T) {
		assert.Empty(t, Parse("# Hints\n\njust text\n"))
	})
}

func TestFor(t *testing.T) {
	t.Run("reads an embedded lesson's hints", func(t *testing.T) {
		hs, err := For("01-echo")
		require.NoError(t, err)
		assert.NotEmpty(t, hs)
	})
	t.Run("says when a lesson has none", func(t *testing.T) {
		_, err := For("99-nothing")
		assert.ErrorContains(t, err, "lesson 99-nothing has no hints yet")
	})
}
