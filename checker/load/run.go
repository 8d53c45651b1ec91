package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// run is the state of one load run, shared by its goroutines.
type run struct {
	cfg      Config
	target   Target
	base     time.Time // the run's clock starts here; now() reads it monotonically
	deadline time.Time // every connection's deadline: the end of the whole run

	clients []*client // by id; nil where the client never connected. Written by the
	// diallers, read once they are done.
	connectedN atomic.Int32 // clients connected so far, for progress
	joinedN    atomic.Int32 // clients joined so far, for progress

	latency   *Recorder
	delivered atomic.Int64 // distinct deliveries so far
	notify    []chan struct{}
	// counts[slot*Messages+seq] is how many receivers have the message so far; the
	// receiver that completes a message tells its sender, whose window then moves on.
	counts    []atomic.Int32
	receivers atomic.Int32 // receivers each message is for: the joined clients but one (chat) or 1 (echo)
	// live is receivers less those the server has disconnected since the message phase
	// began: a sender's window waits for them only. liveMu orders its changes with the
	// readers' endings.
	live       atomic.Int32
	liveMu     sync.Mutex
	liveSince  bool // guarded by liveMu: the message phase has begun, so endings count
	sent       []atomic.Int64
	stalled    atomic.Int32
	finished   atomic.Bool // the run is over: readers stop accounting
	phase      atomic.Value
	sendsStart atomic.Int64 // run clock when the first message was sent
}

func (r *run) now() int64 { return int64(time.Since(r.base)) }

// Run puts cfg's load on the server at tgt and measures it. It returns an error only when
// the run could not start; everything that went wrong during the run is in the result's
// Problems.
func Run(ctx context.Context, cfg Config, tgt Target) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()

	r := &run{
		cfg: cfg, target: tgt, base: time.Now(), deadline: deadline,
		clients: make([]*client, cfg.Clients),
		latency: NewRecorder(4 * runtime.GOMAXPROCS(0)),
		notify:  make([]chan struct{}, cfg.Senders),
		counts:  make([]atomic.Int32, cfg.Senders*cfg.Messages),
		sent:    make([]atomic.Int64, cfg.Senders),
	}
	for i := range r.notify {
		r.notify[i] = make(chan struct{}, 1)
	}
	res := &Result{
		Date: time.Now(),
		Config: RunConfig{
			Mode: cfg.Mode, Clients: cfg.Clients, Senders: cfg.Senders, Messages: cfg.Messages,
			Size: cfg.Size, Window: cfg.Window, Rate: cfg.Rate, DialParallel: cfg.DialParallel,
		},
		SettleTime: -1,
		Problems:   []string{},
	}
	_, res.FileDescriptorLimit = raiseFileLimit()
	if need := uint64(cfg.Clients) + 64; res.FileDescriptorLimit > 0 && res.FileDescriptorLimit < need {
		return nil, fmt.Errorf("%d clients need about %d file descriptors, and the limit is %d: raise it with ulimit -n",
			cfg.Clients, need, res.FileDescriptorLimit)
	}
	stopProgress := r.showProgress(ctx)
	defer stopProgress()

	before, procErr := r.sample()
	if procErr != nil {
		res.ResourcesUnavailable = procErr.Error()
	}

	// Connect and join.
	loadBeforeJoin := selfCPU()
	r.phase.Store("connecting")
	res.JoinLatency = Summarize(r.connect(ctx, res))
	joined := r.settle(ctx, res)
	afterJoin, err := r.sample()
	if err != nil && procErr == nil {
		procErr = fmt.Errorf("unavailable: the server's process could not be read after the join: %w", err)
		res.ResourcesUnavailable = procErr.Error()
	}
	res.ServerRSSBefore, res.ServerRSSJoined = before.rss, afterJoin.rss
	res.ServerJoinCPU = afterJoin.cpu - before.cpu
	if joined > 0 {
		res.IdleRSSPerClient = (afterJoin.rss - before.rss) / int64(joined)
	}

	// Send and drain.
	loadBefore := selfCPU()
	res.LoadJoinCPU = -1
	if loadBeforeJoin >= 0 {
		res.LoadJoinCPU = loadBefore - loadBeforeJoin
	}
	if joined >= 2 || cfg.Mode == Echo && joined >= 1 {
		r.phase.Store("sending")
		r.sendAll(ctx)
		r.phase.Store("draining")
		r.drain(ctx)
	} else {
		res.Problems = append(res.Problems, "too few clients joined to send anything")
	}
	afterSend, err := r.sample()
	if err != nil && procErr == nil {
		procErr = fmt.Errorf("unavailable: the server's process could not be read after the run (did it exit?): %w", err)
		res.ResourcesUnavailable = procErr.Error()
	}
	loadCPU := time.Duration(-1)
	if loadBefore >= 0 {
		loadCPU = selfCPU() - loadBefore
	}
	r.finished.Store(true)
	r.phase.Store("closing")
	stopProgress()

	res.ServerCPU = afterSend.cpu - afterJoin.cpu
	res.ServerWrites, res.ServerJoinWrites = -1, -1
	if afterSend.writes >= 0 && afterJoin.writes >= 0 && before.writes >= 0 && procErr == nil {
		res.ServerWrites = afterSend.writes - afterJoin.writes
		res.ServerJoinWrites = afterJoin.writes - before.writes
	}
	res.ServerPeakRSS = afterSend.hwm
	res.LoadCPU = loadCPU
	if procErr != nil {
		res.ServerCPU, res.ServerJoinCPU, res.ServerPeakRSS = -1, -1, -1
		res.ServerRSSBefore, res.ServerRSSJoined, res.IdleRSSPerClient = -1, -1, -1
	}

	if tgt.Stop != nil {
		tgt.Stop()
	}
	r.closeAll()
	r.account(res)
	if procErr == nil && res.Joined > 0 {
		res.PeakRSSPerClient = res.ServerPeakRSS / int64(res.Joined)
	} else if procErr != nil {
		res.PeakRSSPerClient = -1
	}
	if res.Delivered > 0 {
		if procErr == nil {
			res.ServerCPUPerDelivery = res.ServerCPU / time.Duration(res.Delivered)
		} else {
			res.ServerCPUPerDelivery = -1
		}
		if res.ServerWrites > 0 {
			res.DeliveriesPerWrite = float64(res.Delivered) / float64(res.ServerWrites)
		}
		if loadCPU >= 0 {
			res.LoadCPUPerDelivery = loadCPU / time.Duration(res.Delivered)
		}
	}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		res.Problems = append(res.Problems, fmt.Sprintf("the run hit its time limit of %s", cfg.Timeout))
	}
	return res, nil
}

// connect dials every client, DialParallel at a time, and (in chat) waits for each one's
// presence line before its dialler moves on. It returns the histogram of join times.
func (r *run) connect(ctx context.Context, res *Result) *Histogram {
	ids := make(chan int)
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex // guards hist, dialErrors, joinErrors and firstErr
		hist       = NewHistogram()
		dialErrors int
		joinErrors int
		firstErr   error
		// Once this many clients have failed, the server is not coping (or not a chat
		// server at all): connecting the rest would only wait out their timeouts.
		tooMany = max(r.cfg.DialParallel, r.cfg.Clients/20)
		giveUp  = make(chan struct{})
	)
	fail := func(dial bool, err error) {
		mu.Lock()
		defer mu.Unlock()
		if dial {
			dialErrors++
		} else {
			joinErrors++
		}
		if firstErr == nil {
			firstErr = err
		}
		if dialErrors+joinErrors == tooMany {
			close(giveUp)
		}
	}
	for range min(r.cfg.DialParallel, r.cfg.Clients) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				if isClosed(giveUp) {
					continue // a client handed over just as connecting stopped
				}
				start := time.Now()
				c, err := r.dial(ctx, id)
				if err != nil {
					fail(true, err)
					continue
				}
				if err := r.join(ctx, c); err != nil {
					fail(false, err)
					continue
				}
				r.joinedN.Add(1)
				mu.Lock()
				hist.Record(time.Since(start))
				mu.Unlock()
			}
		}()
	}
	stopped := ""
dispatch:
	for id := range r.cfg.Clients {
		select {
		case ids <- id:
		case <-ctx.Done():
			break dispatch
		case <-giveUp:
			stopped = fmt.Sprintf("; connecting stopped after %d failures", tooMany)
			break dispatch
		}
	}
	close(ids)
	wg.Wait()
	res.JoinTime = time.Since(r.base)
	res.DialErrors, res.JoinErrors = dialErrors, joinErrors
	if firstErr != nil {
		res.Problems = append(res.Problems, fmt.Sprintf("%d clients could not connect and %d could not join%s; the first: %v",
			dialErrors, joinErrors, stopped, firstErr))
	}
	return hist
}

// dial connects client id and starts its reader.
func (r *run) dial(ctx context.Context, id int) (*client, error) {
	d := net.Dialer{Timeout: r.cfg.JoinTimeout}
	conn, err := d.DialContext(ctx, "tcp", r.target.Addr)
	if err != nil {
		return nil, fmt.Errorf("client %d: %w", id, err)
	}
	tc := conn.(*net.TCPConn)
	_ = tc.SetNoDelay(true)
	_ = tc.SetReadDeadline(r.deadline) // no read outlives the run
	c := &client{
		id: id, slot: -1, conn: tc, run: r,
		joined: make(chan struct{}), ended: make(chan struct{}),
	}
	switch {
	case r.cfg.Mode == Echo:
		c.slot = id
		c.tally = newTally(1, r.cfg.Messages)
	default:
		if id < r.cfg.Senders {
			c.slot = id
		}
		c.tally = newTally(r.cfg.Senders, r.cfg.Messages)
	}
	r.clients[id] = c
	r.connectedN.Add(1)
	go c.read()
	return c, nil
}

// join sends client c's name and waits for its presence line. An echo client is joined
// as soon as it is connected.
func (r *run) join(ctx context.Context, c *client) error {
	if r.cfg.Mode == Echo {
		close(c.joined)
		return nil
	}
	_ = c.conn.SetWriteDeadline(time.Now().Add(r.cfg.JoinTimeout))
	if _, err := c.conn.Write([]byte(clientName(c.id) + "\n")); err != nil {
		return fmt.Errorf("client %d: sending its name: %w", c.id, err)
	}
	timer := time.NewTimer(r.cfg.JoinTimeout)
	defer timer.Stop()
	select {
	case <-c.joined:
		return nil
	case <-c.ended:
		// The reader may have seen the presence line just before the connection ended.
		select {
		case <-c.joined:
			return nil
		default:
		}
		return fmt.Errorf("client %d: the connection ended before it joined: %v", c.id, c.endErr)
	case <-timer.C:
		return fmt.Errorf("client %d: no presence line within %s of sending its name", c.id, r.cfg.JoinTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// joinedClients are the clients that joined, in id order.
func (r *run) joinedClients() []*client {
	var out []*client
	for _, c := range r.clients {
		if c != nil && isClosed(c.joined) {
			out = append(out, c)
		}
	}
	return out
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// settle waits until every joined client has heard of every other one (chat), or until
// no entered notice has arrived for Stall. It returns how many clients joined.
func (r *run) settle(ctx context.Context, res *Result) int {
	joined := r.joinedClients()
	n := len(joined)
	res.Connected = 0
	for _, c := range r.clients {
		if c != nil {
			res.Connected++
		}
	}
	res.Joined = n
	if r.cfg.Mode == Echo {
		res.SettleTime = res.JoinTime
		r.receivers.Store(1)
		return n
	}
	r.receivers.Store(int32(max(n-1, 0)))
	r.phase.Store("settling")
	want := int64(n) * int64(n-1)
	heard := func() int64 {
		var sum int64
		for _, c := range joined {
			sum += min(int64(c.heard.Load()), int64(n-1))
		}
		return sum
	}
	last, lastChange := heard(), time.Now()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for last < want {
		select {
		case <-ctx.Done():
			res.Problems = append(res.Problems, "the run ended while clients were still joining")
			return n
		case <-tick.C:
		}
		quiet := r.cfg.Stall
		if r.anyEnded(joined) {
			// Someone was disconnected: not everyone can hear of everyone any more,
			// so wait only until the notices stop coming.
			quiet = min(quiet, time.Second)
		}
		if h := heard(); h != last {
			last, lastChange = h, time.Now()
		} else if time.Since(lastChange) > quiet {
			res.Problems = append(res.Problems, fmt.Sprintf(
				"after joining, %d of the %d entered notices never came (nothing for %s)",
				want-last, want, r.cfg.Stall))
			return n
		}
	}
	res.SettleTime = time.Since(r.base)
	return n
}

// anyEnded reports whether any of clients has stopped reading.
func (r *run) anyEnded(clients []*client) bool {
	for _, c := range clients {
		if isClosed(c.ended) {
			return true
		}
	}
	return false
}

// startLive counts the receivers still connected as the message phase begins; from now
// on each reader that ends lowers the count (see readerEnded).
func (r *run) startLive() {
	r.liveMu.Lock()
	defer r.liveMu.Unlock()
	if r.cfg.Mode == Echo {
		r.live.Store(1)
	} else {
		n := int32(0)
		for _, c := range r.clients {
			if c != nil && isClosed(c.joined) && !c.gone {
				n++
			}
		}
		r.live.Store(max(n-1, 0))
	}
	r.liveSince = true
}

// readerEnded is called by each reader as it stops. A receiver lost during the message
// phase is no longer waited for, and every sender is woken to see that its window may
// have moved.
func (r *run) readerEnded(c *client) {
	r.liveMu.Lock()
	defer r.liveMu.Unlock()
	c.gone = true
	if !r.liveSince || r.finished.Load() || !isClosed(c.joined) || r.cfg.Mode == Echo {
		return
	}
	r.live.Add(-1)
	for _, n := range r.notify {
		select {
		case n <- struct{}{}:
		default:
		}
	}
}

// sendAll runs every sender until it has sent its messages, stalled or the run ended.
func (r *run) sendAll(ctx context.Context) {
	var wg sync.WaitGroup
	r.startLive()
	r.sendsStart.Store(r.now())
	for slot := range r.cfg.Senders {
		c := r.clients[slot]
		if c == nil || !isClosed(c.joined) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.send(ctx, c, slot)
		}()
	}
	wg.Wait()
}

// send is one sender: it writes its messages, paced by its window or by the rate.
func (r *run) send(ctx context.Context, c *client, slot int) {
	cfg := r.cfg
	var (
		buf    []byte
		oldest int // the first of this sender's messages not yet delivered everywhere
		timer  = time.NewTimer(cfg.Stall)
		start  = r.now()
		every  float64
	)
	defer timer.Stop()
	if cfg.Rate > 0 {
		every = float64(cfg.Senders) / cfg.Rate * 1e9 // nanoseconds between two messages
		start += int64(every * float64(slot) / float64(cfg.Senders))
	}
	for seq := 0; seq < cfg.Messages; {
		burst := 1 // messages to write at once
		var ts int64
		if cfg.Rate > 0 {
			ts = start + int64(every*float64(seq))
			if wait := ts - r.now(); wait > 0 {
				timer.Reset(time.Duration(wait))
				select {
				case <-timer.C:
				case <-ctx.Done():
					return
				}
			}
		} else {
			for {
				want := r.live.Load()
				for oldest < seq && r.counts[slot*cfg.Messages+oldest].Load() >= want {
					oldest++
				}
				if free := cfg.Window - (seq - oldest); free > 0 {
					// Everything the window allows goes in one write, as a client
					// that has several lines to send would do.
					burst = min(free, cfg.Messages-seq)
					break
				}
				timer.Reset(cfg.Stall)
				select {
				case <-r.notify[slot]:
				case <-timer.C:
					r.stalled.Add(1)
					return
				case <-ctx.Done():
					return
				}
			}
			ts = r.now()
		}
		buf = buf[:0]
		for i := range burst {
			buf = appendMessage(buf, seq+i, ts, cfg.Size)
		}
		_ = c.conn.SetWriteDeadline(time.Now().Add(cfg.Stall))
		if _, err := c.conn.Write(buf); err != nil {
			r.stalled.Add(1)
			return
		}
		seq += burst
		r.sent[slot].Store(int64(seq))
	}
}

// delivered1 counts one receiver's first receipt of message seq of sender slot, and
// wakes the sender when that was the last receiver the message was for.
func (r *run) delivered1(slot, seq int) {
	if r.counts[slot*r.cfg.Messages+seq].Add(1) == r.live.Load() {
		select {
		case r.notify[slot] <- struct{}{}:
		default: // the sender has a wake-up pending already
		}
	}
}

// expected is how many deliveries the messages sent so far call for.
func (r *run) expected() int64 {
	var n int64
	for i := range r.sent {
		n += r.sent[i].Load()
	}
	return n * int64(r.receivers.Load())
}

// drain waits until every sent message has reached every receiver still connected, or
// until nothing has been delivered for Stall.
func (r *run) drain(ctx context.Context) {
	next := make([]int, r.cfg.Senders) // per slot, the first message not yet complete
	complete := func() bool {
		want := r.live.Load()
		for slot := range next {
			sent := int(r.sent[slot].Load())
			for next[slot] < sent && r.counts[slot*r.cfg.Messages+next[slot]].Load() >= want {
				next[slot]++
			}
			if next[slot] < sent {
				return false
			}
		}
		return true
	}
	last, lastChange := r.delivered.Load(), time.Now()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !complete() {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if d := r.delivered.Load(); d != last {
			last, lastChange = d, time.Now()
		} else if time.Since(lastChange) > r.cfg.Stall {
			return
		}
	}
}

// closeAll closes every client with a reset, so that no socket lingers in TIME_WAIT
// between runs, and waits for the readers to stop.
func (r *run) closeAll() {
	for _, c := range r.clients {
		if c != nil {
			_ = c.conn.SetLinger(0)
			_ = c.conn.Close()
		}
	}
	for _, c := range r.clients {
		if c != nil {
			<-c.ended
		}
	}
}

// keptUpShare is the share of the offered rate that a server must deliver, counted from
// the first send to the last delivery, to have kept up with it. A server that falls
// behind ends the run with a queue still to deliver, and its latency is that queue
// growing for the whole run: comparing it says how long the run was, not how fast the
// server is. Below 99%, the last line of a 10-second run came 0.1 s late or more.
const keptUpShare = 0.99

// keptUp reports whether delivering perSecond kept up with an offered rate.
func keptUp(perSecond, offered float64) bool {
	return offered > 0 && perSecond >= keptUpShare*offered
}

// account fills res with the deliveries, once every reader has stopped.
func (r *run) account(res *Result) {
	sent := make([]int, r.cfg.Senders)
	for i := range sent {
		sent[i] = int(r.sent[i].Load())
		res.Sent += int64(sent[i])
	}
	res.Stalled = int(r.stalled.Load())
	res.Expected = r.expected()
	var first, last int64 = r.sendsStart.Load(), 0
	for _, c := range r.clients {
		if c == nil || !isClosed(c.joined) {
			continue
		}
		t := c.tally
		res.Delivered += t.received
		res.Duplicated += t.duplicates
		res.OutOfOrder += t.outOfOrder
		res.Unexpected += t.unexpected + c.strange
		res.LeftNotices += c.lefts
		res.Notices += c.notices
		last = max(last, c.lastRecv)
		if r.cfg.Mode == Echo {
			res.Lost += t.missing([]int{sent[c.slot]}, -1)
		} else {
			res.Lost += t.missing(sent, c.slot)
		}
		if c.endedByServer() {
			res.Disconnected++
		}
	}
	res.histogram = r.latency.Snapshot()
	res.Latency = Summarize(res.histogram)
	res.LatencyCounts = Buckets(res.histogram)
	if last > first {
		res.SendTime = time.Duration(last - first)
		res.PerSecond = float64(res.Delivered) / res.SendTime.Seconds()
	}
	if r.cfg.Rate > 0 {
		res.OfferedRate = r.cfg.Rate * float64(r.receivers.Load())
		res.KeptUp = keptUp(res.PerSecond, res.OfferedRate)
	}
	var problems []string
	if res.Lost > 0 {
		problems = append(problems, fmt.Sprintf("%d deliveries lost", res.Lost))
	}
	if res.Duplicated > 0 {
		problems = append(problems, fmt.Sprintf("%d deliveries duplicated", res.Duplicated))
	}
	if res.OutOfOrder > 0 {
		problems = append(problems, fmt.Sprintf("%d deliveries out of order", res.OutOfOrder))
	}
	if res.Stalled > 0 {
		problems = append(problems, fmt.Sprintf("%d senders gave up: their messages were not delivered (or not accepted) for %s", res.Stalled, r.cfg.Stall))
	}
	if res.Disconnected > 0 {
		problems = append(problems, fmt.Sprintf("the server closed %d clients during the run", res.Disconnected))
	}
	if want := int64(r.cfg.Senders) * int64(r.cfg.Messages); res.Sent < want && res.Stalled == 0 {
		problems = append(problems, fmt.Sprintf("only %d of %d messages were sent", res.Sent, want))
	}
	sort.Strings(problems)
	res.Problems = append(res.Problems, problems...)
}
