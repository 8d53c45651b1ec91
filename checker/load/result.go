package load

import "time"

// Result is everything one run measured. Durations are in nanoseconds in JSON; a
// resource figure the platform cannot give (no process id, not Linux) is -1.
type Result struct {
	Label  string    `json:"label"` // the server, as the caller names it
	Date   time.Time `json:"date"`
	Config RunConfig `json:"config"`

	// Connect and join.
	Connected   int           `json:"connected"`
	Joined      int           `json:"joined"`
	DialErrors  int           `json:"dial_errors"`
	JoinErrors  int           `json:"join_errors"`
	JoinTime    time.Duration `json:"join_time_ns"`   // first dial to the last presence line
	SettleTime  time.Duration `json:"settle_time_ns"` // first dial until everyone heard of everyone; -1 if never
	JoinLatency Summary       `json:"join_latency"`   // one client's dial to its presence line
	Notices     int64         `json:"notices"`        // entered notices delivered while joining

	// Messages.
	Sent          int64         `json:"sent"`         // messages written by the senders
	Stalled       int           `json:"stalled"`      // senders that gave up waiting for their window
	Expected      int64         `json:"expected"`     // deliveries the sent messages called for
	Delivered     int64         `json:"delivered"`    // distinct deliveries received
	Lost          int64         `json:"lost"`         // expected but never received
	Duplicated    int64         `json:"duplicated"`   // received more than once
	OutOfOrder    int64         `json:"out_of_order"` // received after a later one from the same sender
	Unexpected    int64         `json:"unexpected"`   // lines nobody sent, or that should not have come
	Disconnected  int           `json:"disconnected"` // clients the server closed during the run
	LeftNotices   int64         `json:"left_notices"` // departures announced during the run
	SendTime      time.Duration `json:"send_time_ns"` // first send to the last delivery
	PerSecond     float64       `json:"deliveries_per_second"`
	OfferedRate   float64       `json:"offered_deliveries_per_second"` // 0 at full speed
	KeptUp        bool          `json:"kept_up"`                       // at a fixed rate: see keptUp; false at full speed
	Latency       Summary       `json:"latency"`
	LatencyCounts []Bucket      `json:"latency_histogram"`

	// Resources, read from the server's process and from the load tool's own.
	ServerCPU            time.Duration `json:"server_cpu_ns"`      // during the message phase
	ServerJoinCPU        time.Duration `json:"server_join_cpu_ns"` // during connect and join
	ServerCPUPerDelivery time.Duration `json:"server_cpu_per_delivery_ns"`
	ServerWrites         int64         `json:"server_writes"`               // write system calls in the message phase; -1 unknown
	ServerJoinWrites     int64         `json:"server_join_writes"`          // write system calls while connecting and joining; -1 unknown
	DeliveriesPerWrite   float64       `json:"deliveries_per_server_write"` // how well the server coalesces; 0 unknown
	ServerRSSBefore      int64         `json:"server_rss_before_bytes"`
	ServerRSSJoined      int64         `json:"server_rss_joined_bytes"`
	ServerPeakRSS        int64         `json:"server_peak_rss_bytes"`
	IdleRSSPerClient     int64         `json:"idle_rss_per_client_bytes"` // (joined - before) / joined
	PeakRSSPerClient     int64         `json:"peak_rss_per_client_bytes"` // peak / joined
	LoadCPU              time.Duration `json:"load_cpu_ns"`               // the load tool, message phase
	LoadJoinCPU          time.Duration `json:"load_join_cpu_ns"`          // the load tool, connect and join; -1 unknown
	LoadCPUPerDelivery   time.Duration `json:"load_cpu_per_delivery_ns"`
	ResourcesUnavailable string        `json:"resources_unavailable,omitempty"` // why, if they are
	FileDescriptorLimit  uint64        `json:"fd_limit"`
	ServerOutputTail     string        `json:"-"`
	Problems             []string      `json:"problems"` // what went wrong, in words
	histogram            *Histogram
}

// RunConfig is the part of Config that describes the workload, as recorded in results.
type RunConfig struct {
	Mode         Mode    `json:"mode"`
	Clients      int     `json:"clients"`
	Senders      int     `json:"senders"`
	Messages     int     `json:"messages"`
	Size         int     `json:"size"`
	Window       int     `json:"window"`
	Rate         float64 `json:"rate"`
	DialParallel int     `json:"dial_parallel"`
}

// Summary is a latency distribution in a few numbers.
type Summary struct {
	N    uint64        `json:"n"`
	Min  time.Duration `json:"min_ns"`
	Mean time.Duration `json:"mean_ns"`
	P50  time.Duration `json:"p50_ns"`
	P90  time.Duration `json:"p90_ns"`
	P99  time.Duration `json:"p99_ns"`
	P999 time.Duration `json:"p999_ns"`
	Max  time.Duration `json:"max_ns"`
}

// Bucket is one bar of a latency histogram for plotting: how many values were at most
// UpTo (and above the previous bucket's UpTo).
type Bucket struct {
	UpTo  time.Duration `json:"le_ns"`
	Count uint64        `json:"count"`
}

// Summarize reduces h to its percentiles.
func Summarize(h *Histogram) Summary {
	if h.N == 0 {
		return Summary{}
	}
	return Summary{
		N: h.N, Min: time.Duration(h.Min), Mean: h.Mean(),
		P50: h.Quantile(0.50), P90: h.Quantile(0.90), P99: h.Quantile(0.99),
		P999: h.Quantile(0.999), Max: time.Duration(h.Max),
	}
}

// Buckets lists h's non-empty buckets, for plotting.
func Buckets(h *Histogram) []Bucket {
	var out []Bucket
	for b, c := range h.Counts {
		if c > 0 {
			out = append(out, Bucket{UpTo: time.Duration(bucketHigh(b)), Count: c})
		}
	}
	return out
}

// Histogram is the full latency histogram of the run's deliveries.
func (r *Result) Histogram() *Histogram { return r.histogram }

// OK reports whether the run delivered everything it should have, with nothing lost,
// duplicated or disordered, and every client joined.
func (r *Result) OK() bool {
	return len(r.Problems) == 0
}
