// Package progress shows how far a scan has come, on stderr: a live line on a terminal, drawn by
// github.com/vbauerster/mpb, or plain lines that a CI log keeps. It watches the scan through
// inventory.Progress and never changes what the scan reads or reports.
package progress

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// The progress modes.
const (
	// ModeAuto shows the live line on a terminal and nothing elsewhere.
	ModeAuto = "auto"
	// ModeAlways shows the live line on a terminal, and elsewhere plain lines, at most one
	// every Interval, and a last one when the scan ends.
	ModeAlways = "always"
	// ModeNever shows nothing.
	ModeNever = "never"
)

// Modes are the valid progress modes, in the order help lists them.
var Modes = []string{ModeAuto, ModeAlways, ModeNever}

// ParseMode accepts a progress mode and rejects anything else, naming the valid ones.
func ParseMode(s string) error {
	if slices.Contains(Modes, s) {
		return nil
	}
	return fmt.Errorf("progress mode %q is not one of %s", s, strings.Join(Modes, ", "))
}

// DefaultInterval is the least time between two plain lines.
const DefaultInterval = 5 * time.Second

// Options say where and how progress is shown.
type Options struct {
	// Mode is one of Modes; empty is ModeAuto, and a mode ParseMode rejects shows nothing.
	Mode string
	// Terminal tells whether the writer is a terminal.
	Terminal bool
	// Quiet shows nothing, whatever the mode.
	Quiet bool
	// Interval is the least time between two plain lines; zero is DefaultInterval.
	Interval time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Heartbeat, off a terminal, writes a plain line every Interval even when no event comes,
	// so that a CI log shows a scan waiting on slow or hanging calls is still alive. It runs
	// on a real ticker, whatever Now is.
	Heartbeat bool
}

// A Reporter shows one scan's progress. Its Observer goes in audit.Config.Progress; Stop ends
// the display once the scan has returned.
type Reporter struct {
	w        io.Writer
	now      func() time.Time
	live     bool
	interval time.Duration
	beat     bool
	done     chan struct{}
	// extra are mpb options tests add (a manual refresh).
	extra []mpb.ContainerOption

	mu       sync.Mutex
	t        tally
	planned  bool
	stopped  bool
	lastLine time.Time
	bars     *mpb.Progress
	bar      *mpb.Bar
}

// New makes the Reporter o asks for, writing to w only. It is never nil: a Reporter that shows
// nothing (ModeNever, Quiet, ModeAuto off a terminal) has a nil Observer and a Stop that does
// nothing. Nothing is written before the scan plans its work.
func New(w io.Writer, o Options) *Reporter {
	return newReporter(w, o)
}

func newReporter(w io.Writer, o Options, extra ...mpb.ContainerOption) *Reporter {
	mode := o.Mode
	if mode == "" {
		mode = ModeAuto
	}
	if o.Quiet || (mode != ModeAlways && (mode != ModeAuto || !o.Terminal)) {
		return &Reporter{}
	}
	r := &Reporter{w: w, now: o.Now, live: o.Terminal, interval: o.Interval, beat: o.Heartbeat && !o.Terminal, done: make(chan struct{}), extra: extra}
	if r.now == nil {
		r.now = time.Now
	}
	if r.interval <= 0 {
		r.interval = DefaultInterval
	}
	r.t = newTally(r.now())
	r.lastLine = r.t.start
	return r
}

// Observer is what watches the scan, for audit.Config.Progress; nil when r shows nothing. It is
// safe for concurrent use.
func (r *Reporter) Observer() inventory.Progress {
	if r.w == nil {
		return nil
	}
	return (*observer)(r)
}

// Stop ends the display: the live line is drawn a last time, without an estimate, and left on
// the terminal; off a terminal the last plain line is written. Nothing is written when no scan
// began. Observer events after Stop are counted but no longer shown. Stop is safe to call twice.
func (r *Reporter) Stop() {
	if r.w == nil {
		return
	}
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return
	}
	r.stopped = true
	close(r.done)
	planned, bars, bar := r.planned, r.bars, r.bar
	if planned && !r.live {
		fmt.Fprintf(r.w, "scan ended: %s\n", r.t.line(r.now(), false))
	}
	r.mu.Unlock()
	if bars != nil {
		bar.SetTotal(-1, true) // complete: mpb draws it a last time and leaves it
		bars.Wait()
	}
}

// startLive starts the live line: a bar of the APIs read out of those listed, with the rest of
// the line around it. The bar's own counts stay at zero; its filler and decorators read r's, so
// that no event ever waits for mpb and mpb never waits for an event while holding r.mu.
func (r *Reporter) startLive() {
	opts := append([]mpb.ContainerOption{mpb.WithOutput(r.w), mpb.ForceTTY()}, r.extra...)
	bars := mpb.New(opts...)
	withOurCounts := func(base mpb.BarFiller) mpb.BarFiller {
		return mpb.BarFillerFunc(func(w io.Writer, st decor.Statistics) error {
			r.mu.Lock()
			st.Current, st.Total = int64(r.t.read), int64(r.t.listed)
			r.mu.Unlock()
			return base.Fill(w, st)
		})
	}
	bar := bars.New(0, mpb.BarStyle(),
		mpb.BarWidth(24),
		mpb.BarFillerMiddleware(withOurCounts),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.t.scope()
		})),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.t.work(r.now(), !r.stopped)
		})),
	)
	r.mu.Lock()
	r.bars, r.bar = bars, bar
	r.mu.Unlock()
}

// observer is a Reporter seen as the scan's inventory.Progress.
type observer Reporter

func (o *observer) Planned(accounts, regions int) {
	r := (*Reporter)(o)
	r.mu.Lock()
	first := !r.planned && !r.stopped
	r.planned = true
	r.t.accounts, r.t.regionsPerAccount = accounts, regions
	r.mu.Unlock()
	if first && r.live {
		r.startLive()
	}
	if first && r.beat {
		go o.heartbeat()
	}
}

// heartbeat offers a line every interval until Stop; update writes it when none was written
// for an interval.
func (o *observer) heartbeat() {
	t := time.NewTicker(o.interval)
	defer t.Stop()
	for {
		select {
		case <-o.done:
			return
		case <-t.C:
			o.update(func(*tally, time.Time) {})
		}
	}
}

func (o *observer) RegionStarted(account, region string) {
	o.update(func(t *tally, now time.Time) { t.region(account, region).started = now })
}

func (o *observer) APIsListed(account, region string, n int) {
	o.update(func(t *tally, _ time.Time) {
		reg := t.region(account, region)
		reg.listed, reg.apis = true, reg.apis+n
		t.listed += n
	})
}

func (o *observer) APIRead(account, region string) {
	o.update(func(t *tally, _ time.Time) {
		t.region(account, region).read++
		t.read++
	})
}

func (o *observer) RegionDone(account, region string) {
	o.update(func(t *tally, _ time.Time) {
		if reg := t.region(account, region); !reg.done {
			reg.done = true
			t.regionsDone++
			t.doneIn[account]++
		}
	})
}

func (o *observer) Call(string, string, string) {
	o.update(func(t *tally, _ time.Time) { t.calls++ })
}

func (o *observer) Waited(_, _ string, cause inventory.WaitCause, _ time.Duration) {
	o.update(func(t *tally, _ time.Time) {
		t.waits++
		if cause == inventory.WaitThrottled {
			t.throttled++
		}
	})
}

// update applies an event and, off a terminal, writes a plain line when the last one is at
// least an interval old.
func (o *observer) update(apply func(*tally, time.Time)) {
	r := (*Reporter)(o)
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	apply(&r.t, now)
	if r.live || r.stopped || !r.planned || now.Sub(r.lastLine) < r.interval {
		return
	}
	r.lastLine = now
	fmt.Fprintf(r.w, "scan: %s\n", r.t.line(now, true))
}
