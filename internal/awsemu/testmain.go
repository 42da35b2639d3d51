package awsemu

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
)

// RunWithMoto is the body of a package's TestMain: it starts one moto for the package's tests,
// which run one after another and Reset it between them, runs them, stops moto and returns the
// exit code for os.Exit. setup, when not nil, runs first (to build a binary, say); its error
// fails the run.
func RunWithMoto(m *testing.M, moto **Moto, setup func() error) int {
	flag.Parse()
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	if setup != nil {
		if err := setup(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	started, err := StartMoto(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer started.Close()
	*moto = started
	return m.Run()
}

// FreshShim empties moto and puts a new shim in front of it, closed when the test ends: how each
// test that reads an account starts.
func FreshShim(t testing.TB, moto *Moto, opts ...Option) *Shim {
	t.Helper()
	if err := moto.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	shim := NewShim(moto.URL, opts...)
	t.Cleanup(shim.Close)
	return shim
}
