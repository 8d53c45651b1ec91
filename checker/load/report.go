package load

import (
	"fmt"
	"io"
	"math"
	"math/bits"
	"strings"
	"time"
)

// Describe is the workload of cfg in words, for a report's heading.
func Describe(cfg Config) string {
	cfg, _ = cfg.withDefaults()
	pace := fmt.Sprintf("full speed (window %d)", cfg.Window)
	if cfg.Rate > 0 {
		pace = fmt.Sprintf("at %g messages/s", cfg.Rate)
	}
	if cfg.Mode == Echo {
		return fmt.Sprintf("echo, %d clients x %d messages of %d bytes, %s", cfg.Clients, cfg.Messages, cfg.Size, pace)
	}
	return fmt.Sprintf("chat, %d clients, %d senders x %d messages of %d bytes, %s",
		cfg.Clients, cfg.Senders, cfg.Messages, cfg.Size, pace)
}

// WriteText writes one run's result for a person to read.
func WriteText(w io.Writer, res *Result) {
	p := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-18s %s\n", label, fmt.Sprintf(format, args...))
	}
	settle := "never"
	if res.SettleTime >= 0 {
		settle = "after " + Dur(res.SettleTime)
	}
	if res.Config.Mode == Echo {
		p("connect", "%d of %d connected in %s", res.Joined, res.Config.Clients, Dur(res.JoinTime))
	} else {
		p("connect and join", "%d of %d joined in %s, everyone heard of everyone %s (one join: p50 %s, p99 %s)",
			res.Joined, res.Config.Clients, Dur(res.JoinTime), settle, Dur(res.JoinLatency.P50), Dur(res.JoinLatency.P99))
	}
	if res.Config.Mode == Chat && res.ResourcesUnavailable == "" {
		p("joining cost", "%s", joiningCost(res))
	}
	p("deliveries", "%s of %s in %s: %s/s", count(res.Delivered), count(res.Expected), Dur(res.SendTime), count(int64(res.PerSecond)))
	if res.OfferedRate > 0 {
		p("offered", "%s deliveries/s (%g messages/s): %s", count(int64(res.OfferedRate)), res.Config.Rate, pace(res))
	}
	l := res.Latency
	p("latency", "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s", Dur(l.P50), Dur(l.P90), Dur(l.P99), Dur(l.P999), Dur(l.Max))
	p("lost, dup, order", "%d lost, %d duplicated, %d out of order", res.Lost, res.Duplicated, res.OutOfOrder)
	if res.ResourcesUnavailable != "" {
		p("server CPU, memory", "%s", res.ResourcesUnavailable)
	} else {
		p("server CPU", "%s per delivery (%s in the message phase; %s while joining)",
			Dur(res.ServerCPUPerDelivery), Dur(res.ServerCPU), Dur(res.ServerJoinCPU))
		if res.DeliveriesPerWrite > 0 {
			p("server writes", "%.1f deliveries per write call (%s write and writev calls in the message phase)",
				res.DeliveriesPerWrite, count(res.ServerWrites))
		}
		p("server memory", "%s per joined idle client (%s before, %s joined); peak %s = %s per client",
			Bytes(res.IdleRSSPerClient), Bytes(res.ServerRSSBefore), Bytes(res.ServerRSSJoined),
			Bytes(res.ServerPeakRSS), Bytes(res.PeakRSSPerClient))
	}
	if res.LoadCPU >= 0 {
		p("load tool CPU", "%s per delivery (%s in the message phase)", Dur(res.LoadCPUPerDelivery), Dur(res.LoadCPU))
	}
	if len(res.Problems) == 0 {
		p("problems", "none")
	}
	for _, pr := range res.Problems {
		p("PROBLEM", "%s", pr)
	}
}

// pace says whether a fixed-rate run's server kept up with the offered rate.
func pace(res *Result) string {
	if res.KeptUp {
		return "kept up"
	}
	return fmt.Sprintf("fell behind, delivered %.1f%% of it (its latency is a queue that grew as the run went on)",
		100*res.PerSecond/res.OfferedRate)
}

// WriteHistogram draws h in the terminal: one row per power of two of latency, with a
// bar for its share of the deliveries.
func WriteHistogram(w io.Writer, h *Histogram) {
	if h == nil || h.N == 0 {
		return
	}
	lo := bits.Len64(uint64(max(h.Min, 1))) - 1
	hi := bits.Len64(uint64(max(h.Max, 1)))
	type row struct {
		upTo  int64
		count uint64
	}
	var rows []row
	var prev uint64
	for e := lo + 1; e <= hi; e++ {
		upTo := int64(1)<<e - 1
		n := h.CountBelow(time.Duration(upTo))
		if e == hi {
			n = h.N
		}
		rows = append(rows, row{upTo, n - prev})
		prev = n
	}
	var most uint64
	for _, r := range rows {
		most = max(most, r.count)
	}
	fmt.Fprintln(w, "  latency histogram (deliveries by latency, up to):")
	for _, r := range rows {
		width := int(math.Round(40 * float64(r.count) / float64(most)))
		if r.count > 0 && width == 0 {
			width = 1
		}
		fmt.Fprintf(w, "  %9s %-40s %5.1f%%  %s\n", Dur(time.Duration(r.upTo+1)),
			strings.Repeat("█", width), 100*float64(r.count)/float64(h.N), count(int64(r.count)))
	}
}

// Dur formats a duration with three significant digits: 812ns, 1.23µs, 45.6ms, 2.05s.
func Dur(d time.Duration) string {
	if d < 0 {
		return "n/a"
	}
	f := float64(d)
	units := []struct {
		size float64
		name string
	}{{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}, {1, "ns"}}
	for _, u := range units {
		if f >= u.size || u.size == 1 {
			return sig3(f/u.size) + u.name
		}
	}
	return "0ns"
}

// Bytes formats a size in binary units with three significant digits.
func Bytes(n int64) string {
	if n < 0 {
		return "n/a"
	}
	f := float64(n)
	switch {
	case f >= 1<<30:
		return sig3(f/(1<<30)) + " GiB"
	case f >= 1<<20:
		return sig3(f/(1<<20)) + " MiB"
	case f >= 1<<10:
		return sig3(f/(1<<10)) + " KiB"
	}
	return fmt.Sprintf("%d B", n)
}

// joiningCost says what the join phase cost both processes: every join notifies
// everyone, so at thousands of clients it is a fan-out test of its own.
func joiningCost(res *Result) string {
	s := fmt.Sprintf("server %s of CPU", Dur(res.ServerJoinCPU))
	if res.ServerJoinWrites > 0 {
		s += fmt.Sprintf(", %.1f notices per write call (%s write and writev calls)",
			float64(res.Notices)/float64(res.ServerJoinWrites), count(res.ServerJoinWrites))
	}
	if res.LoadJoinCPU >= 0 {
		s += fmt.Sprintf("; load tool %s of CPU", Dur(res.LoadJoinCPU))
	}
	return s
}

// count formats a count for reading: 950, 12.3k, 4.56M.
func count(n int64) string {
	f := float64(n)
	switch {
	case f >= 1e9:
		return sig3(f/1e9) + "G"
	case f >= 1e6:
		return sig3(f/1e6) + "M"
	case f >= 1e4:
		return sig3(f/1e3) + "k"
	}
	return fmt.Sprintf("%d", n)
}

func sig3(f float64) string {
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f", f)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	}
	return fmt.Sprintf("%.2f", f)
}
