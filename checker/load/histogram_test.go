package load

import (
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuckets(t *testing.T) {
	t.Run("every value falls in a bucket whose upper bound is at most 1/32 above it", func(t *testing.T) {
		rng := rand.New(rand.NewSource(1))
		for range 20000 {
			v := rng.Int63n(maxValue)
			if rng.Intn(2) == 0 {
				v = rng.Int63n(100000)
			}
			b := bucketOf(v)
			require.Less(t, b, nBuckets)
			high := bucketHigh(b)
			require.GreaterOrEqual(t, high, v, "value %d", v)
			require.LessOrEqual(t, float64(high-v), float64(v)/32+1, "value %d, bucket top %d", v, high)
			if b > 0 {
				require.Less(t, bucketHigh(b-1), v, "value %d belongs in an earlier bucket", v)
			}
		}
	})
	t.Run("values beyond the range are clamped, negative ones count as zero", func(t *testing.T) {
		assert.Equal(t, bucketOf(maxValue), bucketOf(maxValue*4))
		assert.Equal(t, 0, bucketOf(-5))
	})
}

func TestHistogram(t *testing.T) {
	t.Run("an empty histogram reports zeros", func(t *testing.T) {
		h := NewHistogram()
		assert.Equal(t, time.Duration(0), h.Quantile(0.99))
		assert.Equal(t, time.Duration(0), h.Mean())
		assert.Equal(t, Summary{}, Summarize(h))
	})
	t.Run("percentiles of 1 to 1000 µs are within the bucket resolution", func(t *testing.T) {
		h := NewHistogram()
		for i := 1; i <= 1000; i++ {
			h.Record(time.Duration(i) * time.Microsecond)
		}
		for _, c := range []struct {
			q    float64
			want time.Duration
		}{{0.5, 500 * time.Microsecond}, {0.9, 900 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, time.Millisecond}} {
			got := h.Quantile(c.q)
			assert.GreaterOrEqual(t, got, c.want, "p%g", 100*c.q)
			assert.LessOrEqual(t, got, c.want+c.want/32, "p%g", 100*c.q)
		}
		assert.Equal(t, time.Millisecond, h.Quantile(1), "the top percentile is the exact maximum")
		assert.Equal(t, 500500*time.Nanosecond, h.Mean())
		assert.Equal(t, uint64(1000), h.N)
	})
	t.Run("a single slow delivery shows at the top, not in the median", func(t *testing.T) {
		h := NewHistogram()
		for range 999 {
			h.Record(100 * time.Microsecond)
		}
		h.Record(2 * time.Second)
		assert.LessOrEqual(t, h.Quantile(0.99), 104*time.Microsecond)
		assert.Equal(t, 2*time.Second, h.Quantile(1))
		assert.Equal(t, int64(2*time.Second), h.Max)
	})
	t.Run("merging adds counts and keeps the extremes", func(t *testing.T) {
		a, b := NewHistogram(), NewHistogram()
		a.Record(time.Millisecond)
		b.Record(time.Microsecond)
		b.Record(time.Second)
		a.Merge(b)
		assert.Equal(t, uint64(3), a.N)
		assert.Equal(t, int64(time.Microsecond), a.Min)
		assert.Equal(t, int64(time.Second), a.Max)
	})
}

func TestRecorder(t *testing.T) {
	t.Run("records from many goroutines add up", func(t *testing.T) {
		r := NewRecorder(4)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 1000 {
					r.Record(g, time.Duration(i+1)*time.Microsecond)
				}
			}()
		}
		wg.Wait()
		h := r.Snapshot()
		assert.Equal(t, uint64(8000), h.N)
		assert.Equal(t, int64(time.Microsecond), h.Min)
		assert.Equal(t, int64(time.Millisecond), h.Max)
		assert.InDelta(t, float64(500*time.Microsecond), float64(h.Quantile(0.5)), float64(500*time.Microsecond)/32)
	})
	t.Run("an empty recorder has no minimum", func(t *testing.T) {
		h := NewRecorder(2).Snapshot()
		assert.Equal(t, int64(0), h.Min)
		assert.Equal(t, int64(0), h.Max)
	})
}
