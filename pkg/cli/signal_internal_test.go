package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSecondSignalRemovesPartialFiles: the second signal exits at once, and first removes the
// temporary files of reports being written, which no deferred call would remove.
func TestSecondSignalRemovesPartialFiles(t *testing.T) {
	tmp := filepath.Join(t.TempDir(), ".report.json.123")
	if err := os.WriteFile(tmp, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	partial.Store(tmp, struct{}{})
	sigs := make(chan os.Signal)
	exited := make(chan bool, 1)
	_, stop := WatchSignals(context.Background(), sigs, io.Discard, func(int) {
		_, err := os.Stat(tmp)
		exited <- os.IsNotExist(err)
	})
	defer stop()
	sigs <- syscall.SIGINT
	sigs <- syscall.SIGINT
	if removed := <-exited; !removed {
		t.Error("the temporary file of a report being written is still there at exit")
	}
}
