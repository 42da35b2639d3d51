package progress

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// clock is a fake clock that tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func TestParseMode(t *testing.T) {
	for _, m := range []string{"auto", "always", "never"} {
		if err := ParseMode(m); err != nil {
			t.Errorf("ParseMode(%q): %v", m, err)
		}
	}
	for _, m := range []string{"", "Auto", "on", "always "} {
		err := ParseMode(m)
		if err == nil || !strings.Contains(err.Error(), "auto, always, never") || !strings.Contains(err.Error(), `"`+m+`"`) {
			t.Errorf("ParseMode(%q) = %v, want an error naming it and the valid modes", m, err)
		}
	}
}

// TestWhenShown: which options show progress, and how. A Reporter that shows nothing has no
// Observer and writes nothing, even when stopped twice.
func TestWhenShown(t *testing.T) {
	for _, tc := range []struct {
		name  string
		o     Options
		shown bool
		live  bool
	}{
		{"auto on a terminal", Options{Mode: ModeAuto, Terminal: true}, true, true},
		{"empty mode is auto", Options{Terminal: true}, true, true},
		{"auto off a terminal", Options{Mode: ModeAuto}, false, false},
		{"always on a terminal", Options{Mode: ModeAlways, Terminal: true}, true, true},
		{"always off a terminal", Options{Mode: ModeAlways}, true, false},
		{"never on a terminal", Options{Mode: ModeNever, Terminal: true}, false, false},
		{"quiet always", Options{Mode: ModeAlways, Quiet: true}, false, false},
		{"quiet on a terminal", Options{Mode: ModeAuto, Terminal: true, Quiet: true}, false, false},
		{"unknown mode", Options{Mode: "sometimes", Terminal: true}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			r := New(&buf, tc.o)
			if r == nil {
				t.Fatal("New returned nil")
			}
			if shown := r.Observer() != nil; shown != tc.shown {
				t.Fatalf("shown %t, want %t", shown, tc.shown)
			}
			if tc.shown && r.live != tc.live {
				t.Errorf("live %t, want %t", r.live, tc.live)
			}
			if !tc.shown {
				r.Stop()
				r.Stop()
				if buf.Len() > 0 {
					t.Errorf("a Reporter that shows nothing wrote %q", buf.String())
				}
			}
		})
	}
}

// plain is a Reporter of plain lines on a fake clock, at an interval of 5 s.
func plain(t *testing.T) (*Reporter, inventory.Progress, *clock, *bytes.Buffer) {
	t.Helper()
	clk, buf := newClock(), &bytes.Buffer{}
	r := New(buf, Options{Mode: ModeAlways, Now: clk.Now})
	return r, r.Observer(), clk, buf
}

// TestPlainLinesAtMostOneEveryInterval: off a terminal, a line is written on the first event
// an interval or more after the last line (or the start), and never more often, however many
// events come; Stop writes the last line, once.
func TestPlainLinesAtMostOneEveryInterval(t *testing.T) {
	r, p, clk, buf := plain(t)
	p.Planned(1, 1)
	p.RegionStarted("111111111111", "eu-west-1")
	for range 10 {
		clk.advance(400 * time.Millisecond) // 4 s in all: no line yet
		p.Call("111111111111", "eu-west-1", "GetRestApis")
	}
	if buf.Len() > 0 {
		t.Fatalf("a line before the interval: %q", buf.String())
	}
	clk.advance(time.Second) // 5 s
	p.Call("111111111111", "eu-west-1", "GetApis")
	clk.advance(4 * time.Second) // 9 s
	p.Call("111111111111", "eu-west-1", "GetStages")
	clk.advance(time.Second) // 10 s
	p.Call("111111111111", "eu-west-1", "GetStages")
	p.Call("111111111111", "eu-west-1", "GetStages")
	clk.advance(20 * time.Second) // 30 s: one line, however long the silence was
	p.Call("111111111111", "eu-west-1", "GetStages")
	want := []string{
		"scan: regions 0/1, APIs 0/0 so far, 11 calls, 0 throttling waits, elapsed 5s",
		"scan: regions 0/1, APIs 0/0 so far, 13 calls, 0 throttling waits, elapsed 10s",
		"scan: regions 0/1, APIs 0/0 so far, 15 calls, 0 throttling waits, elapsed 30s",
	}
	if got := lines(buf.String()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	p.RegionDone("111111111111", "eu-west-1")
	clk.advance(time.Second)
	r.Stop()
	r.Stop()
	want = append(want, "scan ended: regions 1/1, APIs 0/0, 15 calls, 0 throttling waits, elapsed 31s")
	if got := lines(buf.String()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines after Stop:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	p.Call("111111111111", "eu-west-1", "GetStages")
	clk.advance(time.Minute)
	p.Call("111111111111", "eu-west-1", "GetStages")
	if n := len(lines(buf.String())); n != len(want) {
		t.Errorf("%d lines after Stop and more events, want %d", n, len(want))
	}
}

// TestPlainLineContent: what a line says at each stage of a scan of three accounts in two
// regions, with a custom interval.
func TestPlainLineContent(t *testing.T) {
	clk, buf := newClock(), &bytes.Buffer{}
	r := New(buf, Options{Mode: ModeAlways, Interval: time.Second, Now: clk.Now})
	p := r.Observer()
	const a1, a2, a3 = "111111111111", "222222222222", "333333333333"
	p.Planned(3, 2)
	// a3 could not be read: its regions are done without starting.
	p.RegionDone(a3, "eu-west-1")
	p.RegionDone(a3, "us-east-1")
	for _, a := range []string{a1, a2} {
		p.RegionStarted(a, "eu-west-1")
		p.RegionStarted(a, "us-east-1")
	}
	p.APIsListed(a1, "eu-west-1", 10)
	p.APIsListed(a1, "us-east-1", 2)
	p.APIsListed(a2, "eu-west-1", 0)
	for range 7 {
		p.Call(a1, "eu-west-1", "GetResources")
	}
	p.Waited(a1, "eu-west-1", inventory.WaitQuota, 2*time.Second)
	clk.advance(time.Second)
	// 1 s: the first line. a2 us-east-1 has not listed its APIs: "so far".
	p.APIRead(a1, "eu-west-1")
	p.APIsListed(a2, "us-east-1", 4)
	clk.advance(time.Second)
	// 2 s: every region has listed, but a1 us-east-1 has read no API yet: no estimate.
	p.Waited(a2, "us-east-1", inventory.WaitThrottled, 300*time.Millisecond)
	p.RegionDone(a2, "eu-west-1")
	clk.advance(8 * time.Second)
	p.APIRead(a1, "eu-west-1") // 10 s: still none
	p.APIRead(a1, "us-east-1")
	clk.advance(10 * time.Second)
	// 20 s: a1 eu-west-1 has read 2 of 10 in 20 s (80 s left at that pace), a1 us-east-1 1 of
	// 2 (20 s left), a2 us-east-1 1 of 4 (60 s left): the slowest decides.
	p.APIRead(a2, "us-east-1")
	p.APIRead(a1, "eu-west-1")
	p.APIRead(a1, "eu-west-1")
	p.APIRead(a1, "us-east-1")
	p.RegionDone(a1, "us-east-1")
	clk.advance(2 * time.Minute)
	// 140 s: a1 eu-west-1 4 of 10 (35 s each, 210 s left), a2 us-east-1 2 of 4 (140 s left).
	p.APIRead(a2, "us-east-1")
	r.Stop()
	want := []string{
		"scan: accounts 1/3, regions 2/6, APIs 1/12 so far, 7 calls, 1 throttling wait, elapsed 1s",
		"scan: accounts 1/3, regions 2/6, APIs 1/16, 7 calls, 2 throttling waits (1 after a 429), elapsed 2s",
		"scan: accounts 1/3, regions 3/6, APIs 2/16, 7 calls, 2 throttling waits (1 after a 429), elapsed 10s",
		"scan: accounts 1/3, regions 3/6, APIs 4/16, 7 calls, 2 throttling waits (1 after a 429), elapsed 20s, about 1m20s left",
		"scan: accounts 1/3, regions 4/6, APIs 8/16, 7 calls, 2 throttling waits (1 after a 429), elapsed 2m20s, about 3m30s left",
		"scan ended: accounts 1/3, regions 4/6, APIs 8/16, 7 calls, 2 throttling waits (1 after a 429), elapsed 2m20s",
	}
	if got := lines(buf.String()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// syncBuffer is a bytes.Buffer that mpb's goroutine and the test can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// captureStd sends os.Stdout and os.Stderr to pipes until the returned function is called,
// which gives what was written to them.
func captureStd(t *testing.T) func() string {
	t.Helper()
	saved := []*os.File{os.Stdout, os.Stderr}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout, os.Stderr = w, w
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		got <- string(b)
	}()
	return func() string {
		os.Stdout, os.Stderr = saved[0], saved[1]
		_ = w.Close()
		return <-got
	}
}

// TestLiveLineIsDrawnByMPB: on a terminal (here 160 columns wide, refreshed by hand), mpb draws the line to
// the writer given, and nowhere else: not to the process's stdout or stderr. Each frame is the
// whole line, a bar of the APIs read out of those listed in the middle; mpb moves the cursor
// back up before the next one; Stop draws a last frame without an estimate and leaves it.
// Nothing is drawn before the scan plans its work.
func TestLiveLineIsDrawnByMPB(t *testing.T) {
	released := captureStd(t)
	clk, buf := newClock(), &syncBuffer{}
	refresh := make(chan any)
	r := newReporter(buf, Options{Mode: ModeAuto, Terminal: true, Now: clk.Now}, mpb.WithManualRefresh(refresh), mpb.WithWidth(160))
	p := r.Observer()
	if r.bars != nil || buf.String() != "" {
		t.Fatalf("drawn before the scan planned: %q", buf.String())
	}
	p.Planned(1, 1)
	p.RegionStarted("111111111111", "eu-west-1")
	p.APIsListed("111111111111", "eu-west-1", 4)
	for range 5 {
		p.Call("111111111111", "eu-west-1", "GetResources")
	}
	clk.advance(10 * time.Second)
	p.APIRead("111111111111", "eu-west-1")
	p.APIRead("111111111111", "eu-west-1")
	refresh <- struct{}{}
	first := "regions 0/1, APIs 2/4 [==========>-----------] 5 calls, 0 throttling waits, elapsed 10s, about 10s left"
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(buf.String(), first) {
		if time.Now().After(deadline) {
			t.Fatalf("no frame %q drawn: %q", first, buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.APIRead("111111111111", "eu-west-1")
	p.APIRead("111111111111", "eu-west-1")
	p.RegionDone("111111111111", "eu-west-1")
	clk.advance(2 * time.Second)
	r.Stop()
	r.Stop()
	out := buf.String()
	if std := released(); std != "" {
		t.Errorf("progress written to stdout or stderr: %q", std)
	}
	last := "regions 1/1, APIs 4/4 [======================] 5 calls, 0 throttling waits, elapsed 12s"
	frames := strings.Split(out, "\n")
	n := len(frames)
	if n < 3 || frames[n-1] != "" || !strings.HasSuffix(frames[n-2], last) {
		t.Fatalf("the last frame is not %q:\n%q", last, out)
	}
	if !strings.HasPrefix(frames[n-2], "\x1b[1A\x1b[J") {
		t.Errorf("mpb did not move the cursor up before the last frame: %q", frames[n-2])
	}
	for _, f := range frames {
		f = strings.TrimPrefix(f, "\x1b[1A\x1b[J")
		if f != "" && f != first && f != last {
			t.Errorf("a frame that is neither the first nor the last: %q", f)
		}
	}
}

// TestConcurrentEvents: many regions telling one Reporter at once lose nothing (run with -race).
func TestConcurrentEvents(t *testing.T) {
	r, p, clk, buf := plain(t)
	p.Planned(4, 2)
	var wg sync.WaitGroup
	for a := range 4 {
		for _, region := range []string{"eu-west-1", "us-east-1"} {
			wg.Go(func() {
				account := strings.Repeat(string(rune('1'+a)), 12)
				p.RegionStarted(account, region)
				p.APIsListed(account, region, 50)
				for range 50 {
					for range 10 {
						p.Call(account, region, "GetResources")
					}
					p.Waited(account, region, inventory.WaitThrottled, time.Millisecond)
					p.APIRead(account, region)
					clk.advance(10 * time.Millisecond)
				}
				p.RegionDone(account, region)
			})
		}
	}
	wg.Wait()
	r.Stop()
	got := lines(buf.String())
	want := "scan ended: accounts 4/4, regions 8/8, APIs 400/400, 4000 calls, 400 throttling waits (400 after a 429), elapsed 4s"
	if len(got) != 1 || got[0] != want {
		t.Errorf("lines %q, want only %q", got, want)
	}
}

// TestNothingBeforePlanned: a Reporter stopped before any scan began writes nothing.
func TestNothingBeforePlanned(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		var buf bytes.Buffer
		r := New(&buf, Options{Mode: ModeAlways, Terminal: terminal})
		r.Stop()
		if buf.Len() > 0 {
			t.Errorf("terminal %t: %q written without a scan", terminal, buf.String())
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                       "0s",
		499 * time.Millisecond:                  "0s",
		1500 * time.Millisecond:                 "2s",
		59 * time.Second:                        "59s",
		time.Minute + 5*time.Second:             "1m05s",
		59*time.Minute + 59*time.Second:         "59m59s",
		time.Hour + 2*time.Minute + time.Second: "1h02m",
		26 * time.Hour:                          "26h00m",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestHeartbeatWhileNothingHappens: off a terminal with Heartbeat, a scan that waits on a call
// still writes a line every interval, and nothing after Stop; without Heartbeat, nothing until
// an event.
func TestHeartbeatWhileNothingHappens(t *testing.T) {
	for _, beat := range []bool{true, false} {
		var w syncBuffer
		r := New(&w, Options{Mode: ModeAlways, Interval: 40 * time.Millisecond, Heartbeat: beat})
		o := r.Observer()
		o.Planned(1, 1)
		o.RegionStarted("111111111111", "us-east-1")
		time.Sleep(300 * time.Millisecond) // a call hangs: no event
		r.Stop()
		lines := strings.Count(w.String(), "scan: ")
		if beat && lines < 2 {
			t.Errorf("heartbeat: %d lines in 300 ms at a 40 ms interval, want at least 2:\n%s", lines, w.String())
		}
		if !beat && lines != 0 {
			t.Errorf("no heartbeat: %d lines without an event", lines)
		}
		after := w.String()
		time.Sleep(100 * time.Millisecond)
		if w.String() != after {
			t.Errorf("a line after Stop: %q", strings.TrimPrefix(w.String(), after))
		}
	}
}
