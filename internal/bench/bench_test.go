package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

// TestSmoke runs the benchmark's whole path on 20 APIs without quotas, so that it cannot rot,
// and pins the scan's cost to the formula of ExpectedCalls. It asserts no timing.
func TestSmoke(t *testing.T) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	ctx := context.Background()
	bin := filepath.Join(t.TempDir(), "driftaudit")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/driftaudit").CombinedOutput(); err != nil {
		t.Fatalf("build driftaudit: %v\n%s", err, out)
	}
	_, shim, closeEmulator, err := awsemu.StartWithShim(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeEmulator()

	shape, err := SeedAccount(ctx, apigateway.NewFromConfig(awsemu.AWSConfig(shim.URL, "eu-west-1")), 20, "smoke", 4)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Scan(ctx, bin, shim, "eu-west-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	res.Shape = shape
	t.Log("\n" + res.Report())
	for op, want := range shape.ExpectedCalls() {
		if res.Calls[op] != want {
			t.Errorf("%s: %d calls, want %d", op, res.Calls[op], want)
		}
	}
	if len(res.Calls) != len(shape.ExpectedCalls()) {
		t.Errorf("calls %v, want only %v", res.Calls, shape.ExpectedCalls())
	}
	if res.APIs != 20 || res.Errors != 0 || res.Throttled != 0 || res.PeakRSS <= 0 {
		t.Errorf("APIs %d, errors %d, 429s %d, RSS %d", res.APIs, res.Errors, res.Throttled, res.PeakRSS)
	}
	if shape.PerMethodCalls() <= res.Total {
		t.Errorf("a per-method scanner (%d calls) should cost more than this one (%d)", shape.PerMethodCalls(), res.Total)
	}
	_ = os.Remove(bin)
}

func TestLowerBound(t *testing.T) {
	l := quota.APIGatewayDefaults()
	for _, tc := range []struct {
		calls map[string]int
		want  float64
	}{
		{map[string]int{"GetStages": 40}, 0},
		{map[string]int{"GetStages": 140}, 10},
		{map[string]int{"GetResources": 105, "GetStages": 35}, 40}, // GetResources: (105-5)/2.5
		{map[string]int{"GetResources": 10, "GetStages": 1030}, 100},
	} {
		if got := LowerBound(tc.calls, l).Seconds(); got != tc.want {
			t.Errorf("LowerBound(%v) = %gs, want %gs", tc.calls, got, tc.want)
		}
	}
}
