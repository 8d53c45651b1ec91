package load

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// The histogram's buckets are log-linear, like HdrHistogram's: values below 64 ns each
// have a bucket of their own, and above that every power of two is cut into 32 equal
// buckets, so a reported value is never more than 1/32 (about 3%) above the true one.
const (
	subBits    = 5
	subBuckets = 1 << subBits // buckets per power of two
	maxValue   = 1<<40 - 1    // about 18 minutes; longer latencies are clamped
	nBuckets   = (40-subBits)*subBuckets + 2*subBuckets
	linearTop  = 2 * subBuckets // values below this are exact
	unknownMin = math.MaxInt64  // Min before anything is recorded
)

// bucketOf is the index of the bucket that counts v nanoseconds.
func bucketOf(v int64) int {
	if v < 0 {
		v = 0
	}
	if v > maxValue {
		v = maxValue
	}
	if v < linearTop {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - subBits - 1 // keeps the top subBits+1 bits
	return shift*subBuckets + int(v>>shift)
}

// bucketHigh is the largest value that falls in bucket b.
func bucketHigh(b int) int64 {
	if b < linearTop {
		return int64(b)
	}
	shift := b/subBuckets - 1
	mantissa := int64(b%subBuckets + subBuckets)
	return (mantissa+1)<<shift - 1
}

// Histogram counts latencies. The zero value is not ready: use NewHistogram. It is not safe
// for concurrent use; Recorder is the concurrent front end.
type Histogram struct {
	Counts [nBuckets]uint64
	N      uint64
	Sum    int64 // nanoseconds, for the mean
	Min    int64
	Max    int64
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return &Histogram{Min: unknownMin} }

// Record counts one latency.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	h.Counts[bucketOf(v)]++
	h.N++
	h.Sum += v
	h.Min = min(h.Min, v)
	h.Max = max(h.Max, v)
}

// Merge adds every count of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.Counts {
		h.Counts[i] += c
	}
	h.N += o.N
	h.Sum += o.Sum
	h.Min = min(h.Min, o.Min)
	h.Max = max(h.Max, o.Max)
}

// Quantile is the latency below which a fraction q (0 to 1) of the recorded values lie,
// rounded up to its bucket's upper bound and never above Max. It is 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.N == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.N)))
	rank = min(max(rank, 1), h.N)
	var seen uint64
	for b, c := range h.Counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(bucketHigh(b), h.Max))
		}
	}
	return time.Duration(h.Max)
}

// Mean is the average latency, 0 when empty.
func (h *Histogram) Mean() time.Duration {
	if h.N == 0 {
		return 0
	}
	return time.Duration(h.Sum / int64(h.N))
}

// CountBelow is how many recorded values are at most d (to the bucket's resolution).
func (h *Histogram) CountBelow(d time.Duration) uint64 {
	top := bucketOf(int64(d))
	var n uint64
	for b := 0; b <= top; b++ {
		n += h.Counts[b]
	}
	return n
}

// Recorder is a histogram that many goroutines record into at once. It is sharded so
// that goroutines on different cores rarely touch the same counters; each caller passes
// a shard hint (its client number) and the shards are merged when the run is over.
type Recorder struct {
	shards []recorderShard
}

type recorderShard struct {
	counts [nBuckets]atomic.Uint64
	sum    atomic.Int64
	min    atomic.Int64
	max    atomic.Int64
}

// NewRecorder returns a Recorder with the given number of shards (at least 1).
func NewRecorder(shards int) *Recorder {
	r := &Recorder{shards: make([]recorderShard, max(shards, 1))}
	for i := range r.shards {
		r.shards[i].min.Store(unknownMin)
	}
	return r
}

// Record counts one latency in the shard chosen by hint.
func (r *Recorder) Record(hint int, d time.Duration) {
	s := &r.shards[uint(hint)%uint(len(r.shards))]
	v := int64(d)
	s.counts[bucketOf(v)].Add(1)
	s.sum.Add(v)
	for old := s.min.Load(); v < old && !s.min.CompareAndSwap(old, v); old = s.min.Load() {
	}
	for old := s.max.Load(); v > old && !s.max.CompareAndSwap(old, v); old = s.max.Load() {
	}
}

// Snapshot merges the shards into one Histogram. Values recorded while it runs may or
// may not be included.
func (r *Recorder) Snapshot() *Histogram {
	h := NewHistogram()
	for i := range r.shards {
		s := &r.shards[i]
		for b := range s.counts {
			c := s.counts[b].Load()
			h.Counts[b] += c
			h.N += c
		}
		h.Sum += s.sum.Load()
		h.Min = min(h.Min, s.min.Load())
		h.Max = max(h.Max, s.max.Load())
	}
	if h.N == 0 {
		h.Min, h.Max = 0, 0
	}
	return h
}
