package bench

import (
	"strconv"
	"sync"
	"time"

	"github.com/apigw-drift/driftaudit/internal/handlerbench"
)

// A child's getrusage ru_maxrss is no measure of it on Linux: Go starts a child with
// clone(CLONE_VM|CLONE_VFORK), so until its exec the child runs in the parent's memory, and
// ru_maxrss keeps that high-water mark; a child started by a 300 MB parent reports at least
// 300 MB, however little it uses (TestPeakRSSIsTheChilds). So the benchmark watches the child's
// own high-water mark, VmHWM in /proc/PID/status, which exec resets.

// peakRSSPoll is how often a child's VmHWM is read. VmHWM only grows, so a later read never
// misses an earlier peak; what a run adds in its last interval can be missed.
const peakRSSPoll = 5 * time.Millisecond

// watchPeakRSS polls the VmHWM of process pid until the returned function is called (after the
// process has ended), which returns the highest seen, in bytes, and whether any was read.
func watchPeakRSS(pid int) func() (int64, bool) {
	var mu sync.Mutex
	var peak int64
	seen := false
	done := make(chan struct{})
	stopped := make(chan struct{})
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	go func() {
		defer close(stopped)
		t := time.NewTicker(peakRSSPoll)
		defer t.Stop()
		for {
			if hwm, ok := handlerbench.ReadVmHWM(path); ok {
				mu.Lock()
				peak, seen = max(peak, hwm), true
				mu.Unlock()
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (int64, bool) {
		close(done)
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		return peak, seen
	}
}
