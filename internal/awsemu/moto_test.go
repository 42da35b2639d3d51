package awsemu

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestStartMotoMissingBinary(t *testing.T) {
	t.Setenv("MOTO_SERVER", "/nonexistent/moto_server")
	_, err := StartMoto(t.Context())
	want := `moto_server not found at /nonexistent/moto_server: run "make venv" (or make test)`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// TestStartMotoPortTaken hands the launcher a port that is already bound; it must notice and
// move on to another.
func TestStartMotoPortTaken(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second moto")
	}
	bin, err := motoBinary()
	check(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(t, err)
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	var offered []int
	pick := func() (int, error) {
		if len(offered) == 0 {
			offered = append(offered, taken)
			return taken, nil
		}
		p, err := freePort()
		offered = append(offered, p)
		return p, err
	}
	m, err := startMoto(t.Context(), bin, pick)
	check(t, err)
	defer m.Close()
	if len(offered) != 2 || strings.HasSuffix(m.URL, ":"+strconv.Itoa(taken)) {
		t.Errorf("offered %v, moto at %s", offered, m.URL)
	}
	resp, err := http.Get(m.URL + "/moto-api/")
	check(t, err)
	resp.Body.Close()
	check(t, m.Close())
	check(t, m.Close())
	if _, err := http.Get(m.URL + "/moto-api/"); err == nil {
		t.Error("moto still answers after Close")
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{limit: 8}
	b.Write([]byte("hello "))
	b.Write([]byte("world"))
	if got := b.String(); got != "lo world" {
		t.Errorf("tail = %q", got)
	}
}

func TestAWSConfig(t *testing.T) {
	cfg := AWSConfig("http://127.0.0.1:1", "eu-north-1")
	creds, err := cfg.Credentials.Retrieve(t.Context())
	check(t, err)
	if creds.AccessKeyID != "AKIAFAKE" || creds.SecretAccessKey != "fake" {
		t.Errorf("credentials = %+v", creds)
	}
	if *cfg.BaseEndpoint != "http://127.0.0.1:1" || cfg.Region != "eu-north-1" || cfg.Retryer == nil {
		t.Errorf("config = %+v", cfg)
	}
}
