package load

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Session runs the same workload against one or more servers, Repeat times each,
// interleaved (A B A B ...) so that a change in the machine's load over time touches
// every server alike, and summarises each server by the median of its runs.
type Session struct {
	Config  Config
	Servers []Server
	Repeat  int
	Out     io.Writer // the report; progress goes to Config.Progress
}

// Report is a session's outcome, as written to JSON.
type Report struct {
	Date    time.Time          `json:"date"`
	Machine Machine            `json:"machine"`
	Config  RunConfig          `json:"config"`
	Runs    []*Result          `json:"runs"`
	Medians map[string]Medians `json:"medians"`
}

// Machine describes where the figures were measured.
type Machine struct {
	CPUs      int    `json:"cpus"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	GoVersion string `json:"go_version"`
	CPUModel  string `json:"cpu_model,omitempty"`
}

// Medians summarises one server's runs: the median of each figure.
type Medians struct {
	Runs                 int           `json:"runs"`
	AllOK                bool          `json:"all_ok"` // no run had a problem
	PerSecond            float64       `json:"deliveries_per_second"`
	P50                  time.Duration `json:"p50_ns"`
	P90                  time.Duration `json:"p90_ns"`
	P99                  time.Duration `json:"p99_ns"`
	Max                  time.Duration `json:"max_ns"`
	ServerCPUPerDelivery time.Duration `json:"server_cpu_per_delivery_ns"`
	LoadCPUPerDelivery   time.Duration `json:"load_cpu_per_delivery_ns"`
	DeliveriesPerWrite   float64       `json:"deliveries_per_server_write"`
	JoinTime             time.Duration `json:"join_time_ns"`
	SettleTime           time.Duration `json:"settle_time_ns"`
	IdleRSSPerClient     int64         `json:"idle_rss_per_client_bytes"`
	PeakRSSPerClient     int64         `json:"peak_rss_per_client_bytes"`
	Lost                 int64         `json:"lost_total"`   // summed over the runs, not a median
	KeptUp               int           `json:"kept_up_runs"` // at a fixed rate: runs that kept up with it
}

// Run performs the session. It returns an error only when a server cannot be built or
// started; a run that goes wrong is reported in its result.
func (s *Session) Run(ctx context.Context) (*Report, error) {
	cfg, err := s.Config.withDefaults()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "gochat-load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for i := range s.Servers {
		if err := s.Servers[i].Prepare(ctx, tmp); err != nil {
			return nil, err
		}
	}
	rep := &Report{
		Date: time.Now(), Machine: thisMachine(), Medians: map[string]Medians{},
		Config: RunConfig{Mode: cfg.Mode, Clients: cfg.Clients, Senders: cfg.Senders, Messages: cfg.Messages,
			Size: cfg.Size, Window: cfg.Window, Rate: cfg.Rate, DialParallel: cfg.DialParallel},
	}
	repeat := max(s.Repeat, 1)
	fmt.Fprintf(s.Out, "load: %s; %d run(s) per server, interleaved\n", Describe(cfg), repeat)
	switch before, after := raiseFileLimit(); {
	case after == 0:
	case after > before:
		fmt.Fprintf(s.Out, "load: open files: raised the limit from %d to %d (the servers inherit it)\n", before, after)
	default:
		fmt.Fprintf(s.Out, "load: open files: the limit is %d\n", after)
	}
	for round := 1; round <= repeat && ctx.Err() == nil; round++ {
		for i := range s.Servers {
			srv := &s.Servers[i]
			res, err := s.runOnce(ctx, srv, cfg)
			if err != nil {
				return rep, err
			}
			res.Label = srv.Label
			rep.Runs = append(rep.Runs, res)
			fmt.Fprintf(s.Out, "run %d/%d %-28s %s\n", round, repeat, srv.Label, oneLine(res))
		}
	}
	for _, srv := range s.Servers {
		runs := runsOf(rep.Runs, srv.Label)
		if len(runs) == 0 {
			continue
		}
		rep.Medians[srv.Label] = median(runs)
		mid := medianRun(runs)
		fmt.Fprintf(s.Out, "\n%s (the run with the median deliveries per second):\n", srv.Label)
		WriteText(s.Out, mid)
		WriteHistogram(s.Out, mid.Histogram())
		if mid.ServerOutputTail != "" && !mid.OK() {
			fmt.Fprintf(s.Out, "  the server's last output:\n    %s\n", strings.ReplaceAll(mid.ServerOutputTail, "\n", "\n    "))
		}
	}
	if len(s.Servers) > 1 {
		fmt.Fprintln(s.Out)
		WriteComparison(s.Out, rep, s.Servers[0].Label, s.Servers[1:])
	}
	return rep, nil
}

func (s *Session) runOnce(ctx context.Context, srv *Server, cfg Config) (*Result, error) {
	running, err := srv.Start(ctx, 30*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", srv.Label, err)
	}
	defer running.Close()
	res, err := Run(ctx, cfg, running.Target)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", srv.Label, err)
	}
	res.ServerOutputTail = running.Output()
	return res, nil
}

// oneLine is a run in one line, for the running log of a session.
func oneLine(r *Result) string {
	status := "ok"
	if !r.OK() {
		status = "PROBLEM: " + strings.Join(r.Problems, "; ")
	}
	rate := ""
	if r.OfferedRate > 0 && !r.KeptUp {
		rate = " (fell behind the rate)"
	}
	joined := "joined"
	if r.Config.Mode == Echo {
		joined = "connected"
	}
	return fmt.Sprintf("%d %s in %s, %s deliveries/s%s, p99 %s, CPU %s/delivery, lost %d: %s",
		r.Joined, joined, Dur(r.JoinTime), count(int64(r.PerSecond)), rate, Dur(r.Latency.P99), Dur(r.ServerCPUPerDelivery), r.Lost, status)
}

func runsOf(all []*Result, label string) []*Result {
	var out []*Result
	for _, r := range all {
		if r.Label == label {
			out = append(out, r)
		}
	}
	return out
}

// medianRun is the run whose deliveries per second is the median (the lower one of the
// middle two for an even count).
func medianRun(runs []*Result) *Result {
	sorted := append([]*Result(nil), runs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].PerSecond < sorted[j].PerSecond })
	return sorted[(len(sorted)-1)/2]
}

func median(runs []*Result) Medians {
	m := Medians{Runs: len(runs), AllOK: true}
	for _, r := range runs {
		m.AllOK = m.AllOK && r.OK()
		m.Lost += r.Lost
		if r.KeptUp {
			m.KeptUp++
		}
	}
	m.PerSecond = medianOf(runs, func(r *Result) float64 { return r.PerSecond })
	d := func(f func(*Result) time.Duration) time.Duration {
		return time.Duration(medianOf(runs, func(r *Result) float64 { return float64(f(r)) }))
	}
	m.P50 = d(func(r *Result) time.Duration { return r.Latency.P50 })
	m.P90 = d(func(r *Result) time.Duration { return r.Latency.P90 })
	m.P99 = d(func(r *Result) time.Duration { return r.Latency.P99 })
	m.Max = d(func(r *Result) time.Duration { return r.Latency.Max })
	m.ServerCPUPerDelivery = d(func(r *Result) time.Duration { return r.ServerCPUPerDelivery })
	m.LoadCPUPerDelivery = d(func(r *Result) time.Duration { return r.LoadCPUPerDelivery })
	m.JoinTime = d(func(r *Result) time.Duration { return r.JoinTime })
	m.SettleTime = d(func(r *Result) time.Duration { return r.SettleTime })
	m.DeliveriesPerWrite = medianOf(runs, func(r *Result) float64 { return r.DeliveriesPerWrite })
	m.IdleRSSPerClient = int64(medianOf(runs, func(r *Result) float64 { return float64(r.IdleRSSPerClient) }))
	m.PeakRSSPerClient = int64(medianOf(runs, func(r *Result) float64 { return float64(r.PeakRSSPerClient) }))
	return m
}

// medianOf is the median of f over runs (the mean of the middle two for an even count),
// leaving out negative values, which mean unknown; -1 if every value is unknown.
func medianOf(runs []*Result, f func(*Result) float64) float64 {
	var v []float64
	for _, r := range runs {
		if x := f(r); x >= 0 {
			v = append(v, x)
		}
	}
	sort.Float64s(v)
	n := len(v)
	switch {
	case n == 0:
		return -1
	case n%2 == 1:
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// WriteComparison writes the medians of the first server beside each other one, with
// the ratio that says how many times better (or worse) the first is.
func WriteComparison(w io.Writer, rep *Report, first string, others []Server) {
	a := rep.Medians[first]
	for _, o := range others {
		b, ok := rep.Medians[o.Label]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "medians of %d and %d interleaved runs:\n", a.Runs, b.Runs)
		fmt.Fprintf(w, "  %-26s %14s %14s   %s\n", "", clip(first, 14), clip(o.Label, 14), "ratio (above 1: the first is better)")
		row := func(name, va, vb, ratio string) {
			fmt.Fprintf(w, "  %-26s %14s %14s   %s\n", name, va, vb, ratio)
		}
		row("deliveries per second", count(int64(a.PerSecond)), count(int64(b.PerSecond)), ratio(a.PerSecond, b.PerSecond))
		row("server CPU per delivery", Dur(a.ServerCPUPerDelivery), Dur(b.ServerCPUPerDelivery),
			ratio(float64(b.ServerCPUPerDelivery), float64(a.ServerCPUPerDelivery)))
		if a.DeliveriesPerWrite > 0 || b.DeliveriesPerWrite > 0 {
			row("deliveries per write call", perWrite(a.DeliveriesPerWrite), perWrite(b.DeliveriesPerWrite),
				ratio(a.DeliveriesPerWrite, b.DeliveriesPerWrite))
		}
		row("latency p50", Dur(a.P50), Dur(b.P50), ratio(float64(b.P50), float64(a.P50)))
		row("latency p99", Dur(a.P99), Dur(b.P99), ratio(float64(b.P99), float64(a.P99)))
		row("latency max", Dur(a.Max), Dur(b.Max), ratio(float64(b.Max), float64(a.Max)))
		row("everyone joined after", Dur(a.SettleTime), Dur(b.SettleTime), ratio(float64(b.SettleTime), float64(a.SettleTime)))
		row("idle memory per client", Bytes(a.IdleRSSPerClient), Bytes(b.IdleRSSPerClient),
			ratio(float64(b.IdleRSSPerClient), float64(a.IdleRSSPerClient)))
		row("lost (all runs)", fmt.Sprint(a.Lost), fmt.Sprint(b.Lost), "")
		row("every run clean", fmt.Sprint(a.AllOK), fmt.Sprint(b.AllOK), "")
		if rep.Config.Rate > 0 {
			row("kept up with the rate", fmt.Sprintf("%d of %d", a.KeptUp, a.Runs), fmt.Sprintf("%d of %d", b.KeptUp, b.Runs), "")
			writeRateCaveat(w, first, a, o.Label, b)
		}
	}
}

// writeRateCaveat warns, under a fixed-rate comparison, when a server fell behind the
// offered rate in some run: its latency then measures a queue growing for the length of
// the run, so the latency ratios above compare nothing that a lower rate would show.
func writeRateCaveat(w io.Writer, first string, a Medians, other string, b Medians) {
	var behind []string
	for _, s := range []struct {
		label string
		m     Medians
	}{{first, a}, {other, b}} {
		if s.m.KeptUp < s.m.Runs {
			behind = append(behind, fmt.Sprintf("%s fell behind in %d of %d runs", s.label, s.m.Runs-s.m.KeptUp, s.m.Runs))
		}
	}
	if len(behind) == 0 {
		return
	}
	fmt.Fprintf(w, "  note: %s, so the latencies above measure a growing queue, not the fan-out;\n"+
		"  compare latency at a rate that both servers keep up with (a lower -rate).\n", strings.Join(behind, " and "))
}

// ratio is x/y, how many times better the first server is when x is the figure
// where bigger is better ("n/a" when either is unknown).
func ratio(x, y float64) string {
	switch {
	case x <= 0 || y <= 0:
		return "n/a"
	case x/y < 1:
		return fmt.Sprintf("%.2fx", x/y)
	}
	return fmt.Sprintf("%.1fx", x/y)
}

// perWrite formats deliveries per write call; 0 means unknown (send(2), which Python
// uses, is not counted in /proc/PID/io).
func perWrite(f float64) string {
	if f <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", f)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func thisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPUModel = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	return m
}
