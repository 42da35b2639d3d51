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
