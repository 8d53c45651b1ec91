package scenario

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScaleDurations(t *testing.T) {
	t.Run("stretches duration values in both flag forms", func(t *testing.T) {
		got := scaleDurations([]string{"-idle-timeout", "1s", "-name-timeout=500ms"}, 2)
		assert.Equal(t, []string{"-idle-timeout", "2s", "-name-timeout=1s"}, got)
	})
	t.Run("leaves other values alone", func(t *testing.T) {
		got := scaleDurations([]string{"-queue", "16", "-log-format=json", "-rate", "0", "-burst=0"}, 3)
		assert.Equal(t, []string{"-queue", "16", "-log-format=json", "-rate", "0", "-burst=0"}, got)
	})
}

func TestSelectScenarios(t *testing.T) {
	lesson := Lesson{Number: 1, Scenarios: []Scenario{{Name: "echo"}, {Name: "echo-twice"}, {Name: "crowd"}}}
	t.Run("matches whole names only", func(t *testing.T) {
		got, err := selectScenarios(lesson, "echo")
		assert.NoError(t, err)
		assert.Len(t, got, 1)
	})
	t.Run("accepts alternatives", func(t *testing.T) {
		got, err := selectScenarios(lesson, "echo|crowd")
		assert.NoError(t, err)
		assert.Len(t, got, 2)
	})
	t.Run("suggests whole names that contain a partial one", func(t *testing.T) {
		_, err := selectScenarios(lesson, "ech")
		assert.ErrorContains(t, err, `did you mean echo or echo-twice? Or use "ech.*"`)
	})
	t.Run("names the scenarios when nothing matches", func(t *testing.T) {
		_, err := selectScenarios(lesson, "nope")
		assert.ErrorContains(t, err, "echo, echo-twice, crowd")
	})
}
