package load

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestWriteComparison(t *testing.T) {
	t.Parallel()
	fast := Medians{Runs: 3, AllOK: true, PerSecond: 60_000, P99: 15 * time.Millisecond, KeptUp: 3}
	slow := Medians{Runs: 3, AllOK: true, PerSecond: 58_000, P99: 400 * time.Millisecond, KeptUp: 1}
	compare := func(rate float64, a, b Medians) string {
		rep := &Report{Config: RunConfig{Rate: rate}, Medians: map[string]Medians{"go": a, "asyncio": b}}
		var out strings.Builder
		WriteComparison(&out, rep, "go", []Server{{Label: "asyncio"}})
		return out.String()
	}

	t.Run("at full speed it says nothing of keeping up", func(t *testing.T) {
		out := compare(0, fast, slow)
		assert.Contains(t, out, "latency p99")
		assert.NotContains(t, out, "kept up")
	})
	t.Run("at a fixed rate both kept up: no warning", func(t *testing.T) {
		out := compare(60, fast, fast)
		assert.Contains(t, out, "3 of 3")
		assert.NotContains(t, out, "fell behind")
	})
	t.Run("at a fixed rate a server fell behind: the latency ratios are flagged", func(t *testing.T) {
		out := compare(60, fast, slow)
		assert.Contains(t, out, "1 of 3")
		assert.Contains(t, out, "asyncio fell behind in 2 of 3 runs")
		assert.NotContains(t, out, "go fell behind")
		assert.Contains(t, out, "a lower -rate")
	})
}
