package bench

import (
	"os/exec"
	"runtime"
	"syscall"
	"testing"
)

// TestPeakRSSIsTheChilds: a small child started by a large parent reports the parent's size as
// its ru_maxrss (see peakrss.go); watchPeakRSS reports the child's own.
func TestPeakRSSIsTheChilds(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmHWM is read from Linux's /proc")
	}
	big := make([]byte, 256<<20)
	for i := range big {
		big[i] = 1
	}
	cmd := exec.Command("sleep", "0.2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	got, ok := peak()
	runtime.KeepAlive(big)
	if !ok || got <= 0 || got > 32<<20 {
		t.Errorf("sleep's peak RSS read as %d bytes (read %t), want a few MB", got, ok)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss*1024 < 200<<20 {
		t.Logf("ru_maxrss %d bytes: this kernel does not carry the parent's mark over; the watch is still the child's own", ru.Maxrss*1024)
	}
}
