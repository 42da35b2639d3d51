package awsemu

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

const (
	motoStartTimeout = 30 * time.Second
	// motoPortTries bounds the retries when another process grabs the port between the moment
	// it was found free and the moment moto binds it.
	motoPortTries = 5
	// motoOutputLimit keeps enough of moto's output to explain a failed start without letting
	// a long test run's access log grow without bound.
	motoOutputLimit = 64 << 10
)

// Moto is one running moto_server process, owned by the test process that started it.
type Moto struct {
	// URL is moto's base URL, http://127.0.0.1:PORT, to use as an SDK BaseEndpoint or a shim's
	// upstream.
	URL string

	cmd    *exec.Cmd
	out    *tailBuffer
	exited chan struct{}
	// waitErr is written once before exited is closed.
	waitErr   error
	closeOnce sync.Once
	closeErr  error
}

// StartMoto starts moto_server on a free loopback port and returns once it answers. The binary
// is $MOTO_SERVER, else .venv/bin/moto_server under the module root, which is where
// `make venv` installs it; tests are never expected to start moto by hand.
func StartMoto(ctx context.Context) (*Moto, error) {
	bin, err := motoBinary()
	if err != nil {
		return nil, err
	}
	return startMoto(ctx, bin, freePort)
}

// StartWithShim starts moto and a shim in front of it, for a program or test that runs an
// emulator of its own (the demo, the emulator, the benchmarks); stop closes both.
func StartWithShim(ctx context.Context) (moto *Moto, shim *Shim, stop func(), err error) {
	if moto, err = StartMoto(ctx); err != nil {
		return nil, nil, nil, err
	}
	shim = NewShim(moto.URL)
	return moto, shim, func() { shim.Close(); _ = moto.Close() }, nil
}

func motoBinary() (string, error) {
	bin := os.Getenv("MOTO_SERVER")
	if bin == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", fmt.Errorf("locating moto_server: %w", err)
		}
		bin = filepath.Join(root, ".venv", "bin", "moto_server")
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("moto_server not found at %s: run \"make venv\" (or make test)", bin)
	}
	return bin, nil
}

// moduleRoot walks up from the working directory because `go test` runs each package in its own
// directory, at whatever depth.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// startMoto takes the port picker as a parameter so that a test can hand it a taken port first.
func startMoto(ctx context.Context, bin string, pickPort func() (int, error)) (*Moto, error) {
	var lastErr error
	for range motoPortTries {
		port, err := pickPort()
		if err != nil {
			return nil, fmt.Errorf("finding a free port for moto: %w", err)
		}
		m, err := launchMoto(ctx, bin, port)
		if err == nil {
			return m, nil
		}
		if !errors.Is(err, errPortTaken) {
			return nil, err
		}
		lastErr = err
	}
	return nil, lastErr
}

var errPortTaken = errors.New("port already in use")

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func launchMoto(ctx context.Context, bin string, port int) (*Moto, error) {
	out := &tailBuffer{limit: motoOutputLimit}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = motoSysProcAttr()
	// The output is copied through a pipe; should anything in moto's group keep it open after the
	// kill, Wait must not hang the test binary.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	m := &Moto{
		URL:    "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:    cmd,
		out:    out,
		exited: make(chan struct{}),
	}
	go func() {
		m.waitErr = cmd.Wait()
		close(m.exited)
	}()
	if err := m.waitReady(ctx); err != nil {
		_ = m.Close()
		return nil, err
	}
	return m, nil
}

func (m *Moto) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, motoStartTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-m.exited:
			out := m.out.String()
			if strings.Contains(out, "in use") {
				return fmt.Errorf("moto at %s: %w; its output:\n%s", m.URL, errPortTaken, out)
			}
			return fmt.Errorf("moto_server exited before answering (%v); its output:\n%s", m.waitErr, out)
		case <-ctx.Done():
			return fmt.Errorf("moto_server did not answer on %s within %s (%w); its output:\n%s",
				m.URL, motoStartTimeout, ctx.Err(), m.out.String())
		case <-tick.C:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL+"/moto-api/", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			// A server that answered while our process died is someone else's on that port.
			select {
			case <-m.exited:
				continue
			default:
				return nil
			}
		}
	}
}

// Reset clears every service's state in moto, so that tests sharing one moto start clean.
func (m *Moto) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("resetting moto: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("resetting moto: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Output returns the tail of moto's stdout and stderr, for a failing test to show.
func (m *Moto) Output() string { return m.out.String() }

// Close kills moto's whole process group (moto_server is a Python launcher that may fork) and
// waits for it. It is safe to call more than once.
func (m *Moto) Close() error {
	m.closeOnce.Do(func() {
		select {
		case <-m.exited:
		default:
			if err := killGroup(m.cmd.Process.Pid); err != nil {
				_ = m.cmd.Process.Kill()
			}
			<-m.exited
		}
		var exitErr *exec.ExitError
		if m.waitErr != nil && !errors.As(m.waitErr, &exitErr) {
			m.closeErr = fmt.Errorf("waiting for moto_server: %w", m.waitErr)
		}
	})
	return m.closeErr
}

// tailBuffer keeps the last limit bytes written to it: moto logs every request, and a long test
// run must not hold all of that in memory just to explain a failure.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.limit; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// AWSConfig returns an SDK configuration that talks to endpoint (a shim or moto) with static fake
// credentials. It is built by hand rather than with config.LoadDefaultConfig so that nothing
// ever reads the environment, shared config files or the instance metadata service: a test can
// never pick up, let alone use, real credentials.
//
// The retryer retries as the SDK's standard one does but with short backoffs, so that tests of
// throttling and faults take milliseconds, and without the client-side retry quota, so that a
// test injecting many faults is not cut short by the SDK's own circuit breaker.
func AWSConfig(endpoint, region string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAFAKE", "fake", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 5
				o.MaxBackoff = 200 * time.Millisecond
				o.RateLimiter = ratelimit.None
			})
		},
	}
}
