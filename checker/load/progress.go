package load

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// showProgress reports the run's phase and counts on cfg.Progress until the returned
// function is called (calling it again is harmless). On a terminal it redraws one line
// every quarter of a second; elsewhere it adds a line every two seconds.
func (r *run) showProgress(ctx context.Context) (stop func()) {
	if r.cfg.Progress == nil {
		return func() {}
	}
	every := 2 * time.Second
	if r.cfg.ProgressTTY {
		every = 250 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		var lastDelivered int64
		lastTime := time.Now()
		for {
			select {
			case <-ctx.Done():
				if r.cfg.ProgressTTY {
					fmt.Fprint(r.cfg.Progress, "\r\033[K")
				}
				return
			case <-tick.C:
			}
			d := r.delivered.Load()
			now := time.Now()
			rate := float64(d-lastDelivered) / now.Sub(lastTime).Seconds()
			lastDelivered, lastTime = d, now
			line := r.progressLine(d, rate)
			if r.cfg.ProgressTTY {
				fmt.Fprint(r.cfg.Progress, "\r\033[K"+line)
			} else {
				fmt.Fprintln(r.cfg.Progress, line)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

func (r *run) progressLine(delivered int64, rate float64) string {
	elapsed := time.Since(r.base).Truncate(100 * time.Millisecond)
	phase, _ := r.phase.Load().(string)
	switch phase {
	case "connecting", "settling":
		connected, joined := r.connectedN.Load(), r.joinedN.Load()
		return fmt.Sprintf("  %6s  %s: %d connected, %d of %d joined", elapsed, phase, connected, joined, r.cfg.Clients)
	default:
		var sent int64
		for i := range r.sent {
			sent += r.sent[i].Load()
		}
		return fmt.Sprintf("  %6s  %s: %d of %d messages sent, %s of %s deliveries (%s/s)", elapsed, phase,
			sent, int64(r.cfg.Senders)*int64(r.cfg.Messages), count(delivered), count(r.expected()), count(int64(rate)))
	}
}
